-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "signupAccountAt" TIMESTAMP(3),
ADD COLUMN     "signupCreatedAt" TIMESTAMP(3);
