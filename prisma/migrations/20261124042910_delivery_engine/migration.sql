-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "lastAttemptAt" TIMESTAMP(3),
ADD COLUMN     "lockedBy" TEXT,
ADD COLUMN     "seq" BIGSERIAL NOT NULL;

-- AlterTable
ALTER TABLE "Staff" ADD COLUMN     "department" TEXT;

-- CreateIndex
CREATE INDEX "OutboxMessage_recipientId_seq_idx" ON "OutboxMessage"("recipientId", "seq");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_seq_idx" ON "OutboxMessage"("status", "seq");
