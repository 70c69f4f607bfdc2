// A separate worker process for app/jobs/claim.server.test.ts: connects, prints "ready", waits for a
// line on stdin (the parent's start signal, sent once every child is ready), then claims due rewards
// in small batches until none are left, and prints the ids it got as JSON.
// Usage: tsx test/support/claim-child.ts <workerId> <batchSize>
import { createInterface } from "node:readline";
import { createDb } from "~/db.server";
import { claimDueRewards } from "~/jobs/claim.server";

const [workerId, batch] = process.argv.slice(2);
const db = createDb(process.env.DATABASE_URL);
const claimed: string[] = [];
await db.reward.count(); // connect before the start signal
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once("line", () => resolve()));
lines.close();
for (let empty = 0; empty < 3; ) {
  const got = await claimDueRewards(db, { workerId, now: new Date(), limit: Number(batch), leaseMs: 10 * 60_000 });
  claimed.push(...got.map((r) => r.id));
  empty = got.length === 0 ? empty + 1 : 0;
}
await db.$disconnect();
process.stdout.write(JSON.stringify(claimed));
