-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('PRACTITIONER', 'DEPUTY_TEAM_MANAGER', 'TEAM_MANAGER', 'SERVICE_MANAGER', 'HEAD_OF_SERVICE', 'ASSISTANT_DIRECTOR', 'DIRECTOR', 'QA_TEAM', 'HEAD_OF_QA', 'MODERATOR', 'CP_CHAIR', 'IRO', 'FOSTERING_IRO', 'ADMIN');

-- CreateEnum
CREATE TYPE "PlanType" AS ENUM ('EARLY_HELP', 'CHILD_IN_NEED', 'CHILD_PROTECTION', 'CHILD_LOOKED_AFTER', 'CARE_LEAVER', 'CONTACT');

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "serviceArea" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL,
    "aadObjectId" TEXT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "jobTitle" TEXT,
    "roles" "Role"[],
    "teamId" TEXT,
    "lineManagerId" TEXT,
    "startDate" DATE,
    "isNqsw" BOOLEAN NOT NULL DEFAULT false,
    "isCaseHolding" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "source" TEXT NOT NULL DEFAULT 'csv',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Case" (
    "id" TEXT NOT NULL,
    "caseRef" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "workerId" TEXT,
    "planType" "PlanType" NOT NULL,
    "openedOn" DATE,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationReference" (
    "id" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "serviceUrl" TEXT NOT NULL,
    "tenantId" TEXT,
    "botId" TEXT NOT NULL,
    "reference" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationReference_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "History" (
    "id" BIGSERIAL NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "History_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "recipientId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'send',
    "cardKey" TEXT,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "conversationId" TEXT,
    "activityId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CardInstance" (
    "id" TEXT NOT NULL,
    "cardKey" TEXT NOT NULL,
    "recipientId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "activityId" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CardInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ActionReceipt" (
    "key" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "verb" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ActionReceipt_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "AuditCycle" (
    "id" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "theme" TEXT NOT NULL DEFAULT '',
    "target" INTEGER NOT NULL,
    "seed" TEXT NOT NULL,
    "gradeScaleId" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditCycle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Audit" (
    "id" TEXT NOT NULL,
    "cycleId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "auditorId" TEXT NOT NULL,
    "practitionerId" TEXT NOT NULL,
    "managerId" TEXT,
    "teamId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'allocated',
    "dueDate" DATE NOT NULL,
    "meetingDate" DATE,
    "gradeScaleId" TEXT NOT NULL,
    "grade" DOUBLE PRECISION,
    "gradeBand" TEXT,
    "moderatedGrade" DOUBLE PRECISION,
    "moderatedBand" TEXT,
    "draft" JSONB NOT NULL DEFAULT '{}',
    "childrenBenefit" TEXT,
    "declineReason" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "allocatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submittedAt" TIMESTAMP(3),
    "finalisedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Audit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditAnswer" (
    "id" TEXT NOT NULL,
    "auditId" TEXT NOT NULL,
    "area" INTEGER NOT NULL,
    "score" INTEGER,
    "strengths" TEXT,
    "toDevelop" TEXT,
    "signsOfImpact" TEXT,
    "evidence" TEXT,
    "rationale" TEXT,

    CONSTRAINT "AuditAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SelfAssessment" (
    "id" TEXT NOT NULL,
    "auditId" TEXT NOT NULL,
    "practitionerId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "dueDate" DATE NOT NULL,
    "answers" JSONB NOT NULL DEFAULT '{}',
    "submittedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SelfAssessment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" TEXT NOT NULL,
    "auditId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "obtained" BOOLEAN NOT NULL,
    "notObtainedReason" TEXT,
    "answers" JSONB NOT NULL DEFAULT '{}',
    "recordedById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Action" (
    "id" TEXT NOT NULL,
    "auditId" TEXT,
    "moderationId" TEXT,
    "assigneeId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "immediate" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'open',
    "doneAt" TIMESTAMP(3),
    "doneNote" TEXT,
    "followUpNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Action_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Moderation" (
    "id" TEXT NOT NULL,
    "auditId" TEXT NOT NULL,
    "moderatorId" TEXT NOT NULL,
    "allocatedById" TEXT,
    "returnDate" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'allocated',
    "agree" BOOLEAN,
    "rescale" JSONB NOT NULL DEFAULT '{}',
    "feedbackGood" TEXT,
    "feedbackDevelop" TEXT,
    "actionChecks" JSONB NOT NULL DEFAULT '[]',
    "proposedGrade" DOUBLE PRECISION,
    "agreedGrade" DOUBLE PRECISION,
    "approverId" TEXT,
    "approvedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "draft" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "submittedAt" TIMESTAMP(3),
    "finalisedAt" TIMESTAMP(3),

    CONSTRAINT "Moderation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Escalation" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "raiserId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "concern" TEXT NOT NULL,
    "informalAttempts" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "stage" INTEGER NOT NULL DEFAULT 1,
    "stageOwnerIds" TEXT[],
    "stageDeadline" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "Escalation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EscalationEvent" (
    "id" BIGSERIAL NOT NULL,
    "escalationId" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "actorId" TEXT,
    "text" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EscalationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SupervisionSession" (
    "id" TEXT NOT NULL,
    "superviseeId" TEXT,
    "supervisorId" TEXT NOT NULL,
    "teamId" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'individual',
    "dueOn" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "heldOn" DATE,
    "durationMinutes" INTEGER,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SupervisionSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyCampaign" (
    "id" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "templateVersion" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "audience" JSONB NOT NULL,
    "opensAt" TIMESTAMP(3) NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveyCampaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyParticipation" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "invitedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "responded" BOOLEAN NOT NULL DEFAULT false,
    "draft" JSONB NOT NULL DEFAULT '{}',
    "remindedAt" TIMESTAMP(3),

    CONSTRAINT "SurveyParticipation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "submittedOn" DATE NOT NULL,
    "roleGroup" TEXT,
    "teamId" TEXT,
    "answers" JSONB NOT NULL,

    CONSTRAINT "SurveyResponse_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Staff_aadObjectId_key" ON "Staff"("aadObjectId");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_email_key" ON "Staff"("email");

-- CreateIndex
CREATE INDEX "Staff_teamId_idx" ON "Staff"("teamId");

-- CreateIndex
CREATE INDEX "Staff_lineManagerId_idx" ON "Staff"("lineManagerId");

-- CreateIndex
CREATE UNIQUE INDEX "Case_caseRef_key" ON "Case"("caseRef");

-- CreateIndex
CREATE INDEX "Case_teamId_idx" ON "Case"("teamId");

-- CreateIndex
CREATE INDEX "Case_workerId_idx" ON "Case"("workerId");

-- CreateIndex
CREATE UNIQUE INDEX "ConversationReference_staffId_key" ON "ConversationReference"("staffId");

-- CreateIndex
CREATE INDEX "History_entityType_entityId_id_idx" ON "History"("entityType", "entityId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_idempotencyKey_key" ON "OutboxMessage"("idempotencyKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_recipientId_status_idx" ON "OutboxMessage"("recipientId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "CardInstance_cardKey_recipientId_key" ON "CardInstance"("cardKey", "recipientId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditCycle_month_theme_key" ON "AuditCycle"("month", "theme");

-- CreateIndex
CREATE INDEX "Audit_cycleId_idx" ON "Audit"("cycleId");

-- CreateIndex
CREATE INDEX "Audit_auditorId_status_idx" ON "Audit"("auditorId", "status");

-- CreateIndex
CREATE INDEX "Audit_practitionerId_idx" ON "Audit"("practitionerId");

-- CreateIndex
CREATE INDEX "Audit_caseId_allocatedAt_idx" ON "Audit"("caseId", "allocatedAt");

-- CreateIndex
CREATE INDEX "Audit_teamId_idx" ON "Audit"("teamId");

-- CreateIndex
CREATE INDEX "Audit_submittedAt_idx" ON "Audit"("submittedAt");

-- CreateIndex
CREATE INDEX "AuditAnswer_area_idx" ON "AuditAnswer"("area");

-- CreateIndex
CREATE UNIQUE INDEX "AuditAnswer_auditId_area_key" ON "AuditAnswer"("auditId", "area");

-- CreateIndex
CREATE UNIQUE INDEX "SelfAssessment_auditId_key" ON "SelfAssessment"("auditId");

-- CreateIndex
CREATE UNIQUE INDEX "Feedback_auditId_kind_key" ON "Feedback"("auditId", "kind");

-- CreateIndex
CREATE INDEX "Action_assigneeId_status_idx" ON "Action"("assigneeId", "status");

-- CreateIndex
CREATE INDEX "Action_auditId_idx" ON "Action"("auditId");

-- CreateIndex
CREATE INDEX "Action_status_dueAt_idx" ON "Action"("status", "dueAt");

-- CreateIndex
CREATE INDEX "Moderation_moderatorId_status_idx" ON "Moderation"("moderatorId", "status");

-- CreateIndex
CREATE INDEX "Moderation_auditId_idx" ON "Moderation"("auditId");

-- CreateIndex
CREATE INDEX "Escalation_status_stageDeadline_idx" ON "Escalation"("status", "stageDeadline");

-- CreateIndex
CREATE INDEX "Escalation_raiserId_idx" ON "Escalation"("raiserId");

-- CreateIndex
CREATE INDEX "EscalationEvent_escalationId_id_idx" ON "EscalationEvent"("escalationId", "id");

-- CreateIndex
CREATE INDEX "SupervisionSession_superviseeId_dueOn_idx" ON "SupervisionSession"("superviseeId", "dueOn");

-- CreateIndex
CREATE INDEX "SupervisionSession_status_dueOn_idx" ON "SupervisionSession"("status", "dueOn");

-- CreateIndex
CREATE INDEX "SupervisionSession_teamId_idx" ON "SupervisionSession"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyParticipation_campaignId_staffId_key" ON "SurveyParticipation"("campaignId", "staffId");

-- CreateIndex
CREATE INDEX "SurveyResponse_campaignId_idx" ON "SurveyResponse"("campaignId");

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_lineManagerId_fkey" FOREIGN KEY ("lineManagerId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Case" ADD CONSTRAINT "Case_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Case" ADD CONSTRAINT "Case_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationReference" ADD CONSTRAINT "ConversationReference_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Audit" ADD CONSTRAINT "Audit_cycleId_fkey" FOREIGN KEY ("cycleId") REFERENCES "AuditCycle"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Audit" ADD CONSTRAINT "Audit_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditAnswer" ADD CONSTRAINT "AuditAnswer_auditId_fkey" FOREIGN KEY ("auditId") REFERENCES "Audit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelfAssessment" ADD CONSTRAINT "SelfAssessment_auditId_fkey" FOREIGN KEY ("auditId") REFERENCES "Audit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_auditId_fkey" FOREIGN KEY ("auditId") REFERENCES "Audit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Action" ADD CONSTRAINT "Action_auditId_fkey" FOREIGN KEY ("auditId") REFERENCES "Audit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Action" ADD CONSTRAINT "Action_moderationId_fkey" FOREIGN KEY ("moderationId") REFERENCES "Moderation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Moderation" ADD CONSTRAINT "Moderation_auditId_fkey" FOREIGN KEY ("auditId") REFERENCES "Audit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Escalation" ADD CONSTRAINT "Escalation_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EscalationEvent" ADD CONSTRAINT "EscalationEvent_escalationId_fkey" FOREIGN KEY ("escalationId") REFERENCES "Escalation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyParticipation" ADD CONSTRAINT "SurveyParticipation_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "SurveyCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyResponse" ADD CONSTRAINT "SurveyResponse_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "SurveyCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

