-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "refreshLeaseUntil" TIMESTAMP(3),
ADD COLUMN     "refreshLeaseHolder" TEXT;
