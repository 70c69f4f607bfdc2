// PostgreSQL only: connections killed under the app (a restart, a failover, pg_terminate_backend)
// must not leave the pool without clients. Before app/pg-pool.server.ts each transaction whose
// connection died leaked one of the pool's 10 clients, and after ten of them every query waited
// forever (found by `npm run soak:webhooks`).
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "~/db.server";
import { testDatabaseProvider } from "../test/setup/databases";

describe.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL pool and lost connections", () => {
  const url = process.env.DATABASE_URL!;
  const db = createDb(url);
  const admin = new pg.Client({ connectionString: url });
  afterAll(async () => {
    await db.$disconnect();
    await admin.end();
  });

  it("a transaction whose connection is killed fails, and the pool still serves every later query", async () => {
    await admin.connect();
    const killed: string[] = [];
    // More than the pool's 10 clients: without the fix the 11th transaction never starts.
    for (let i = 0; i < 12; i++) {
      const outcome = await db
        .$transaction(async (tx) => {
          const [{ pid }] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          await admin.query("SELECT pg_terminate_backend($1)", [pid]);
          await tx.$queryRaw`SELECT 1`;
          return "committed";
        })
        .catch((error: Error) => error.message);
      killed.push(outcome);
    }
    expect(killed.every((m) => /terminating connection|not queryable|Connection terminated|closed/i.test(m))).toBe(true);
    // The pool recovered: plain queries and a transaction run on new connections.
    expect(await db.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(await db.$transaction(async (tx) => (await tx.$queryRaw<{ two: number }[]>`SELECT 2 AS two`)[0].two)).toBe(2);
  });
});
