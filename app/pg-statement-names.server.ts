// Named (server-side prepared) statements on PostgreSQL (bench/RESULTS.md, "Statement caches").
//
// Without a name, every query Prisma sends is parsed, analysed and planned by the server again
// (an unnamed statement, https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY).
// The worker sends the same few SQL texts for every order, and the database shares the app's CPUs.
// @prisma/adapter-pg takes a `statementNameGenerator` for exactly this: node-postgres then prepares a
// named statement once per connection and afterwards only binds and executes it.
//
// Which texts get a name: one seen a second time, up to MAX_NAMED_STATEMENTS texts per process, so
// the server keeps a bounded number of statements per connection (texts with a varying number of
// parameters, `IN ($1, $2, …)`, are many and mostly one-offs). A name is the order in which its text
// was named ("lr_1", "lr_2", …): one text, one name for the life of the process (node-postgres
// refuses a name reused for another text).
//
// Named statements live on one server session: a pooler in transaction mode that does not track
// them (PgBouncer before 1.21) hands them to the wrong session; DATABASE_PREPARED_STATEMENTS=false
// turns them off. A schema change while the app runs is re-planned by the server
// (https://www.postgresql.org/docs/current/sql-prepare.html, "Notes"); only a statement whose
// result columns changed fails ("cached plan must not change result type"), which Prisma's
// explicit column lists avoid for added columns.

/** Most SQL texts named per process. The worker's and the webhook path's texts are a few dozen. */
export const MAX_NAMED_STATEMENTS = 200;
/** Texts seen once that are remembered while waiting for a second sighting (then forgotten all at once). */
const MAX_SEEN_ONCE = 2_000;

/**
 * A `statementNameGenerator` for @prisma/adapter-pg: a name for a text seen before (while fewer than
 * `max` are named), else undefined (an unnamed statement, as without a generator).
 */
export function statementNamer(max = MAX_NAMED_STATEMENTS): (query: { sql: string }) => string | undefined {
  const named = new Map<string, string>();
  let seenOnce = new Set<string>();
  return ({ sql }) => {
    const name = named.get(sql);
    if (name !== undefined) return name;
    if (named.size >= max) return undefined;
    if (!seenOnce.has(sql)) {
      if (seenOnce.size >= MAX_SEEN_ONCE) seenOnce = new Set();
      seenOnce.add(sql);
      return undefined;
    }
    seenOnce.delete(sql);
    const fresh = `lr_${named.size + 1}`;
    named.set(sql, fresh);
    return fresh;
  };
}
