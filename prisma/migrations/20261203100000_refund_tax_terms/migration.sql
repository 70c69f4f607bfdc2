-- AlterTable
ALTER TABLE "PointsTransaction" ADD COLUMN "taxesIncluded" BOOLEAN;

-- AlterTable
ALTER TABLE "VipOrder" ADD COLUMN "taxesIncluded" BOOLEAN;

