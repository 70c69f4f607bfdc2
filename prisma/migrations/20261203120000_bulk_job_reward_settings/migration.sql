-- AlterTable
ALTER TABLE "BulkIssueJob" ADD COLUMN "rewardSettings" TEXT;
