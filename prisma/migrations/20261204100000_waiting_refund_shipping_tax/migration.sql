-- AlterTable
ALTER TABLE "WaitingRefund" ADD COLUMN "shippingTax" TEXT;
