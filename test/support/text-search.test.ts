// findText (the erasure tests' search of every text column) finds a needle wherever data holds it, and
// not inside a whole value the app generated (a row id, a SHA-256 digest) by chance: "8842" inside a
// UUID made a redaction test fail one run in many, with nothing personal left behind.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { findText } from "./text-search";

describe("findText", () => {
  it("GIVEN a needle inside a row's UUID id and inside a body's SHA-256 digest, and in a body's text THEN only the text is a hit", async () => {
    const shop = "text-search.myshopify.com";
    const digest = "ab".repeat(10) + "8842" + "cd".repeat(20);
    await db.webhookDelivery.create({ data: { id: "50d57227-3407-4a57-8842-3223bcc0ed1c", shop, webhookId: "ts-1", topic: "refunds/create", payload: "{}", bodyHash: digest, nextAttemptAt: new Date() } });
    await db.webhookDelivery.create({ data: { shop, webhookId: "ts-2", topic: "refunds/create", payload: '{"credit_card_number":"•••• 8842"}', nextAttemptAt: new Date() } });
    const hits = (await findText(db, ["8842"])).filter((h) => h.table === "WebhookDelivery");
    expect(hits.map((h) => [h.column, h.value])).toEqual([["payload", '{"credit_card_number":"•••• 8842"}']]);
  });
});
