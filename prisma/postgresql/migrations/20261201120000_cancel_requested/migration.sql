-- AlterTable
ALTER TABLE "Reward" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3);
