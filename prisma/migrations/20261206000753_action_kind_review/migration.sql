-- AlterTable
ALTER TABLE "Action" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'action',
ADD COLUMN     "reviewedAt" TIMESTAMP(3),
ADD COLUMN     "reviewedInSessionId" TEXT;
