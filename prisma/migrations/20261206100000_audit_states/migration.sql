-- The database refuses a status no workflow defines (services/audit/states.ts,
-- services/moderation/states.ts; test/stateMachines.test.ts keeps the lists equal).
-- "declined" was only ever written by generated example data: it is the status not_completed.
UPDATE "Audit" SET status = 'not_completed' WHERE status = 'declined';

ALTER TABLE "Audit" ADD CONSTRAINT "Audit_status_check" CHECK (status IN ('allocated', 'accepted', 'in_progress', 'submitted', 'finalised', 'not_completed'));
ALTER TABLE "SelfAssessment" ADD CONSTRAINT "SelfAssessment_status_check" CHECK (status IN ('pending', 'draft', 'submitted'));
ALTER TABLE "Action" ADD CONSTRAINT "Action_status_check" CHECK (status IN ('open', 'done'));
ALTER TABLE "Moderation" ADD CONSTRAINT "Moderation_status_check" CHECK (status IN ('allocated', 'agreeing', 'awaiting_approval', 'finalised'));
