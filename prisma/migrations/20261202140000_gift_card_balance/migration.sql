-- AlterTable
ALTER TABLE "Reward" ADD COLUMN "giftCardBalance" TEXT;
ALTER TABLE "Reward" ADD COLUMN "giftCardBalanceAt" DATETIME;
