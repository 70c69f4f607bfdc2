// The signed-in customer tells the shop their birthday (month and day only; no year is kept), for
// the points program's yearly birthday bonus (app/services/points/periodic.server.ts).
import type { Db } from "~/db.server";
import { parseBirthday } from "~/domain/points";
import { BIRTHDAY_MESSAGES } from "~/copy/storefront";
import { ensureCustomer } from "~/services/points/customers.server";

const MAX_BODY_BYTES = 1024;

export type BirthdayOutcome = { ok: true; birthday: string; message: string } | { ok: false; status: number; code: "invalid_request" | "unsupported_media_type"; message: string };

/** Body `{"birthday": "MM-DD" | "YYYY-MM-DD"}`; anything else is refused with a clear message. */
export async function setBirthday(db: Db, input: { shop: string; customerGid: string; request: Request; now: Date }): Promise<BirthdayOutcome> {
  if (!/^application\/json\b/i.test(input.request.headers.get("content-type") ?? "")) {
    return { ok: false, status: 415, code: "unsupported_media_type", message: BIRTHDAY_MESSAGES.notJson };
  }
  const text = await input.request.text();
  let body: unknown = null;
  try {
    body = Buffer.byteLength(text) <= MAX_BODY_BYTES ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const birthday = parseBirthday(body !== null && typeof body === "object" ? (body as Record<string, unknown>).birthday : undefined);
  if (!birthday) return { ok: false, status: 400, code: "invalid_request", message: BIRTHDAY_MESSAGES.invalid };
  const customer = await ensureCustomer(db, { shop: input.shop, customerGid: input.customerGid, now: input.now });
  await db.customer.update({ where: { id: customer.id }, data: { birthday } });
  return { ok: true, birthday, message: BIRTHDAY_MESSAGES.saved };
}
