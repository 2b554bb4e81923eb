-- AlterTable
ALTER TABLE "Escalation" ADD COLUMN     "fosterCarerRef" TEXT,
ALTER COLUMN "caseId" DROP NOT NULL;

-- An escalation concerns either a child's case or (fostering IRO) a foster carer, never neither.
ALTER TABLE "Escalation" ADD CONSTRAINT "Escalation_subject_check" CHECK (("caseId" IS NULL) <> ("fosterCarerRef" IS NULL));
