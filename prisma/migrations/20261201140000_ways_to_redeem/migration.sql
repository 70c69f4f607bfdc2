-- Ways to redeem (docs/decisions/020-ways-to-redeem.md): a redemption option may be limited to
-- products or collections, and may let the customer choose how many points to convert (variable
-- "points for amount off"). A redemption records the points the customer chose. Additive only.

-- AlterTable
ALTER TABLE "RewardTemplate" ADD COLUMN "appliesTo" TEXT NOT NULL DEFAULT 'ALL';
ALTER TABLE "RewardTemplate" ADD COLUMN "appliesToIds" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "RewardTemplate" ADD COLUMN "catalogTitles" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "RewardTemplate" ADD COLUMN "pointsMin" INTEGER;
ALTER TABLE "RewardTemplate" ADD COLUMN "pointsMax" INTEGER;
ALTER TABLE "RewardTemplate" ADD COLUMN "pointsStep" INTEGER;

-- AlterTable
ALTER TABLE "Redemption" ADD COLUMN "points" INTEGER;
