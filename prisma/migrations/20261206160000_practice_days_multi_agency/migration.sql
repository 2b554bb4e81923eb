-- Audit-of-practice days (Halton Children and Young People's Services Quality Assurance Framework)
-- and multi-agency audits (Bexley Children's Social Care Quality Assurance Framework, §1.4); partner
-- agencies' people in the directory. Each status column is limited to its state machine's statuses
-- (services/practiceDay/states.ts, services/multiAgency/states.ts).

ALTER TABLE "Staff" ADD COLUMN "partnerAgency" TEXT;

CREATE TABLE "PracticeDay" (
    "id" TEXT NOT NULL,
    "heldOn" DATE NOT NULL,
    "theme" TEXT NOT NULL DEFAULT '',
    "leadManagerId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'planned',
    "seed" TEXT,
    "contacts" INTEGER NOT NULL DEFAULT 2,
    "casesPerPair" INTEGER NOT NULL DEFAULT 2,
    "findings" TEXT,
    "orgRecommendations" JSONB,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PracticeDay_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "PracticeDay_heldOn_key" ON "PracticeDay"("heldOn");

CREATE TABLE "PracticeDayVolunteer" (
    "id" TEXT NOT NULL,
    "dayId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "pairNo" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PracticeDayVolunteer_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "PracticeDayVolunteer_dayId_staffId_key" ON "PracticeDayVolunteer"("dayId", "staffId");

CREATE TABLE "PracticeDayCase" (
    "id" TEXT NOT NULL,
    "dayId" TEXT NOT NULL,
    "caseRef" TEXT NOT NULL,
    "planType" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "managerId" TEXT,
    "pairNo" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'selected',
    "confirmedAt" TIMESTAMP(3),
    "remindersSent" INTEGER NOT NULL DEFAULT 0,
    "analysis" JSONB,
    "poorPractice" BOOLEAN NOT NULL DEFAULT false,
    "submittedById" TEXT,
    "submittedAt" TIMESTAMP(3),
    "assuredById" TEXT,
    "assuredAt" TIMESTAMP(3),
    CONSTRAINT "PracticeDayCase_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "PracticeDayCase_dayId_caseRef_key" ON "PracticeDayCase"("dayId", "caseRef");
CREATE INDEX "PracticeDayCase_workerId_idx" ON "PracticeDayCase"("workerId");

CREATE TABLE "PracticeDayRecommendation" (
    "id" TEXT NOT NULL,
    "dayId" TEXT NOT NULL,
    "dayCaseId" TEXT,
    "text" TEXT NOT NULL,
    "assigneeId" TEXT NOT NULL,
    "seniorManagerId" TEXT,
    "poorPractice" BOOLEAN NOT NULL DEFAULT false,
    "dueOn" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "completedAt" TIMESTAMP(3),
    "completionNote" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PracticeDayRecommendation_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "PracticeDayRecommendation_assigneeId_status_idx" ON "PracticeDayRecommendation"("assigneeId", "status");

CREATE TABLE "MultiAgencyAudit" (
    "id" TEXT NOT NULL,
    "caseRef" TEXT NOT NULL,
    "focus" TEXT NOT NULL,
    "leadId" TEXT NOT NULL,
    "periodFrom" DATE NOT NULL,
    "periodTo" DATE NOT NULL,
    "toolDueOn" DATE NOT NULL,
    "discussionOn" DATE,
    "discussionNotes" TEXT,
    "status" TEXT NOT NULL DEFAULT 'invited',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MultiAgencyAudit_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "MultiAgencyInvitation" (
    "id" TEXT NOT NULL,
    "auditId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "part" TEXT NOT NULL,
    "agency" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'invited',
    "tool" JSONB,
    "toolSubmittedAt" TIMESTAMP(3),
    "attending" BOOLEAN,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MultiAgencyInvitation_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "MultiAgencyInvitation_auditId_staffId_key" ON "MultiAgencyInvitation"("auditId", "staffId");
CREATE INDEX "MultiAgencyInvitation_staffId_idx" ON "MultiAgencyInvitation"("staffId");

CREATE TABLE "MultiAgencyRecommendation" (
    "id" TEXT NOT NULL,
    "auditId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "agency" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "dueOn" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "doneAt" TIMESTAMP(3),
    "doneNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MultiAgencyRecommendation_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "MultiAgencyRecommendation_ownerId_status_idx" ON "MultiAgencyRecommendation"("ownerId", "status");

ALTER TABLE "PracticeDayVolunteer" ADD CONSTRAINT "PracticeDayVolunteer_dayId_fkey" FOREIGN KEY ("dayId") REFERENCES "PracticeDay"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PracticeDayCase" ADD CONSTRAINT "PracticeDayCase_dayId_fkey" FOREIGN KEY ("dayId") REFERENCES "PracticeDay"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PracticeDayRecommendation" ADD CONSTRAINT "PracticeDayRecommendation_dayId_fkey" FOREIGN KEY ("dayId") REFERENCES "PracticeDay"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "MultiAgencyInvitation" ADD CONSTRAINT "MultiAgencyInvitation_auditId_fkey" FOREIGN KEY ("auditId") REFERENCES "MultiAgencyAudit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "MultiAgencyRecommendation" ADD CONSTRAINT "MultiAgencyRecommendation_auditId_fkey" FOREIGN KEY ("auditId") REFERENCES "MultiAgencyAudit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The statuses of each workflow's machine (checkConstraintSql).
ALTER TABLE "PracticeDay" ADD CONSTRAINT "PracticeDay_status_check" CHECK (status IN ('planned', 'teams_agreed', 'cases_selected', 'reported'));
ALTER TABLE "PracticeDayCase" ADD CONSTRAINT "PracticeDayCase_status_check" CHECK (status IN ('selected', 'confirmed', 'analysed', 'assured'));
ALTER TABLE "PracticeDayRecommendation" ADD CONSTRAINT "PracticeDayRecommendation_status_check" CHECK (status IN ('open', 'completed'));
ALTER TABLE "MultiAgencyAudit" ADD CONSTRAINT "MultiAgencyAudit_status_check" CHECK (status IN ('invited', 'discussion_set', 'discussed', 'closed'));
ALTER TABLE "MultiAgencyInvitation" ADD CONSTRAINT "MultiAgencyInvitation_status_check" CHECK (status IN ('invited', 'tool_submitted'));
ALTER TABLE "MultiAgencyRecommendation" ADD CONSTRAINT "MultiAgencyRecommendation_status_check" CHECK (status IN ('open', 'done'));
