-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "currencyReadAt" TIMESTAMP(3);
