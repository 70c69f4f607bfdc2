-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "signupAccountAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "signupCreatedAt" DATETIME;
