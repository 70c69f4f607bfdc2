// The signed-in customer tells the shop their birthday (month and day only; no year is kept), for
// the points program's yearly birthday bonus (app/services/points/periodic.server.ts).
import type { Db } from "~/db.server";
import { parseBirthday } from "~/domain/points";
import { BIRTHDAY_MESSAGES } from "~/copy/storefront";
import { ensureCustomer } from "~/services/points/customers.server";
import { readStorefrontJson } from "./body.server";
import { loadPointsInfo } from "./program.server";

export type BirthdayOutcome =
  | { ok: true; birthday: string; message: string }
  | { ok: false; status: number; code: "invalid_request" | "unsupported_media_type" | "payload_too_large" | "birthday_already_set" | "birthday_bonus_off"; message: string };

/**
 * Body `{"birthday": "MM-DD" | "YYYY-MM-DD"}`; anything else is refused with a clear message.
 * Set once: a birthday that could be changed at will would earn a birthday bonus whenever asked
 * (the bonus is keyed per year, but a later date in the year would still pay a first one). The same
 * date again is accepted (a retried request); another date is refused (409) and nothing changes.
 * Only while the shop gives a birthday bonus (the program on, a bonus above 0 — what the widget's
 * form is shown for, `loadPointsInfo`): otherwise 409 `birthday_bonus_off` and nothing is stored,
 * no personal data is kept for nothing (docs/decisions/019-points-ledger-and-earning.md).
 */
export async function setBirthday(db: Db, input: { shop: string; customerGid: string; request: Request; now: Date }): Promise<BirthdayOutcome> {
  const read = await readStorefrontJson(input.request, { notJson: BIRTHDAY_MESSAGES.notJson, invalid: BIRTHDAY_MESSAGES.invalid });
  if (!read.ok) return read;
  const birthday = parseBirthday(read.body.birthday, input.now);
  if (!birthday) return { ok: false, status: 400, code: "invalid_request", message: BIRTHDAY_MESSAGES.invalid };
  if ((await loadPointsInfo(db, input.shop)).birthdayBonus <= 0) return { ok: false, status: 409, code: "birthday_bonus_off", message: BIRTHDAY_MESSAGES.bonusOff };
  const customer = await ensureCustomer(db, { shop: input.shop, customerGid: input.customerGid, now: input.now });
  // Compare-and-set: of two concurrent first answers, one is kept and the other is refused.
  const set = await db.customer.updateMany({ where: { id: customer.id, birthday: null }, data: { birthday } });
  if (set.count === 0) {
    const current = await db.customer.findUniqueOrThrow({ where: { id: customer.id }, select: { birthday: true } });
    if (current.birthday !== birthday) return { ok: false, status: 409, code: "birthday_already_set", message: BIRTHDAY_MESSAGES.alreadySet };
  }
  return { ok: true, birthday, message: BIRTHDAY_MESSAGES.saved };
}
