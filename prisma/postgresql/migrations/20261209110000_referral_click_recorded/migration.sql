-- AlterTable
ALTER TABLE "Referral" ADD COLUMN     "clickRecorded" BOOLEAN NOT NULL DEFAULT true;

-- Backfill (docs/decisions/023, addendum of 3 December 2026): a referral whose landing click was never
-- recorded was made by the friend's claim, with the claim's time as `clickedAt` — the same instant the
-- claim then wrote as `signedUpAt`, or as `rejectedAt` when the claim rejected it. A recorded click
-- comes in a request of its own, before the claim, so its time is never the claim's.
UPDATE "Referral" SET "clickRecorded" = false WHERE "clickedAt" = "signedUpAt" OR ("signedUpAt" IS NULL AND "clickedAt" = "rejectedAt");
