-- AlterTable
ALTER TABLE "Session" ADD COLUMN "refreshLeaseUntil" DATETIME;
ALTER TABLE "Session" ADD COLUMN "refreshLeaseHolder" TEXT;
