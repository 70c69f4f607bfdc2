// Searches EVERY text column of EVERY table of the test database for given strings — the schema is
// read from the database itself (sqlite_master / information_schema), never from a hand-made list,
// so a table or column added later is searched too. Used to prove that erasure leaves nothing behind.
import { serializeWebhookJson } from "../../emulator/src/order-payload";
import { providerOf, type Db } from "~/db.server";

export interface TextHit {
  table: string;
  column: string;
  needle: string;
  value: string;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** Every (table, column) whose values are text, as the database reports them. */
export async function textColumns(db: Db): Promise<{ table: string; column: string }[]> {
  if (providerOf(process.env.DATABASE_URL ?? "") === "postgresql") {
    const rows = await db.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
      `SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
       ORDER BY table_name, column_name`,
    );
    return rows.map((r) => ({ table: r.table_name, column: r.column_name }));
  }
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
  const out: { table: string; column: string }[] = [];
  for (const { name } of tables) {
    const columns = await db.$queryRawUnsafe<{ name: string; type: string }[]>(`PRAGMA table_info(${quote(name)})`);
    for (const c of columns) if (/CHAR|CLOB|TEXT|JSON/i.test(c.type)) out.push({ table: name, column: c.name });
  }
  return out;
}

/**
 * A whole value the app generated, holding no one's data: a row id (UUID, cuid) or a SHA-256 digest
 * (RedactedSubject's one-way keys, WebhookDelivery.bodyHash). Their hex and base-36 digits contain a
 * short numeric needle by chance ("8842" inside a UUID made a redaction test fail one run in many),
 * so they are not searched; any value with more in it than the token is.
 */
function isGeneratedToken(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) || /^c[a-z0-9]{23,31}$/.test(value) || /^[0-9a-f]{64}$/i.test(value);
}

/**
 * Every place any needle occurs (case-insensitive) in any text column of any table, as written or as
 * a string inside Shopify's JSON: a webhook body kept as received spells "/" as "\/" and "&" as
 * "\u0026" (the emulator writes Shopify's bytes), and a needle there in that spelling is still there.
 */
export async function findText(db: Db, needles: readonly string[]): Promise<TextHit[]> {
  const wanted = needles
    .filter((n) => n.length > 0)
    .flatMap((n) => [...new Set([n, serializeWebhookJson(n).slice(1, -1)])].map((spelling) => ({ needle: n, lower: spelling.toLowerCase() })));
  const hits: TextHit[] = [];
  for (const { table, column } of await textColumns(db)) {
    const rows = await db.$queryRawUnsafe<{ v: string | null }[]>(`SELECT CAST(${quote(column)} AS TEXT) AS v FROM ${quote(table)} WHERE ${quote(column)} IS NOT NULL`);
    for (const { v } of rows) {
      if (v === null || isGeneratedToken(v)) continue;
      const lower = v.toLowerCase();
      for (const w of wanted) if (lower.includes(w.lower)) hits.push({ table, column, needle: w.needle, value: v.length > 200 ? `${v.slice(0, 200)}…` : v });
    }
  }
  return hits;
}
