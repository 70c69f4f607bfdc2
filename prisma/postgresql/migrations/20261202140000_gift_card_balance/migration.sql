-- AlterTable
ALTER TABLE "Reward" ADD COLUMN     "giftCardBalance" TEXT,
ADD COLUMN     "giftCardBalanceAt" TIMESTAMP(3);
