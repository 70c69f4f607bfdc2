-- AlterTable
ALTER TABLE "Reward" ADD COLUMN "cancelRequestedAt" DATETIME;
