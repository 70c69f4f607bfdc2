// The PostgreSQL connection pool behind Prisma's pg adapter, made to survive lost connections.
//
// A PostgreSQL restart, a failover or an administrator's pg_terminate_backend kills the pool's
// connections. node-postgres reports it on the client (an 'error' event, then 'end'), but when that
// happens inside an interactive transaction, Prisma's adapter (@prisma/adapter-pg 6.19) never hands
// the client back to the pool: it releases only on commit or rollback, and the engine calls neither
// after the connection is gone. Each such transaction leaks one of the pool's slots; once all are
// leaked every query waits for a free client forever — the app hangs until restarted
// (`npm run soak:webhooks` found it: two app processes stuck after a few terminated backends; the
// test is app/pg-pool.server.test.ts).
//
// This pool gives back a checked-out client whose connection died (with the error, so node-postgres'
// pool discards it and opens a new one for the next caller), makes a second release of the same
// checkout a no-op instead of a thrown "Release called on client which has already been released"
// (pg-pool throws that from inside socket callbacks, which would crash the process), bounds the wait
// for a client (`connectionTimeoutMillis`: a starved pool fails loudly instead of hanging), and turns
// on TCP keep-alive so a peer that vanished without a FIN is noticed.
// pg-pool's options: https://node-postgres.com/apis/pool
import pg from "pg";

export interface PoolSettings {
  connectionString: string;
  /** Longest wait for a free client before the query fails (default 10 s). */
  connectionTimeoutMillis?: number;
  max?: number;
}

type Release = (error?: Error | boolean) => void;
type PoolInternals = {
  _acquireClient(client: pg.PoolClient, pendingItem: unknown, idleListener: unknown, isNew: boolean): void;
};

export class ResilientPool extends pg.Pool {
  constructor(settings: PoolSettings) {
    super({
      connectionString: settings.connectionString,
      connectionTimeoutMillis: settings.connectionTimeoutMillis ?? 10_000,
      keepAlive: true,
      ...(settings.max ? { max: settings.max } : {}),
    });
    // pg-pool hands out a client by assigning a fresh one-shot `client.release` for that checkout
    // and calling the waiting caller (`_acquireClient`). Wrap that checkout: release at most once,
    // and release (discarding the client) as soon as its connection dies while it is checked out.
    const self = this as unknown as PoolInternals;
    const acquire = self._acquireClient.bind(this);
    self._acquireClient = (client, pendingItem, idleListener, isNew) => {
      acquire(client, pendingItem, idleListener, isNew);
      // A caller that stopped waiting (connectionTimeoutMillis) got nothing: pg-pool has already
      // given the client straight back.
      if ((pendingItem as { timedOut?: boolean }).timedOut) return;
      const once = client.release as Release;
      let released = false;
      const onDead = (error?: Error) => release(error ?? new Error("connection ended"));
      const release: Release = (error) => {
        if (released) return;
        released = true;
        client.removeListener("error", onDead);
        client.removeListener("end", onDead);
        once(error);
      };
      client.release = release as pg.PoolClient["release"];
      client.on("error", onDead);
      client.once("end", onDead);
    };
  }
}
