-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "storedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "accessRevokedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "RewardEvent" ADD COLUMN     "note" TEXT;

-- AlterTable
ALTER TABLE "ComplianceRequest" ADD COLUMN     "providedAt" TIMESTAMP(3),
ADD COLUMN     "erasedAt" TIMESTAMP(3);
