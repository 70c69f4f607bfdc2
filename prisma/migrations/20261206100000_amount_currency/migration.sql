-- AlterTable
ALTER TABLE "ProgramSettings" ADD COLUMN "amountCurrency" TEXT;

-- AlterTable
ALTER TABLE "ReferralSettings" ADD COLUMN "amountCurrency" TEXT;

-- AlterTable
ALTER TABLE "RewardTemplate" ADD COLUMN "amountCurrency" TEXT;

-- AlterTable
ALTER TABLE "VipTier" ADD COLUMN "amountCurrency" TEXT;

-- Backfill: amounts saved before this column meant the shop's currency of now (docs/decisions/015,
-- "amounts saved in another currency"). Rows of a shop without a Shop row stay null (read as the shop's).
UPDATE "ProgramSettings" SET "amountCurrency" = (SELECT "currency" FROM "Shop" WHERE "Shop"."domain" = "ProgramSettings"."shop");
UPDATE "ReferralSettings" SET "amountCurrency" = (SELECT "currency" FROM "Shop" WHERE "Shop"."domain" = "ReferralSettings"."shop");
UPDATE "RewardTemplate" SET "amountCurrency" = (SELECT "currency" FROM "Shop" WHERE "Shop"."domain" = "RewardTemplate"."shop");
UPDATE "VipTier" SET "amountCurrency" = (SELECT "currency" FROM "Shop" WHERE "Shop"."domain" = "VipTier"."shop");
