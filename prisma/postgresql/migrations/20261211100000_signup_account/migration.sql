-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "signupCreatedAt" TIMESTAMP(3),
ADD COLUMN     "signupAccountAt" TIMESTAMP(3);
