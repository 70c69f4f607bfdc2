-- AlterTable
ALTER TABLE "PointsTransaction" ADD COLUMN     "orderCurrency" TEXT;

-- AlterTable
ALTER TABLE "ReferralHeldOrder" ADD COLUMN     "currency" TEXT;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "currencyCheckDueAt" TIMESTAMP(3);
