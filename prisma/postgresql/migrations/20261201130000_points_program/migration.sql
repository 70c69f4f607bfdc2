-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "pendingPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "pointsShortfall" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "birthday" TEXT;

-- AlterTable
ALTER TABLE "PointsTransaction" ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'AVAILABLE',
ADD COLUMN     "availableAt" TIMESTAMP(3),
ADD COLUMN     "orderGid" TEXT,
ADD COLUMN     "orderName" TEXT,
ADD COLUMN     "refundId" TEXT,
ADD COLUMN     "shortfall" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "actor" TEXT NOT NULL DEFAULT 'SYSTEM',
ADD COLUMN     "actorId" TEXT,
ADD COLUMN     "sourceKey" TEXT,
ADD COLUMN     "amount" TEXT;

-- CreateTable
CREATE TABLE "ProgramSettings" (
    "shop" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "pointsNameSingular" TEXT NOT NULL DEFAULT 'point',
    "pointsNamePlural" TEXT NOT NULL DEFAULT 'points',
    "pointsPerCurrencyUnit" TEXT NOT NULL DEFAULT '1',
    "includeShipping" BOOLEAN NOT NULL DEFAULT false,
    "includeTaxes" BOOLEAN NOT NULL DEFAULT false,
    "rounding" TEXT NOT NULL DEFAULT 'DOWN',
    "pendingDays" INTEGER NOT NULL DEFAULT 0,
    "expiryMonths" INTEGER,
    "signupBonus" INTEGER NOT NULL DEFAULT 0,
    "birthdayBonus" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProgramSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "PointsTransaction_shop_orderGid_idx" ON "PointsTransaction"("shop", "orderGid");

-- CreateIndex
CREATE INDEX "PointsTransaction_status_availableAt_idx" ON "PointsTransaction"("status", "availableAt");

-- CreateIndex
CREATE UNIQUE INDEX "PointsTransaction_shop_sourceKey_key" ON "PointsTransaction"("shop", "sourceKey");

