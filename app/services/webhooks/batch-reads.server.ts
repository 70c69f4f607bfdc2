// The shop-wide settings every orders/create effect reads — the points program, the VIP program, the
// referral program — read once per inbox batch instead of once per delivery per effect: three of the
// seven to nine statements an order cost (bench/RESULTS.md, "Webhook ingest").
//
// `withSettingsReadOnce(db)` is the database as the batch's effects see it: `findUnique` on those
// three models (and the currency read below) is answered from the first read of the same arguments; every other call goes to the
// database untouched, and any other call on one of those models (a write, an erasure by shop/redact)
// forgets what was read. A setting the merchant saves while a batch is being applied therefore takes
// effect from the next batch (one batch is at most DEFAULT_INBOX_OPTIONS.batchSize deliveries):
// the same as if the deliveries had been applied a moment earlier, which Shopify's delivery timing
// never promises anyway.
//
// The shop's currency (`shopCurrencyOf`, app/services/lifecycle/amount-currency.server.ts) is read the
// same way: every orders/create effect that weighs an amount typed in a currency asks it (points
// earning, the referral minimum), so without this an order of a shop with both programs read it twice.
// Only that read (`select` of `currency` alone) is kept: the lifecycle's and the privacy effects' own
// reads of the Shop row go to the database as before, and any write to a Shop row forgets it.
import type { Db } from "~/db.server";

/** Which `findUnique` calls of each model a batch answers from its first read. */
const CACHED_READS: Readonly<Record<string, (args: unknown) => boolean>> = {
  programSettings: () => true,
  vipProgram: () => true,
  referralSettings: () => true,
  shop: (args) => isCurrencyOnlySelect(args),
};

function isCurrencyOnlySelect(args: unknown): boolean {
  const select = typeof args === "object" && args !== null ? (args as { select?: unknown }).select : undefined;
  return typeof select === "object" && select !== null && Object.keys(select).length === 1 && (select as { currency?: unknown }).currency === true;
}

type Delegate = Record<string, (...args: unknown[]) => Promise<unknown>>;

export function withSettingsReadOnce(db: Db): Db {
  const reads = new Map<string, Promise<unknown>>();
  const delegates = new Map<string, Delegate>();
  const forget = (model: string) => {
    for (const key of reads.keys()) if (key.startsWith(`${model}\n`)) reads.delete(key);
  };
  const cached = (model: string): Delegate => {
    const real = (db as unknown as Record<string, Delegate>)[model];
    return new Proxy(real, {
      get(target, method) {
        const fn = Reflect.get(target, method, target) as unknown;
        if (typeof fn !== "function") return fn;
        if (method !== "findUnique") {
          return (...args: unknown[]) => {
            forget(model);
            return (fn as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (args: unknown) => {
          if (!CACHED_READS[model](args)) return (fn as (a: unknown) => Promise<unknown>).call(target, args);
          const key = `${model}\n${JSON.stringify(args)}`;
          let read = reads.get(key);
          if (!read) {
            // `.then` runs Prisma's lazy query once and gives one promise every caller can share.
            read = (fn as (a: unknown) => Promise<unknown>).call(target, args).then((row) => row);
            reads.set(key, read);
            // A failed read is not remembered: the next caller asks the database again.
            read.catch(() => reads.get(key) === read && reads.delete(key));
          }
          return read;
        };
      },
    });
  };
  return new Proxy(db, {
    get(target, property) {
      if (typeof property === "string" && Object.hasOwn(CACHED_READS, property)) {
        let delegate = delegates.get(property);
        if (!delegate) delegates.set(property, (delegate = cached(property)));
        return delegate;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
