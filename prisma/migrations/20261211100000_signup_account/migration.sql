-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "signupCreatedAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "signupAccountAt" DATETIME;
