-- Practice observations and dip samples: each table's statuses are its state machine's
-- (services/observation/states.ts, services/dipSample/states.ts), enforced by a CHECK constraint.
CREATE TABLE "Observation" (
    "id" TEXT NOT NULL,
    "practitionerId" TEXT NOT NULL,
    "managerId" TEXT,
    "observerId" TEXT,
    "scheduledById" TEXT,
    "process" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'awaiting_agreement',
    "date" DATE,
    "proposedDate" DATE,
    "proposedNote" TEXT,
    "auditId" TEXT,
    "actionId" TEXT,
    "caseRef" TEXT,
    "form" JSONB NOT NULL DEFAULT '{}',
    "bandId" TEXT,
    "goodOrBetter" BOOLEAN,
    "strengths" TEXT,
    "toDevelop" TEXT,
    "actions" TEXT,
    "reflection" TEXT,
    "reflectedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Observation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DipSample" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "checklistId" TEXT NOT NULL,
    "rule" JSONB NOT NULL DEFAULT '{}',
    "batchSize" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "DipSample_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DipCheck" (
    "id" TEXT NOT NULL,
    "sampleId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "caseRef" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "planType" "PlanType" NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "batch" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'allocated',
    "answers" JSONB NOT NULL DEFAULT '{}',
    "goodOrBetter" BOOLEAN,
    "needsAction" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "answeredAt" TIMESTAMP(3),

    CONSTRAINT "DipCheck_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Observation_practitionerId_idx" ON "Observation"("practitionerId");
CREATE INDEX "Observation_observerId_status_idx" ON "Observation"("observerId", "status");
CREATE INDEX "Observation_auditId_idx" ON "Observation"("auditId");
CREATE INDEX "Observation_date_idx" ON "Observation"("date");
CREATE UNIQUE INDEX "DipCheck_sampleId_caseId_key" ON "DipCheck"("sampleId", "caseId");
CREATE INDEX "DipCheck_reviewerId_status_position_idx" ON "DipCheck"("reviewerId", "status", "position");
CREATE INDEX "DipCheck_sampleId_teamId_idx" ON "DipCheck"("sampleId", "teamId");

ALTER TABLE "DipCheck" ADD CONSTRAINT "DipCheck_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "DipSample"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Observation" ADD CONSTRAINT "Observation_status_check" CHECK (status IN ('required', 'awaiting_agreement', 'date_proposed', 'agreed', 'completed'));
ALTER TABLE "DipSample" ADD CONSTRAINT "DipSample_status_check" CHECK (status IN ('open', 'closed'));
ALTER TABLE "DipCheck" ADD CONSTRAINT "DipCheck_status_check" CHECK (status IN ('allocated', 'answered'));
