// GIVEN errors that quote the values they were given — Prisma's validation error (the whole call),
//       the database's refusal of a value (PostgreSQL), JSON.parse's SyntaxError (the text around
//       the fault), the Shopify library's GraphQL error (Shopify's words, which echo a code) —
//       thrown by real calls on the real database (SQLite or PostgreSQL)
// WHEN the app logs them (`err`, app/logger.server.ts) or the webhook inbox stores one as a
//      delivery's lastError
// THEN no customer's email, name or reward code is written: a log line is out of customers/redact's
//      reach (docs/decisions/015, addendum "errors are written down without their values"); the
//      kind of failure, the model, fields and Prisma code stay.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GraphqlQueryError } from "@shopify/shopify-api";
import db, { directSql, providerOf } from "~/db.server";
import { logger } from "~/logger.server";
import { applyDueDeliveries, recordDelivery, type WebhookEffects } from "~/services/webhooks/inbox.server";
import { allowErrorLogs } from "../test/support/error-logs";

const SHOP = "error-for-log.myshopify.com";
const EMAIL = "quinn.errorlog@example.com";
const NAME = "Quinn Errorlog";
const CODE = "LOYAL-QX7Z9K2M";

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** A create whose Date is invalid: Prisma refuses it before any SQL, printing the call with its values. */
const invalidCreate = () =>
  db.customer.create({ data: { shop: SHOP, shopifyCustomerId: `gid://shopify/Customer/${Date.now()}`, email: EMAIL, displayName: NAME, createdAt: new Date(Number.NaN) } });

function loggedOnce(logs: ReturnType<typeof allowErrorLogs>, from: number) {
  const entries = logs.entries.slice(from);
  expect(entries).toHaveLength(1);
  const entry = entries[0]!;
  if (entry.source !== "pino") throw new Error("expected a pino line");
  return entry.record;
}

describe("errors are logged without the values they quote", () => {
  it("GIVEN Prisma's validation error for a customer's create WHEN logged THEN the line names the call and the argument, not the email or name", async () => {
    const logs = allowErrorLogs(); // these lines are the subject of the test
    const error = await caught(invalidCreate);
    expect(String((error as Error).message)).toContain(EMAIL); // what Prisma says, as is
    logger.error({ err: error, shop: SHOP }, "creating the customer failed");
    const line = loggedOnce(logs, 0);
    expect(JSON.stringify(line)).not.toContain(EMAIL);
    expect(JSON.stringify(line)).not.toContain(NAME);
    expect(line.err).toMatchObject({ type: "PrismaClientValidationError", message: expect.stringMatching(/^Invalid `.*customer\.create\(\)` invocation: .*createdAt/) });
    expect((line.err as { stack?: string }).stack).toMatch(/^PrismaClientValidationError: Invalid `[^\n]*\n\s+at /);
  });

  it("GIVEN a unique constraint refusing a second customer with the same Shopify id WHEN logged THEN the line keeps Prisma's code, the refusal and the constraint's fields, without the row's values", async () => {
    const logs = allowErrorLogs(); // the line is the subject of the test
    const gid = `gid://shopify/Customer/${Date.now() + 1}`;
    await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: gid, email: "first.unique@example.com", displayName: "First Unique" } });
    const error = await caught(() => db.customer.create({ data: { shop: SHOP, shopifyCustomerId: gid, email: EMAIL, displayName: NAME } }));
    logger.error({ err: error }, "creating the customer failed");
    const line = loggedOnce(logs, 0);
    expect(JSON.stringify(line)).not.toContain(EMAIL);
    expect(JSON.stringify(line)).not.toContain(gid);
    expect(line.err).toMatchObject({ type: "PrismaClientKnownRequestError", code: "P2002", message: expect.stringMatching(/P2002 UniqueConstraintViolation on Customer .*shopifyCustomerId/) });
  });

  it.runIf(providerOf(process.env.DATABASE_URL ?? "") === "postgresql")(
    "GIVEN PostgreSQL refusing a value (`invalid input syntax for type integer: \"<value>\"`) WHEN logged THEN the line has the refusal's kind and code, not the value",
    async () => {
      const logs = allowErrorLogs(); // these lines are the subject of the test
      const direct = await caught(() => directSql(db).query(`SELECT CAST(? AS INTEGER) AS "n"`, [EMAIL]));
      const prisma = await caught(() => db.$queryRawUnsafe(`SELECT CAST($1 AS INTEGER) AS "n"`, EMAIL));
      for (const error of [direct, prisma]) logger.error({ err: error }, "query failed");
      for (const i of [0, 1]) {
        const line = JSON.stringify(logs.entries[i]);
        expect(line).not.toContain(EMAIL);
        expect(line).toContain("InvalidInputValue");
      }
    },
  );

  it("GIVEN JSON.parse failing on a body with an email WHEN logged THEN the quoted text around the fault is gone", () => {
    const logs = allowErrorLogs(); // the line is the subject of the test
    let error: unknown;
    try {
      JSON.parse(`{"email": ${EMAIL}}`);
    } catch (e) {
      error = e;
    }
    expect(String((error as Error).message)).toContain("quinn"); // V8 quotes the text
    logger.error({ err: error }, "body unreadable");
    const line = loggedOnce(logs, 0);
    expect(JSON.stringify(line)).not.toContain("quinn");
    expect(line.err).toMatchObject({ type: "SyntaxError" });
  });

  it("GIVEN the Shopify library's GraphQL error echoing a reward code WHEN logged THEN only its kind is written, not Shopify's words or body", () => {
    const logs = allowErrorLogs(); // the line is the subject of the test
    const message = `Code ${CODE} has already been taken`;
    const error = new GraphqlQueryError({ message, response: { errors: [{ message }] } as never, body: { errors: [{ message }] } as never });
    logger.error({ err: error }, "Admin API call failed");
    const line = loggedOnce(logs, 0);
    expect(JSON.stringify(line)).not.toContain(CODE);
    expect(line.err).toMatchObject({ type: "GraphqlQueryError" });
  });
});

describe("a webhook delivery's lastError", () => {
  it("GIVEN an effect failing with Prisma's validation error on the body's customer WHEN the inbox applies it THEN neither lastError nor the log line holds their email or name", async () => {
    const logs = allowErrorLogs(); // the dead letter is logged as an error
    const shop = `lasterror-${randomUUID().slice(0, 8)}.myshopify.com`;
    await recordDelivery(db, { shop, topic: "orders/create", webhookId: randomUUID(), apiVersion: "2026-10", triggeredAt: null, rawBody: "{}", payload: {} }, new Date(Date.now() - 1_000));
    const effects = { "orders/create": [async () => invalidCreate()] } as unknown as WebhookEffects;
    const summary = await applyDueDeliveries(db, effects, { workerId: "lasterror", now: () => new Date(), batchSize: 10, leaseMs: 60_000, concurrency: 1, retryPolicy: { maxAttempts: 1, baseMs: 1, maxMs: 1 } });
    expect(summary).toMatchObject({ claimed: 1, dead: 1 });
    const row = await db.webhookDelivery.findFirstOrThrow({ where: { shop } });
    expect(row.lastError).toMatch(/^PrismaClientValidationError: Invalid `.*customer\.create\(\)` invocation/);
    expect(row.lastError).not.toContain(EMAIL);
    expect(row.lastError).not.toContain(NAME);
    expect(JSON.stringify(logs.entries)).not.toContain(EMAIL);
    expect(JSON.stringify(logs.entries)).not.toContain(NAME);
  });
});
