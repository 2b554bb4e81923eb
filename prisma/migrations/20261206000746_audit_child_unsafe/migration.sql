-- AlterTable
ALTER TABLE "Audit" ADD COLUMN     "childUnsafe" BOOLEAN;
