-- AlterTable
ALTER TABLE "Staff" ADD COLUMN     "auditGroup" INTEGER;
