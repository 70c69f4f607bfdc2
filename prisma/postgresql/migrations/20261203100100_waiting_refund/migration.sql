-- CreateTable
CREATE TABLE "WaitingRefund" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "refundId" TEXT NOT NULL,
    "lines" TEXT NOT NULL,
    "taxes" TEXT NOT NULL,
    "shipping" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WaitingRefund_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WaitingRefund_shop_receivedAt_idx" ON "WaitingRefund"("shop", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WaitingRefund_shop_orderGid_refundId_key" ON "WaitingRefund"("shop", "orderGid", "refundId");
