-- Held survey answers become sealed (encrypted, padded, no team, role or date in the clear): a
-- held row shares its transaction id with the respondent's participation update, so anything
-- readable in it would name them. Answers held in the old, readable form are released now, in a
-- random order (results read them only once their campaign has closed).
INSERT INTO "SurveyResponse" (id, "campaignId", "submittedOn", "roleGroup", "teamId", answers)
SELECT gen_random_uuid()::text, "campaignId", CURRENT_DATE, NULL, NULL, answers
FROM "SurveyResponseHolding" ORDER BY random();
DELETE FROM "SurveyResponseHolding";
ALTER TABLE "SurveyResponseHolding" DROP COLUMN "submittedOn", DROP COLUMN "roleGroup", DROP COLUMN "teamId", DROP COLUMN answers,
  ADD COLUMN sealed BYTEA NOT NULL;
