-- CreateTable
CREATE TABLE "ReferralHeldOrder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "referralId" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ReferralHeldOrder_shop_referralId_idx" ON "ReferralHeldOrder"("shop", "referralId");

-- CreateIndex
CREATE UNIQUE INDEX "ReferralHeldOrder_shop_orderGid_key" ON "ReferralHeldOrder"("shop", "orderGid");
