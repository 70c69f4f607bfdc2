-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN "bodyHash" TEXT;
