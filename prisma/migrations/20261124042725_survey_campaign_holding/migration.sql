-- AlterTable
ALTER TABLE "SurveyCampaign" ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "reminderEveryDays" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "repeatEveryMonths" INTEGER;

-- CreateTable
CREATE TABLE "SurveyResponseHolding" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "submittedOn" DATE NOT NULL,
    "roleGroup" TEXT,
    "teamId" TEXT,
    "answers" JSONB NOT NULL,

    CONSTRAINT "SurveyResponseHolding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SurveyResponseHolding_campaignId_idx" ON "SurveyResponseHolding"("campaignId");
