-- AlterTable (docs/decisions/013, addendum of 3 December 2026: a code removal the app stopped retrying)
ALTER TABLE "Reward" ADD COLUMN     "codeRemovalGaveUpAt" TIMESTAMP(3);
