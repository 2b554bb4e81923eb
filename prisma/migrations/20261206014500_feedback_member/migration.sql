-- Feedback from several family members of one audit: one row per person, numbered from 0 within
-- the audit and kind. Existing rows become member 0, so they keep working unchanged.
ALTER TABLE "Feedback" ADD COLUMN "member" INTEGER NOT NULL DEFAULT 0;

DROP INDEX "Feedback_auditId_kind_key";

CREATE UNIQUE INDEX "Feedback_auditId_kind_member_key" ON "Feedback"("auditId", "kind", "member");
