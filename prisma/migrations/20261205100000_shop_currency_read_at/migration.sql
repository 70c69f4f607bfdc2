-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "currencyReadAt" DATETIME;
