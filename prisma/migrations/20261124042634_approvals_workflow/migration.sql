-- AlterTable
ALTER TABLE "Escalation" ADD COLUMN     "cafcassReferredAt" TIMESTAMP(3),
ADD COLUMN     "extensionRequest" JSONB;

-- AlterTable
ALTER TABLE "Moderation" ADD COLUMN     "agreedBand" TEXT,
ADD COLUMN     "proposedBand" TEXT,
ADD COLUMN     "proposedById" TEXT;
