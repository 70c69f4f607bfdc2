-- Referrals (docs/decisions/023-referrals.md): the shop's referral program settings, one code per
-- program member, one row per referral (click to reward or rejection) and the keyed hash of a
-- customer's default address for the same-address rule. New tables only.

-- CreateTable
CREATE TABLE "ReferralSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "friendTemplateId" TEXT,
    "referrerTemplateId" TEXT,
    "minimumOrderAmount" TEXT NOT NULL DEFAULT '0',
    "monthlyCapPerReferrer" INTEGER,
    "pendingDays" INTEGER NOT NULL DEFAULT 14,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReferralCode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "codeId" TEXT NOT NULL,
    "referrerCustomerId" TEXT NOT NULL,
    "friendCustomerId" TEXT,
    "visitorToken" TEXT,
    "state" TEXT NOT NULL DEFAULT 'CLICKED',
    "rejectionReason" TEXT,
    "clickedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signedUpAt" DATETIME,
    "qualifiedAt" DATETIME,
    "rewardedAt" DATETIME,
    "rejectedAt" DATETIME,
    "qualifyingOrderGid" TEXT,
    "holdUntil" DATETIME,
    "friendRewardId" TEXT,
    "referrerRewardId" TEXT,
    "issueError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReferralAddressKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "addressKey" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "ReferralCode_shop_code_key" ON "ReferralCode"("shop", "code");

-- CreateIndex
CREATE UNIQUE INDEX "ReferralCode_shop_customerId_key" ON "ReferralCode"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Referral_shop_referrerCustomerId_createdAt_idx" ON "Referral"("shop", "referrerCustomerId", "createdAt");

-- CreateIndex
CREATE INDEX "Referral_shop_qualifyingOrderGid_idx" ON "Referral"("shop", "qualifyingOrderGid");

-- CreateIndex
CREATE INDEX "Referral_state_holdUntil_idx" ON "Referral"("state", "holdUntil");

-- CreateIndex
CREATE INDEX "Referral_shop_state_idx" ON "Referral"("shop", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shop_friendCustomerId_key" ON "Referral"("shop", "friendCustomerId");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shop_codeId_visitorToken_key" ON "Referral"("shop", "codeId", "visitorToken");

-- CreateIndex
CREATE UNIQUE INDEX "ReferralAddressKey_shop_customerId_key" ON "ReferralAddressKey"("shop", "customerId");
