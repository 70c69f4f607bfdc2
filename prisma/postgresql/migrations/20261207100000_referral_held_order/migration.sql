-- CreateTable
CREATE TABLE "ReferralHeldOrder" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "referralId" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReferralHeldOrder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReferralHeldOrder_shop_referralId_idx" ON "ReferralHeldOrder"("shop", "referralId");

-- CreateIndex
CREATE UNIQUE INDEX "ReferralHeldOrder_shop_orderGid_key" ON "ReferralHeldOrder"("shop", "orderGid");
