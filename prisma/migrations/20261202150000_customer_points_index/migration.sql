-- CreateIndex
CREATE INDEX "Customer_shop_pointsBalance_idx" ON "Customer"("shop", "pointsBalance");
