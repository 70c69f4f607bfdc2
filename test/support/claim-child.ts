// A separate worker process for app/jobs/claim.server.test.ts: waits for a common start time, then claims
// due rewards in small batches until none are left, and prints the ids it got as JSON.
// Usage: tsx test/support/claim-child.ts <workerId> <startAtEpochMs> <batchSize>
import { createDb } from "~/db.server";
import { claimDueRewards } from "~/jobs/claim.server";

const [workerId, startAt, batch] = process.argv.slice(2);
const db = createDb(process.env.DATABASE_URL);
const claimed: string[] = [];
await db.reward.count(); // connect before the start line
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let empty = 0; empty < 3; ) {
  const got = await claimDueRewards(db, { workerId, now: new Date(), limit: Number(batch), leaseMs: 10 * 60_000 });
  claimed.push(...got.map((r) => r.id));
  empty = got.length === 0 ? empty + 1 : 0;
}
await db.$disconnect();
process.stdout.write(JSON.stringify(claimed));
