// Read models for the merchant's customer pages: the searchable customer index (keyset-paged by
// last activity) and one customer's profile header and points ledger. Scoped by shop first.
import { customerLabel } from "~/copy/admin";
import type { Prisma } from "@prisma/client";
import { providerOf, type Db } from "~/db.server";
import { parseRewardKind } from "~/domain/rewards";
import { characterCount } from "~/domain/text";
import { missingScopesFor } from "~/services/lifecycle/scopes.server";
import { amountsToReview } from "~/services/lifecycle/amount-currency.server";
import { settingsFromRow } from "~/domain/points";
import { keysetPage, newerThan, olderThan, type KeyKind, type KeysetPage, type PageRequest } from "./keyset.server";
import { POINTS_LEDGER_LABELS } from "~/copy/admin";
import { customerAdminUrl, orderAdminUrl } from "./links.server";

export interface CustomerRow {
  id: string;
  name: string;
  email: string | null;
  pointsBalance: number;
  vipTier: string | null;
  rewardCount: number;
  /** ISO 8601. */
  lastActivityAt: string;
}

/** The longest search text we accept (in characters, once normalized); a longer one is refused. */
export const MAX_SEARCH_LENGTH = 100;

/** A search as the lists compare it: NFC, trimmed, runs of spaces as one. Never cut (see parseSearch). */
export function normalizeSearch(value: string | null | undefined): string {
  // NFC: an "é" typed as "e" + a combining accent is the one character Shopify stores.
  return (value ?? "").normalize("NFC").trim().replace(/\s+/g, " ");
}

export const SEARCH_TOO_LONG = `A search has at most ${MAX_SEARCH_LENGTH} characters.`;

/**
 * The one rule for a search's length (the customers list, the Rewards page, its CSV and a bulk
 * issue's search): measured on the normalized text, and refused beyond MAX_SEARCH_LENGTH — never
 * cut, since a cut search is a shorter text that matches more than the merchant asked for (a CSV of
 * other customers' rewards). It was cut by the lists and the CSV, and refused by the bulk issue
 * on the text before NFC (which can lengthen it) was applied.
 */
export function parseSearch(value: string | null | undefined): { ok: true; search: string } | { ok: false; message: string } {
  const search = normalizeSearch(value);
  return characterCount(search) > MAX_SEARCH_LENGTH ? { ok: false, message: SEARCH_TOO_LONG } : { ok: true, search };
}

/**
 * `contains` is case-insensitive on SQLite (LIKE, for ASCII) but case-sensitive on PostgreSQL unless
 * asked; the SQLite client's types don't know `mode`, hence the cast.
 */
export function containsText(db: Db, text: string): Prisma.StringFilter {
  return (onPostgres(db) ? { contains: text, mode: "insensitive" } : { contains: text }) as Prisma.StringFilter;
}

/**
 * The one case folding of the admin's text search, the same on both databases. SQLite's LIKE folds
 * only ASCII letters (https://www.sqlite.org/lang_expr.html#like) and PostgreSQL's ILIKE folds what
 * its locale's lower() folds (İ to i, the Kelvin sign to k): neither is used as the rule. A
 * character folds to its lower case when that is one character and ASCII stays ASCII; one that
 * lower-cases to ASCII (K, the Kelvin sign) or to several characters (İ) only matches itself.
 */
function foldChar(ch: string): string {
  if (ch <= "\x7f") return ch.toLowerCase();
  const lower = ch.toLowerCase();
  return lower > "\x7f" && [...lower].length === 1 ? lower : ch;
}

export function foldCase(text: string): string {
  let out = "";
  for (const ch of text) out += foldChar(ch);
  return out;
}

/**
 * The characters that fold to a lower-case letter other than its upper case (`toUpperCase`): title-case
 * digraphs (ǅ), ẞ (ß upper-cases to "SS"), Greek letters with a subscript iota in title case (ᾼ), ϴ,
 * and the Ohm and Ångström signs — pairs of (character, the letter it folds to). Checked against all of
 * Unicode by the test beside this file, which fails when a Node update changes the list.
 */
const OTHER_SPELLINGS =
  "\u01c5\u01c6\u01c8\u01c9\u01cb\u01cc\u01f2\u01f3\u03f4\u03b8\u1e9e\u00df\u1f88\u1f80\u1f89\u1f81\u1f8a\u1f82\u1f8b\u1f83\u1f8c\u1f84\u1f8d\u1f85\u1f8e\u1f86\u1f8f\u1f87\u1f98\u1f90\u1f99\u1f91\u1f9a\u1f92\u1f9b\u1f93\u1f9c\u1f94\u1f9d\u1f95\u1f9e\u1f96\u1f9f\u1f97\u1fa8\u1fa0\u1fa9\u1fa1\u1faa\u1fa2\u1fab\u1fa3\u1fac\u1fa4\u1fad\u1fa5\u1fae\u1fa6\u1faf\u1fa7\u1fbc\u1fb3\u1fcc\u1fc3\u1ffc\u1ff3\u2126\u03c9\u212b\u00e5";
const otherSpellingsOf = new Map<string, string[]>();
{
  const chars = [...OTHER_SPELLINGS];
  for (let i = 0; i < chars.length; i += 2) otherSpellingsOf.set(chars[i + 1], [...(otherSpellingsOf.get(chars[i + 1]) ?? []), chars[i]]);
}

/** Every character that folds to what `ch` folds to (é: é and É), `ch` included. */
export function spellingsOf(ch: string): string[] {
  const folded = foldChar(ch);
  const upper = folded.toUpperCase();
  const spellings = new Set([folded, ch, ...(otherSpellingsOf.get(folded) ?? [])]);
  if ([...upper].length === 1 && foldChar(upper) === folded) spellings.add(upper);
  return [...spellings];
}

/** The most spellings of one piece of a search (2 per cased non-ASCII letter, ẞ/ß 2…). */
const MAX_PIECE_SPELLINGS = 16;
/** The most pieces the database is asked for; the rest of a long search is left to the row check. */
const MAX_SEARCH_PIECES = 4;

/**
 * What the database is asked for a search: the search cut into pieces of at most
 * MAX_PIECE_SPELLINGS spellings each — every spelling of its non-ASCII letters in either case ("öz":
 * "öz" or "Öz"; ASCII letters the database folds itself) — every piece to be contained in the same
 * column. "Дмитрий" (128 spellings whole) is "Дмит" (16) and "рий" (8). Rows holding the search
 * hold every piece, on both databases: a superset, of which the caller keeps only what
 * `matchesSearchLiterally` accepts.
 */
export function searchPieces(search: string): string[][] {
  const pieces: string[][] = [];
  let piece = [""];
  for (const ch of search) {
    const options = ch <= "\x7f" ? [ch] : spellingsOf(ch);
    if (piece.length * options.length > MAX_PIECE_SPELLINGS) {
      pieces.push(piece);
      piece = [""];
    }
    piece = piece.flatMap((prefix) => options.map((option) => prefix + option));
  }
  pieces.push(piece);
  return pieces.slice(0, MAX_SEARCH_PIECES);
}

/** Customers whose name or email may contain the search (a superset: check `matchesSearchLiterally`). */
export function customerTextWhere(db: Db, search: string): Prisma.CustomerWhereInput {
  const pieces = searchPieces(search);
  const column = (field: "displayName" | "email"): Prisma.CustomerWhereInput => ({
    AND: pieces.map((spellings) => ({ OR: spellings.map((text) => ({ [field]: containsText(db, text) })) })),
  });
  return { OR: [column("displayName"), column("email")] };
}

/** Whether the client is PostgreSQL's: Prisma's client knows its provider; else the URL the app was started with. */
function onPostgres(db: Db): boolean {
  const provider = (db as unknown as { _activeProvider?: string })._activeProvider;
  return (provider ?? providerOf(process.env.DATABASE_URL ?? "")) === "postgresql";
}

/**
 * A case-insensitive "is this text" filter (e.g. an email typed in another case than Shopify's): at
 * least every row whose value is the text, in any case. PostgreSQL: `equals` in insensitive mode;
 * SQLite: starts AND ends with it (LIKE is case-insensitive there only for ASCII letters,
 * https://www.sqlite.org/lang_expr.html#like — so every other character is LIKE's one-character
 * wildcard `_`, and "élodie@…" finds "ÉLODIE@…" on SQLite as on PostgreSQL). Both may also match a
 * few rows more (LIKE reads `_` and `%` in the text as wildcards): the caller compares exactly.
 */
export function equalsTextIgnoringCase(db: Db, text: string): Prisma.StringFilter {
  if (onPostgres(db)) return { equals: text, mode: "insensitive" } as Prisma.StringFilter;
  const pattern = [...text].map((ch) => (ch > "\x7f" ? "_" : ch)).join("");
  return { startsWith: pattern, endsWith: pattern };
}

const LITERAL_SEARCH_BATCH = 200;
const LITERAL_SEARCH_ROUNDS = 50;

/**
 * Whether the name or email holds `search` (normalized) as written, in any case (`foldCase`). What
 * the database returns for a search is only a superset — LIKE reads `%` and `_` as wildcards (Prisma
 * hands them on unescaped), and each database folds case its own way — so every search keeps only
 * the rows this accepts: the same rows on SQLite and PostgreSQL.
 */
export function matchesSearchLiterally(customer: { displayName: string; email: string | null }, search: string): boolean {
  const needle = foldCase(search);
  return foldCase(customer.displayName).includes(needle) || foldCase(customer.email ?? "").includes(needle);
}

/**
 * A keyset read that keeps only the rows `matches` accepts: reads on in batches past the last row
 * read, until `take` are found — bounded (LITERAL_SEARCH_ROUNDS batches), for a search the database
 * answers with many more rows than match.
 */
export async function readMatching<Row, Where>(args: MatchingRead<Row, Where>): Promise<Row[]> {
  return (await readMatchingRows(args)).rows;
}

interface MatchingRead<Row, Where> {
  read: (where: Where | undefined, take: number) => Promise<Row[]>;
  where: Where | undefined;
  take: number;
  past: (row: Row) => Where;
  matches: (row: Row) => boolean;
  /** Rows per read (default LITERAL_SEARCH_BATCH) and reads at most (default LITERAL_SEARCH_ROUNDS). */
  batch?: number;
  rounds?: number;
}

/**
 * readMatching, and whether every row the database offered was read (`complete`): false when the
 * reads ran out before `take` matches were found and before the rows did — how many more would
 * match is then unknown (a bulk issue says so instead of guessing).
 */
export async function readMatchingRows<Row, Where>(args: MatchingRead<Row, Where>): Promise<{ rows: Row[]; complete: boolean }> {
  const batchSize = args.batch ?? LITERAL_SEARCH_BATCH;
  const found: Row[] = [];
  let where = args.where;
  for (let round = 0; round < (args.rounds ?? LITERAL_SEARCH_ROUNDS) && found.length < args.take; round++) {
    const batch = await args.read(where, batchSize);
    found.push(...batch.filter(args.matches));
    if (batch.length < batchSize) return { rows: found.slice(0, args.take), complete: true };
    where = args.past(batch[batch.length - 1]);
  }
  return { rows: found.slice(0, args.take), complete: found.length >= args.take };
}

export interface CustomerListQuery extends PageRequest {
  shop: string;
  /** Part of a name or an email address. */
  search?: string | null;
  /** Only customers in this VIP tier ("none": customers without a tier). */
  vipTier?: string | null;
  /** Only customers who have at least one Issued reward (a code they can use now). */
  hasIssuedRewards?: boolean;
  /** Default: most recently active first. */
  sort?: CustomerSort;
}

/** The customers list's orders: last activity (newest first), points (highest first), name (A→Z). */
export const CUSTOMER_SORTS = ["activity", "points", "name"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export function parseCustomerSort(value: string | null | undefined): CustomerSort | "invalid" {
  if (value === null || value === undefined || value === "") return "activity";
  return (CUSTOMER_SORTS as readonly string[]).includes(value) ? (value as CustomerSort) : "invalid";
}

/** Each order's column, direction and index (Customer(shop, <column>)); the id breaks ties. */
const SORTS = {
  activity: { field: "lastActivityAt", order: "desc", keyKind: "date" },
  points: { field: "pointsBalance", order: "desc", keyKind: "number" },
  name: { field: "displayName", order: "asc", keyKind: "text" },
} as const satisfies Record<CustomerSort, { field: keyof Prisma.CustomerWhereInput; order: "asc" | "desc"; keyKind: KeyKind }>;

/** The longest VIP tier name the filter accepts; a longer one is refused (`parseTierFilter`), never cut. */
export const MAX_TIER_LENGTH = 100;

export const TIER_TOO_LONG = `A VIP tier name has at most ${MAX_TIER_LENGTH} characters.`;

/** The tier filter (`?tier=`, a bulk issue's tier): null for none, refused when longer than any tier name. */
export function parseTierFilter(value: string | null | undefined): { ok: true; tier: string | null } | { ok: false; message: string } {
  if (!value) return { ok: true, tier: null };
  return value.length > MAX_TIER_LENGTH ? { ok: false, message: TIER_TOO_LONG } : { ok: true, tier: value };
}

/** The VIP tiers in use in the shop, for the filter's choices (bounded). */
export async function listVipTiers(db: Db, shop: string): Promise<string[]> {
  const rows = await db.customer.findMany({
    where: { shop, vipTier: { not: null } },
    distinct: ["vipTier"],
    select: { vipTier: true },
    orderBy: { vipTier: "asc" },
    take: 50,
  });
  return rows.map((r) => r.vipTier).filter((t): t is string => Boolean(t));
}

const CUSTOMER_SELECT = {
  id: true,
  displayName: true,
  email: true,
  pointsBalance: true,
  vipTier: true,
  lastActivityAt: true,
  _count: { select: { rewards: true } },
} satisfies Prisma.CustomerSelect;

type CustomerRecord = Prisma.CustomerGetPayload<{ select: typeof CUSTOMER_SELECT }>;

export type CustomerFilter = Pick<CustomerListQuery, "shop" | "search" | "vipTier" | "hasIssuedRewards">;

/**
 * The customers list's filter as a Prisma condition (also what a bulk issue to "these customers"
 * selects). A search matches more than it says (`customerTextWhere`): keep only `matchesSearchLiterally`.
 */
export function customerFilterWhere(db: Db, query: CustomerFilter): { where: Prisma.CustomerWhereInput; search: string } {
  const search = normalizeSearch(query.search);
  const tier = query.vipTier || null;
  const where: Prisma.CustomerWhereInput = {
    shop: query.shop,
    ...(search ? customerTextWhere(db, search) : {}),
    ...(tier ? { vipTier: tier === "none" ? null : tier } : {}),
    ...(query.hasIssuedRewards ? { rewards: { some: { status: "ISSUED" } } } : {}),
  };
  return { where, search };
}

/**
 * Customers of the program, in the chosen order (default: most recently active first), keyset-paged
 * on that column and the id (indexes Customer(shop, lastActivityAt | pointsBalance | displayName)).
 */
export async function listCustomers(db: Db, query: CustomerListQuery): Promise<KeysetPage<CustomerRow>> {
  const { where: base, search } = customerFilterWhere(db, query);
  const { field, order, keyKind } = SORTS[query.sort ?? "activity"];
  // AND keeps the search's OR and the cursor's OR from overwriting each other.
  const read = (where: Prisma.CustomerWhereInput | undefined, direction: "asc" | "desc", take: number) =>
    db.customer.findMany({
      where: where ? { AND: [base, where] } : base,
      orderBy: [{ [field]: direction }, { id: direction }],
      take,
      select: CUSTOMER_SELECT,
    });
  const keyOf = (c: CustomerRecord) => c[field];
  const cursorOf = (c: CustomerRecord) => ({ key: keyOf(c), id: c.id });
  // Rows past a cursor in the reading direction.
  const past = (c: ReturnType<typeof cursorOf>, direction: "asc" | "desc") => (direction === "desc" ? olderThan(c, field) : newerThan(c, field));
  const page = await keysetPage<CustomerRecord, Prisma.CustomerWhereInput>(query, {
    at: keyOf,
    order,
    keyKind,
    older: (c) => olderThan(c, field),
    newer: (c) => newerThan(c, field),
    fetch: ({ where, direction, take }) =>
      search
        ? readMatching({ read: (w, n) => read(w, direction, n), where, take, past: (c) => past(cursorOf(c), direction), matches: (c) => matchesSearchLiterally(c, search) })
        : read(where, direction, take),
  });
  return {
    ...page,
    items: page.items.map((c) => ({
      id: c.id,
      name: customerLabel(c.displayName, c.email),
      email: c.email,
      pointsBalance: c.pointsBalance,
      vipTier: c.vipTier,
      rewardCount: c._count.rewards,
      lastActivityAt: c.lastActivityAt.toISOString(),
    })),
  };
}

export interface CustomerProfile {
  id: string;
  name: string;
  email: string | null;
  pointsBalance: number;
  /** Earned points still on hold. */
  pendingPoints: number;
  /** Points taken back that the customer had already spent (never a negative balance). */
  pointsShortfall: number;
  vipTier: string | null;
  lastActivityAt: string;
  memberSince: string;
  shopifyCustomerId: string;
  /** The customer in the shop's Shopify admin. */
  shopifyAdminUrl: string | null;
}

/** The customer, if it belongs to `shop`; null otherwise (another shop's id is "not found"). */
export async function getCustomerProfile(db: Db, shop: string, customerId: string): Promise<CustomerProfile | null> {
  const c = await db.customer.findFirst({ where: { id: customerId, shop } });
  if (!c) return null;
  return {
    id: c.id,
    name: customerLabel(c.displayName, c.email),
    email: c.email,
    pointsBalance: c.pointsBalance,
    pendingPoints: c.pendingPoints,
    pointsShortfall: c.pointsShortfall,
    vipTier: c.vipTier,
    lastActivityAt: c.lastActivityAt.toISOString(),
    memberSince: c.createdAt.toISOString(),
    shopifyCustomerId: c.shopifyCustomerId,
    shopifyAdminUrl: customerAdminUrl(shop, c.shopifyCustomerId),
  };
}

export interface PointsRow {
  id: string;
  delta: number;
  balanceAfter: number;
  reason: string;
  reasonLabel: string;
  note: string | null;
  rewardId: string | null;
  createdAt: string;
  /** AVAILABLE | PENDING (not spendable until `availableAt`). */
  status: string;
  availableAt: string | null;
  /** Points that should have been taken but were not there. */
  shortfall: number;
  orderName: string | null;
  /** The order in the shop's Shopify admin. */
  orderUrl: string | null;
  /** The reward in this app (customer profile → reward). */
  rewardUrl: string | null;
  /** MERCHANT | CUSTOMER | WEBHOOK | WORKER | SYSTEM, and the staff user for a merchant. */
  actor: string;
  actorId: string | null;
  /**
   * A HELD row (an order waiting to earn, EARNING_HELD): what it waits for — the merchant's confirm of
   * the earning rule's amounts, or the points program turned on again (docs/decisions/015, addendum of
   * 3 December 2026); null for any other row.
   */
  heldFor: HeldFor | null;
}

export type HeldFor = "amounts" | "program_on";

/** What the shop's orders held from earning wait for now: the rule's review first, then the program being on; null when neither. */
async function earningHeldFor(db: Db, shop: string): Promise<HeldFor | null> {
  const row = await db.programSettings.findUnique({ where: { shop } });
  if (await amountsToReview(db, shop, row?.amountCurrency ?? null)) return "amounts";
  return settingsFromRow(row).enabled ? null : "program_on";
}

/** The customer's points ledger, newest first (index PointsTransaction(customerId, createdAt)). */
export async function listPointsTransactions(
  db: Db,
  query: PageRequest & { shop: string; customerId: string }
): Promise<KeysetPage<PointsRow>> {
  const base: Prisma.PointsTransactionWhereInput = { customerId: query.customerId, shop: query.shop };
  const page = await keysetPage<Prisma.PointsTransactionGetPayload<object>, Prisma.PointsTransactionWhereInput>(query, {
    at: (t) => t.createdAt,
    older: (c) => olderThan(c, "createdAt"),
    newer: (c) => newerThan(c, "createdAt"),
    fetch: ({ where, direction, take }) =>
      db.pointsTransaction.findMany({
        where: where ? { ...base, ...where } : base,
        orderBy: [{ createdAt: direction }, { id: direction }],
        take,
      }),
  });
  // Read only when the page shows an order waiting to earn.
  const heldFor = page.items.some((t) => t.status === "HELD") ? await earningHeldFor(db, query.shop) : null;
  return {
    ...page,
    items: page.items.map((t) => ({
      id: t.id,
      delta: t.delta,
      balanceAfter: t.balanceAfter,
      reason: t.reason,
      reasonLabel: POINTS_LEDGER_LABELS[t.reason] ?? t.reason,
      note: t.note,
      rewardId: t.rewardId,
      createdAt: t.createdAt.toISOString(),
      status: t.status,
      availableAt: t.availableAt?.toISOString() ?? null,
      shortfall: t.shortfall,
      orderName: t.orderName,
      orderUrl: orderAdminUrl(query.shop, t.orderGid),
      rewardUrl: t.rewardId ? `/app/customers/${t.customerId}/rewards/${t.rewardId}` : null,
      actor: t.actor,
      actorId: t.actorId,
      // Confirmed and on, yet still held: the worker decides it at its next round (shown as waiting for amounts until then).
      heldFor: t.status === "HELD" ? (heldFor ?? "amounts") : null,
    })),
  };
}

export interface IssuableTemplate {
  id: string;
  name: string;
  purpose: string;
  /** Optional access scopes the kind needs that the shop has not granted yet (shopify.app.toml optional_scopes). */
  missingScopes: string[];
}


/**
 * Reward templates the merchant can issue by hand (any active one; the use-case checks again), each
 * with the scopes its kind still needs given `grantedScopes` (the offline session's scope).
 */
export async function listIssuableTemplates(db: Db, shop: string, grantedScopes?: readonly string[]): Promise<IssuableTemplate[]> {
  const templates = await db.rewardTemplate.findMany({
    // Variable "points for amount off" options have no value of their own (the customer's points
    // set it, docs/decisions/020): not issuable by hand.
    where: { shop, active: true, pointsStep: null },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: { id: true, name: true, purpose: true, kind: true },
    take: 200,
  });
  return templates.map(({ kind, ...t }) => {
    const parsed = parseRewardKind(kind);
    return { ...t, missingScopes: parsed && grantedScopes ? missingScopesFor(parsed, grantedScopes) : [] };
  });
}
