-- Failure reasons are data (docs/decisions/013-failure-reasons-as-data.md): Reward.failureReason
-- ("code: message" text) becomes failureCode + failureMessage (+ failureDetail, Shopify's raw error);
-- RewardEvent gets reasonCode. Reward templates learn the free product's productId / variantId.

-- AlterTable
ALTER TABLE "RewardTemplate" ADD COLUMN "productId" TEXT;
ALTER TABLE "RewardTemplate" ADD COLUMN "variantId" TEXT;

-- AlterTable
ALTER TABLE "RewardEvent" ADD COLUMN "reasonCode" TEXT;

-- AlterTable
ALTER TABLE "Reward" ADD COLUMN "failureCode" TEXT;
ALTER TABLE "Reward" ADD COLUMN "failureMessage" TEXT;
ALTER TABLE "Reward" ADD COLUMN "failureDetail" TEXT;

-- Existing rows: the reconciliation's "changed in Shopify", the worker's "code: message", or a bare
-- code. A prefix that is not a code (only a–z and _) keeps the whole text as the message, code unknown.
UPDATE "Reward" SET "failureCode" = 'changed_in_shopify' WHERE "failureReason" = 'changed in Shopify';
UPDATE "Reward"
  SET "failureCode" = lower(trim(substr("failureReason", 1, instr("failureReason", ':') - 1))),
      "failureMessage" = trim(substr("failureReason", instr("failureReason", ':') + 1))
  WHERE "failureCode" IS NULL AND instr("failureReason", ':') > 1
    AND lower(trim(substr("failureReason", 1, instr("failureReason", ':') - 1))) NOT GLOB '*[^a-z_]*';
UPDATE "Reward" SET "failureCode" = lower(trim("failureReason"))
  WHERE "failureCode" IS NULL AND "failureReason" IS NOT NULL AND lower(trim("failureReason")) NOT GLOB '*[^a-z_]*' AND trim("failureReason") <> '';
UPDATE "Reward" SET "failureCode" = 'unknown', "failureMessage" = "failureReason"
  WHERE "failureCode" IS NULL AND "failureReason" IS NOT NULL;

-- Events that moved a reward to Failed carried "code: message" as their reason.
UPDATE "RewardEvent" SET "reasonCode" = lower(trim(substr("reason", 1, instr("reason", ':') - 1)))
  WHERE "toStatus" = 'FAILED' AND instr("reason", ':') > 1
    AND lower(trim(substr("reason", 1, instr("reason", ':') - 1))) NOT GLOB '*[^a-z_]*';

ALTER TABLE "Reward" DROP COLUMN "failureReason";
