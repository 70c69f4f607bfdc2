-- AlterTable
ALTER TABLE "VipOrder" ADD COLUMN     "orderCurrency" TEXT,
ADD COLUMN     "currencyHeldAt" TIMESTAMP(3),
ADD COLUMN     "otherCurrency" BOOLEAN NOT NULL DEFAULT false;
