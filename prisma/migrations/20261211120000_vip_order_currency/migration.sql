-- AlterTable
ALTER TABLE "VipOrder" ADD COLUMN "orderCurrency" TEXT;
ALTER TABLE "VipOrder" ADD COLUMN "currencyHeldAt" DATETIME;
ALTER TABLE "VipOrder" ADD COLUMN "otherCurrency" BOOLEAN NOT NULL DEFAULT false;
