-- CreateTable
CREATE TABLE "BulkIssueJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "templateName" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'QUEUED',
    "total" INTEGER NOT NULL DEFAULT 0,
    "inFlight" INTEGER NOT NULL DEFAULT 0,
    "issued" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "unmatched" INTEGER NOT NULL DEFAULT 0,
    "lastErrorCode" TEXT,
    "lastErrorMessage" TEXT,
    "apiRestoreRate" INTEGER,
    "apiCostPerReward" INTEGER,
    "claimedBy" TEXT,
    "claimedUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "pausedAt" DATETIME,
    "finishedAt" DATETIME,
    "canceledAt" DATETIME
);

-- CreateTable
CREATE TABLE "BulkIssueItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'WAITING',
    "rewardId" TEXT,
    "reasonCode" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "BulkIssueJob_shop_createdAt_idx" ON "BulkIssueJob"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "BulkIssueJob_state_idx" ON "BulkIssueJob"("state");

-- CreateIndex
CREATE INDEX "BulkIssueItem_jobId_state_idx" ON "BulkIssueItem"("jobId", "state");

-- CreateIndex
CREATE INDEX "BulkIssueItem_shop_idx" ON "BulkIssueItem"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "BulkIssueItem_jobId_customerId_key" ON "BulkIssueItem"("jobId", "customerId");
