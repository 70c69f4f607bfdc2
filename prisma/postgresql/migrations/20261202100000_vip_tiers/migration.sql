-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "vipTierId" TEXT,
ADD COLUMN     "vipTierSince" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "VipProgram" (
    "shop" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "basis" TEXT NOT NULL DEFAULT 'POINTS_EARNED',
    "period" TEXT NOT NULL DEFAULT 'LIFETIME',
    "skippedTierRewards" TEXT NOT NULL DEFAULT 'ALL',
    "lastPeriodKey" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VipProgram_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "VipTier" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "threshold" TEXT NOT NULL,
    "entryRewardTemplateId" TEXT,
    "pointsMultiplier" TEXT NOT NULL DEFAULT '1',
    "perkText" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VipTier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VipTierChange" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "fromTierId" TEXT,
    "fromTierName" TEXT,
    "toTierId" TEXT,
    "toTierName" TEXT,
    "direction" TEXT NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "periodKey" TEXT NOT NULL,
    "orderGid" TEXT,
    "rewardTierIds" TEXT NOT NULL DEFAULT '[]',
    "rewardsQueuedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VipTierChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VipOrder" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "refunded" TEXT NOT NULL DEFAULT '0',
    "refundIds" TEXT NOT NULL DEFAULT '[]',
    "canceled" BOOLEAN NOT NULL DEFAULT false,
    "orderedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VipOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VipEvaluationJob" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'RUNNING',
    "reasonCode" TEXT NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "VipEvaluationJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "VipTier_shop_name_key" ON "VipTier"("shop", "name");

-- CreateIndex
CREATE INDEX "VipTierChange_shop_customerId_createdAt_idx" ON "VipTierChange"("shop", "customerId", "createdAt");

-- CreateIndex
CREATE INDEX "VipTierChange_shop_rewardsQueuedAt_idx" ON "VipTierChange"("shop", "rewardsQueuedAt");

-- CreateIndex
CREATE INDEX "VipOrder_shop_customerId_orderedAt_idx" ON "VipOrder"("shop", "customerId", "orderedAt");

-- CreateIndex
CREATE UNIQUE INDEX "VipOrder_shop_orderGid_key" ON "VipOrder"("shop", "orderGid");

-- CreateIndex
CREATE INDEX "VipEvaluationJob_shop_status_idx" ON "VipEvaluationJob"("shop", "status");

-- CreateIndex
CREATE INDEX "VipEvaluationJob_status_updatedAt_idx" ON "VipEvaluationJob"("status", "updatedAt");
