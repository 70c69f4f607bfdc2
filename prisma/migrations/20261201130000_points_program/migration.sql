-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "pendingPoints" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Customer" ADD COLUMN "pointsShortfall" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Customer" ADD COLUMN "birthday" TEXT;

-- AlterTable
ALTER TABLE "PointsTransaction" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'AVAILABLE';
ALTER TABLE "PointsTransaction" ADD COLUMN "availableAt" DATETIME;
ALTER TABLE "PointsTransaction" ADD COLUMN "orderGid" TEXT;
ALTER TABLE "PointsTransaction" ADD COLUMN "orderName" TEXT;
ALTER TABLE "PointsTransaction" ADD COLUMN "refundId" TEXT;
ALTER TABLE "PointsTransaction" ADD COLUMN "shortfall" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "PointsTransaction" ADD COLUMN "actor" TEXT NOT NULL DEFAULT 'SYSTEM';
ALTER TABLE "PointsTransaction" ADD COLUMN "actorId" TEXT;
ALTER TABLE "PointsTransaction" ADD COLUMN "sourceKey" TEXT;
ALTER TABLE "PointsTransaction" ADD COLUMN "amount" TEXT;

-- CreateTable
CREATE TABLE "ProgramSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "PointsTransaction_shop_orderGid_idx" ON "PointsTransaction"("shop", "orderGid");

-- CreateIndex
CREATE INDEX "PointsTransaction_status_availableAt_idx" ON "PointsTransaction"("status", "availableAt");

-- CreateIndex
CREATE UNIQUE INDEX "PointsTransaction_shop_sourceKey_key" ON "PointsTransaction"("shop", "sourceKey");
