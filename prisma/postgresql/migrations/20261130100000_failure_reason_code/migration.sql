-- Failure reasons are data (docs/decisions/013-failure-reasons-as-data.md): Reward.failureReason
-- ("code: message" text) becomes failureCode + failureMessage (+ failureDetail, Shopify's raw error);
-- RewardEvent gets reasonCode. Reward templates learn the free product's productId / variantId.

-- AlterTable
ALTER TABLE "RewardTemplate" ADD COLUMN "productId" TEXT,
ADD COLUMN "variantId" TEXT;

-- AlterTable
ALTER TABLE "RewardEvent" ADD COLUMN "reasonCode" TEXT;

-- AlterTable
ALTER TABLE "Reward" ADD COLUMN "failureCode" TEXT,
ADD COLUMN "failureMessage" TEXT,
ADD COLUMN "failureDetail" TEXT;

-- Existing rows: the reconciliation's "changed in Shopify", the worker's "code: message", or a bare
-- code. A prefix that is not a code (only a–z and _) keeps the whole text as the message, code unknown.
UPDATE "Reward" SET "failureCode" = 'changed_in_shopify' WHERE "failureReason" = 'changed in Shopify';
UPDATE "Reward"
  SET "failureCode" = lower(trim(split_part("failureReason", ':', 1))),
      "failureMessage" = trim(substr("failureReason", strpos("failureReason", ':') + 1))
  WHERE "failureCode" IS NULL AND strpos("failureReason", ':') > 1
    AND lower(trim(split_part("failureReason", ':', 1))) ~ '^[a-z_]+$';
UPDATE "Reward" SET "failureCode" = lower(trim("failureReason"))
  WHERE "failureCode" IS NULL AND lower(trim("failureReason")) ~ '^[a-z_]+$';
UPDATE "Reward" SET "failureCode" = 'unknown', "failureMessage" = "failureReason"
  WHERE "failureCode" IS NULL AND "failureReason" IS NOT NULL;

-- Events that moved a reward to Failed carried "code: message" as their reason.
UPDATE "RewardEvent" SET "reasonCode" = lower(trim(split_part("reason", ':', 1)))
  WHERE "toStatus" = 'FAILED' AND strpos("reason", ':') > 1
    AND lower(trim(split_part("reason", ':', 1))) ~ '^[a-z_]+$';

-- AlterTable
ALTER TABLE "Reward" DROP COLUMN "failureReason";
