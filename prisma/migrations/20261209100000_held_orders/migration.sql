-- AlterTable
ALTER TABLE "PointsTransaction" ADD COLUMN "testOrder" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "heldOrdersDueAt" DATETIME;

-- CreateIndex
CREATE INDEX "Shop_heldOrdersDueAt_idx" ON "Shop"("heldOrdersDueAt");

-- Backfill (docs/decisions/015, "earning and the referral minimum wait for the confirm", addendum of
-- 3 December 2026): an order's test flag was kept as the start of its held or earned row's note
-- ("Test order", TEST_ORDER_NOTE in app/services/points/order-points.server.ts, always first).
UPDATE "PointsTransaction" SET "testOrder" = true WHERE "reason" IN ('EARNING_HELD', 'EARNED') AND substr("note", 1, 10) = 'Test order';
