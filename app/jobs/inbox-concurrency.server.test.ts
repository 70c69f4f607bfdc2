// How many webhook deliveries a worker applies at once, and that the setting reaches the inbox:
// the worker inside the app process applies one at a time on both databases (it shares the event
// loop with the requests Shopify waits on); `npm run worker` uses lanes on PostgreSQL.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { inboxConcurrency } from "~/services/webhooks/apply.server";
import type * as ApplyModule from "~/services/webhooks/apply.server";
import type * as ClaimRowsModule from "~/claim-rows.server";
import type * as WorkerModule from "./worker.server";

const seen = vi.hoisted(() => ({ drains: [] as unknown[], started: [] as Record<string, unknown>[], provider: "postgresql" as "postgresql" | "sqlite" }));

vi.mock("~/services/webhooks/apply.server", async (original) => ({
  ...(await original<typeof ApplyModule>()),
  drainWebhookInbox: vi.fn(async (_deps: unknown, options: unknown) => {
    seen.drains.push(options);
    return { claimed: 0, applied: 0, retried: 0, dead: 0 };
  }),
}));
vi.mock("~/claim-rows.server", async (original) => ({
  ...(await original<typeof ClaimRowsModule>()),
  currentProvider: () => seen.provider,
}));
vi.mock("./worker.server", async (original) => ({
  ...(await original<typeof WorkerModule>()),
  startWorker: vi.fn((_deps: unknown, options: Record<string, unknown>) => {
    seen.started.push(options);
    return { workerId: String(options.workerId), stop: async () => undefined, done: Promise.resolve() };
  }),
}));

beforeEach(() => {
  seen.drains.length = 0;
  seen.started.length = 0;
});

describe("inboxConcurrency", () => {
  it("is 1 in the app process on both databases, 8 for a worker process on PostgreSQL, 1 on SQLite", () => {
    expect(inboxConcurrency("postgresql", "app")).toBe(1);
    expect(inboxConcurrency("sqlite", "app")).toBe(1);
    expect(inboxConcurrency("postgresql", "worker")).toBe(8);
    expect(inboxConcurrency("sqlite", "worker")).toBe(1);
  });
});

describe("the setting reaches the inbox", () => {
  it("GIVEN the periodic tasks with inboxConcurrency 1 WHEN the inbox task runs THEN it drains with concurrency 1; without it, with the inbox's default", async () => {
    const { periodicTasks } = await import("./tasks.server");
    const log = { warn: vi.fn(), debug: vi.fn() } as never;
    const inboxTask = (settings: Parameters<typeof periodicTasks>[0]) => periodicTasks(settings).find((t) => t.name === "webhook inbox")!;
    await inboxTask({ recoveryEveryMs: 1, reconcileAfterMs: 0, reconcileEveryMs: 1, inboxConcurrency: 1 }).run({} as never, log);
    await inboxTask({ recoveryEveryMs: 1, reconcileAfterMs: 0, reconcileEveryMs: 1 }).run({} as never, log);
    expect(seen.drains).toEqual([{ concurrency: 1 }, {}]);
  });

  it("GIVEN PostgreSQL WHEN the worker starts inside the app process THEN one delivery at a time; as `npm run worker` THEN 8 lanes", async () => {
    const { startConfiguredWorker } = await import("./start.server");
    seen.provider = "postgresql";
    await startConfiguredWorker({ workerIdPrefix: "app:", inProcess: true });
    await startConfiguredWorker({});
    expect(seen.started.map((o) => o.inboxConcurrency)).toEqual([1, 8]);
  });
});
