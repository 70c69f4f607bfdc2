-- AlterTable
ALTER TABLE "VipProgram" ADD COLUMN     "placementHeldAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "VipTier" ADD COLUMN     "thresholdBasis" TEXT;

-- Backfill (docs/decisions/022, "thresholds under review"): a tier's threshold was typed for its
-- program's basis (no program row: the default, points earned) ...
UPDATE "VipTier" SET "thresholdBasis" = COALESCE((SELECT "basis" FROM "VipProgram" WHERE "VipProgram"."shop" = "VipTier"."shop"), 'POINTS_EARNED');
-- ... except the tiers marked typed as points when the basis switched to amount spent (the
-- "POINTS" value that stood in the currency column): typed as points, still under review.
UPDATE "VipTier" SET "thresholdBasis" = 'POINTS_EARNED' WHERE "amountCurrency" = 'POINTS';
-- A threshold typed as points is in no currency.
UPDATE "VipTier" SET "amountCurrency" = NULL WHERE "thresholdBasis" = 'POINTS_EARNED';
