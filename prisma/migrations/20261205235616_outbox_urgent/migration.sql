-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "urgent" BOOLEAN NOT NULL DEFAULT false;
