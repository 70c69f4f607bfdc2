// SQLite WAL checkpoints off the app's event loop (bench/RESULTS.md, "1 December").
//
// In WAL mode every commit appends pages to the -wal file, and a checkpoint copies them back into
// the database file. By default (wal_autocheckpoint = 1 000 pages) the connection that commits past
// that size runs the checkpoint itself, synchronously: libSQL's file driver runs on the JavaScript
// thread, so the app stops answering while ~4 MB are copied and both files are synced. Measured on
// the webhook record's INSERT of 7 KB bodies (bench/sqlite-wal-write.ts), that checkpoint is about
// a third to a half of each row's cost.
//
// Here a worker thread with its own connection to the same file runs PASSIVE checkpoints instead
// (https://www.sqlite.org/wal.html#checkpointing: "applications can ... run the checkpoint in a
// separate thread"); a passive checkpoint never waits for, nor blocks, the app's reads and writes
// (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). The log starts over when the app's next
// write begins after a checkpoint has copied all of it — in the gaps between the app's commits.
// A writer that never pauses would leave no such gap, so the app's connection keeps its automatic
// checkpoint as a backstop at BACKSTOP_PAGES (app/sqlite-adapter.server.ts): far above what the
// thread lets the log reach, it only acts if the thread falls behind or hangs, and then the log is
// bounded as with SQLite's default, at a larger size.
// If the thread cannot start or dies, `onStopped` is called: the caller sets the connection's
// automatic checkpoint back to SQLite's default.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface WalCheckpointerOptions {
  /** Wait between checkpoints while the log has pages to copy (default 100 ms). */
  busyIntervalMs?: number;
  /** Wait between checks while the log is empty (default 1 000 ms). */
  idleIntervalMs?: number;
  /** The thread could not start, failed or stopped on its own; never called after `stop()`. */
  onStopped: (reason: string) => void;
  /** Each checkpoint that copied pages (for tests and diagnostics). */
  onCheckpoint?: (result: CheckpointResult) => void;
}

export interface CheckpointResult {
  /** Pages in the log, and pages of it now copied into the database file. */
  logPages: number;
  checkpointedPages: number;
}

export interface WalCheckpointer {
  /** Resolves once the thread has its connection (rejects if it could not open one). */
  readonly ready: Promise<void>;
  /** Ends the thread and closes its connection. */
  stop(): Promise<void>;
}

// The thread's code, run with `eval` so the Vite build needs no separate entry for it. Plain
// CommonJS: the libSQL package's path comes in workerData (the copy the app's client uses).
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsql);
const db = new Database(workerData.file);
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").raw(true);
let timer;
let stopped = false;
function tick() {
  if (stopped) return;
  let delay = workerData.idleIntervalMs;
  try {
    const [, logPages, checkpointedPages] = passive.get().map(Number);
    if (logPages > 0) delay = workerData.busyIntervalMs;
    if (logPages > 0 && checkpointedPages > 0) parentPort.postMessage({ type: "checkpoint", logPages, checkpointedPages });
  } catch (error) {
    parentPort.postMessage({ type: "failed", message: String(error && error.message || error) });
    stopped = true;
    db.close();
    parentPort.close();
    return;
  }
  timer = setTimeout(tick, delay);
}
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  stopped = true;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ type: "ready" });
tick();
`;

let libsqlPath: string | undefined;
/** The `libsql` package exactly as @libsql/client loads it (also the statement cache's, app/sqlite-statement-cache.server.ts). */
export function libsqlModulePath(): string {
  if (!libsqlPath) {
    const require = createRequire(import.meta.url);
    libsqlPath = createRequire(require.resolve("@libsql/client")).resolve("libsql");
  }
  return libsqlPath;
}

/**
 * The app's connection's automatic checkpoint while the thread runs (pages, ≈ 16 MB): far above what
 * the thread lets the log reach, so it only acts if the thread falls behind or hangs.
 */
export const BACKSTOP_PAGES = 4_000;

type ThreadMessage = { type: "ready" } | { type: "failed"; message: string } | ({ type: "checkpoint" } & CheckpointResult);

/** Starts the checkpoint thread for one database file (an absolute path). */
export function startWalCheckpointer(file: string, options: WalCheckpointerOptions): WalCheckpointer {
  let stopping = false;
  let stoppedReported = false;
  const reportStopped = (reason: string) => {
    if (stopping || stoppedReported) return;
    stoppedReported = true;
    options.onStopped(reason);
  };
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: {
      libsql: libsqlModulePath(),
      file,
      busyIntervalMs: options.busyIntervalMs ?? 100,
      idleIntervalMs: options.idleIntervalMs ?? 1_000,
    },
    // A small heap: the thread holds one connection and two statements.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
    stdout: false,
    stderr: false,
  });
  // The thread never keeps the process alive.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let markReady!: () => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);
  worker.on("message", (message: ThreadMessage) => {
    if (message.type === "ready") markReady();
    else if (message.type === "checkpoint") options.onCheckpoint?.({ logPages: message.logPages, checkpointedPages: message.checkpointedPages });
    else if (message.type === "failed") reportStopped(`checkpoint failed: ${message.message}`);
  });
  worker.on("error", (error) => {
    failReady(error);
    reportStopped(`checkpoint thread error: ${error.message}`);
  });
  worker.once("exit", (code) => {
    failReady(new Error(`the checkpoint thread exited (${code}) before it was ready`));
    reportStopped(`checkpoint thread exited (${code})`);
  });
  return {
    ready,
    stop: async () => {
      if (stopping) return exited;
      stopping = true;
      // Unref'd, the thread would not keep the process alive until it has exited: a script ending
      // with `await db.$disconnect()` would then stop at an unsettled await (exit code 13).
      worker.ref();
      worker.postMessage("stop");
      // A thread stuck in a checkpoint is ended rather than waited for.
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      timeout.unref();
      await exited;
      clearTimeout(timeout);
    },
  };
}
