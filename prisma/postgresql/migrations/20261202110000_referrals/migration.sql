-- Referrals (docs/decisions/023-referrals.md): the shop's referral program settings, one code per
-- program member, one row per referral (click to reward or rejection) and the keyed hash of a
-- customer's default address for the same-address rule. New tables only.

-- CreateTable
CREATE TABLE "ReferralSettings" (
    "shop" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "friendTemplateId" TEXT,
    "referrerTemplateId" TEXT,
    "minimumOrderAmount" TEXT NOT NULL DEFAULT '0',
    "monthlyCapPerReferrer" INTEGER,
    "pendingDays" INTEGER NOT NULL DEFAULT 14,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReferralSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ReferralCode" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" TIMESTAMP(3),

    CONSTRAINT "ReferralCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "codeId" TEXT NOT NULL,
    "referrerCustomerId" TEXT NOT NULL,
    "friendCustomerId" TEXT,
    "visitorToken" TEXT,
    "state" TEXT NOT NULL DEFAULT 'CLICKED',
    "rejectionReason" TEXT,
    "clickedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signedUpAt" TIMESTAMP(3),
    "qualifiedAt" TIMESTAMP(3),
    "rewardedAt" TIMESTAMP(3),
    "rejectedAt" TIMESTAMP(3),
    "qualifyingOrderGid" TEXT,
    "holdUntil" TIMESTAMP(3),
    "friendRewardId" TEXT,
    "referrerRewardId" TEXT,
    "issueError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferralAddressKey" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "addressKey" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReferralAddressKey_pkey" PRIMARY KEY ("id")
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
