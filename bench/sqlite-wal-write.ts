// What a WAL checkpoint costs the thread that commits (not a test: it prints figures; record them in
// bench/RESULTS.md).
//
//   npx tsx bench/sqlite-wal-write.ts [--rows 20000] [--batch 10] [--body-bytes 7200] [--rounds 2]
//
// Writes `rows` webhook-delivery-sized rows (the WebhookDelivery table's columns and indexes, a
// `body-bytes` payload, `batch` rows per INSERT as the recorder's group commit does) into a scratch
// SQLite file in WAL mode with synchronous=NORMAL, with libSQL directly, two ways, alternating:
//   auto   — SQLite's automatic checkpoint (wal_autocheckpoint = 1 000 pages): the committing
//            statement copies the log back when it passes 1 000 pages;
//   thread — the app's way (app/sqlite-checkpointer.server.ts): a thread of its own checkpoints,
//            the connection only past its backstop (BACKSTOP_PAGES).
// Prints the time per row spent on the writing thread, and the largest log seen.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "libsql";
import { BACKSTOP_PAGES, startWalCheckpointer } from "~/sqlite-checkpointer.server";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "20000" },
    batch: { type: "string", default: "10" },
    "body-bytes": { type: "string", default: "7200" },
    rounds: { type: "string", default: "2" },
  },
});
const ROWS = Number(args.rows);
const BATCH = Number(args.batch);
const BODY_BYTES = Number(args["body-bytes"]);
const ROUNDS = Number(args.rounds);
for (const [name, value] of Object.entries({ rows: ROWS, batch: BATCH, "body-bytes": BODY_BYTES, rounds: ROUNDS })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
}

const dir = mkdtempSync(path.join(tmpdir(), "wal-write-"));
const body = JSON.stringify({ note: "x".repeat(Math.max(0, BODY_BYTES - 12)) });
const insert = `INSERT INTO "WebhookDelivery" ("id", "shop", "webhookId", "topic", "apiVersion", "triggeredAt", "payload", "receivedAt", "nextAttemptAt", "attempts") VALUES ${Array(BATCH).fill("(?, ?, ?, ?, ?, ?, ?, ?, ?, 0)").join(", ")} ON CONFLICT ("shop", "webhookId") DO NOTHING RETURNING "shop", "webhookId"`;

async function run(mode: "auto" | "thread", round: number): Promise<{ usPerRow: number; maxWalMb: number }> {
  const file = path.join(dir, `${mode}-${round}.sqlite`);
  const db = new Database(file);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 10000");
  // The table as prisma/migrations creates it.
  db.exec(`CREATE TABLE "WebhookDelivery" ("id" TEXT NOT NULL PRIMARY KEY, "shop" TEXT NOT NULL, "webhookId" TEXT NOT NULL, "topic" TEXT NOT NULL, "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "apiVersion" TEXT, "triggeredAt" DATETIME, "payload" TEXT, "attempts" INTEGER NOT NULL DEFAULT 0, "nextAttemptAt" DATETIME, "claimedBy" TEXT, "claimedUntil" DATETIME, "lastError" TEXT, "appliedAt" DATETIME, "deadAt" DATETIME)`);
  db.exec(`CREATE UNIQUE INDEX "WebhookDelivery_shop_webhookId_key" ON "WebhookDelivery"("shop", "webhookId")`);
  db.exec(`CREATE INDEX "WebhookDelivery_nextAttemptAt_idx" ON "WebhookDelivery"("nextAttemptAt")`);
  const checkpointer = mode === "thread" ? startWalCheckpointer(file, { onStopped: (reason) => console.error(`checkpoint thread stopped: ${reason}`) }) : undefined;
  if (checkpointer) {
    await checkpointer.ready;
    db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }
  let busyNs = 0n;
  let maxWal = 0;
  for (let written = 0; written < ROWS; written += BATCH) {
    const params: unknown[] = [];
    const now = new Date().toISOString();
    for (let i = 0; i < BATCH; i++) params.push(randomUUID(), "bench.myshopify.com", randomUUID(), "orders/create", "2026-10", now, body, now, now);
    const started = process.hrtime.bigint();
    db.prepare(insert).all(params);
    busyNs += process.hrtime.bigint() - started;
    // Let the thread run between commits, as the event loop does between requests.
    if (written % (BATCH * 20) === 0) {
      maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await checkpointer?.stop();
  db.close();
  return { usPerRow: Number(busyNs / 1000n) / ROWS, maxWalMb: maxWal / 1e6 };
}

console.log(`${ROWS} rows of ${(body.length / 1024).toFixed(1)} KB, ${BATCH} per INSERT, WAL + synchronous=NORMAL`);
for (let round = 1; round <= ROUNDS; round++) {
  for (const mode of ["auto", "thread"] as const) {
    const r = await run(mode, round);
    console.log(`  ${mode.padEnd(6)} ${r.usPerRow.toFixed(0).padStart(5)} µs per row on the writing thread   largest log ${r.maxWalMb.toFixed(1)} MB`);
  }
}
rmSync(dir, { recursive: true, force: true });
