-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "apiVersion" TEXT,
ADD COLUMN     "appliedAt" TIMESTAMP(3),
ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "claimedBy" TEXT,
ADD COLUMN     "claimedUntil" TIMESTAMP(3),
ADD COLUMN     "deadAt" TIMESTAMP(3),
ADD COLUMN     "lastError" TEXT,
ADD COLUMN     "nextAttemptAt" TIMESTAMP(3),
ADD COLUMN     "payload" TEXT,
ADD COLUMN     "triggeredAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "WebhookDelivery_nextAttemptAt_idx" ON "WebhookDelivery"("nextAttemptAt");


-- Deliveries recorded before the inbox existed were applied inline.
UPDATE "WebhookDelivery" SET "appliedAt" = "receivedAt" WHERE "appliedAt" IS NULL;
