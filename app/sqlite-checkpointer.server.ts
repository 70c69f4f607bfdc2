// SQLite WAL checkpoints off the app's event loop (bench/RESULTS.md, "1 December").
//
// In WAL mode every commit appends pages to the -wal file, and a checkpoint copies them back into
// the database file. By default (wal_autocheckpoint = 1 000 pages) the connection that commits past
// that size runs the checkpoint itself, synchronously: libSQL's file driver runs on the JavaScript
// thread, so the app stops answering while ~4 MB are copied and both files are synced. Measured on
// the webhook record's INSERT of 7 KB bodies, that checkpoint is about half of each row's cost.
//
// Here a worker thread with its own connection to the same file runs the checkpoints instead
// (https://www.sqlite.org/wal.html#checkpointing: "applications can ... run the checkpoint in a
// separate thread"), and the app's connection turns its automatic checkpoint off. PASSIVE
// checkpoints never block the app's reads or writes. A checkpoint that could not catch up (the app
// committed while it copied) leaves the log growing, so past `restartPages` the thread runs a
// RESTART checkpoint, which holds new writers back while it is pending and lets the next writer
// start the log over (https://www.sqlite.org/pragma.html#pragma_wal_checkpoint). The thread waits at
// most BUSY_TIMEOUT_MS for the app's connection (its busy timeout): the app's writes wait at most
// that long behind it, and an app transaction that reads, then writes, while the RESTART waits for
// that very reader, is not a deadlock — the RESTART gives up and is tried again later.
// If the thread cannot start or dies, or the log still reaches `giveUpPages`, `onStopped` is
// called: the caller turns the connection's automatic checkpoint back on, so the log never grows
// without bound.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface WalCheckpointerOptions {
  /** Wait between checkpoints while the log has pages to copy (default 100 ms). */
  busyIntervalMs?: number;
  /** Wait between checks while the log is empty (default 1 000 ms). */
  idleIntervalMs?: number;
  /** Log size (pages) past which a RESTART checkpoint starts the log over (default 4 000 ≈ 16 MB). */
  restartPages?: number;
  /** Log size (pages) at which the thread gives up and stops (default 4 × restartPages). */
  giveUpPages?: number;
  /** The thread could not start, failed or stopped on its own; never called after `stop()`. */
  onStopped: (reason: string) => void;
  /** Each checkpoint that copied pages (for tests and diagnostics). */
  onCheckpoint?: (result: CheckpointResult) => void;
}

export interface CheckpointResult {
  mode: "PASSIVE" | "RESTART";
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
db.exec("PRAGMA busy_timeout = " + workerData.busyTimeoutMs);
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").raw(true);
const restart = db.prepare("PRAGMA wal_checkpoint(RESTART)").raw(true);
let timer;
let stopped = false;
function run(statement, mode) {
  const [busy, logPages, checkpointedPages] = statement.get().map(Number);
  if (logPages > 0 && checkpointedPages > 0) parentPort.postMessage({ type: "checkpoint", mode, logPages, checkpointedPages });
  return { busy, logPages, checkpointedPages };
}
function tick() {
  if (stopped) return;
  let delay = workerData.idleIntervalMs;
  try {
    const done = run(passive, "PASSIVE");
    if (done.logPages > 0) delay = workerData.busyIntervalMs;
    if (done.logPages >= workerData.restartPages && done.checkpointedPages < done.logPages) {
      const restarted = run(restart, "RESTART");
      if (restarted.logPages >= workerData.giveUpPages && restarted.checkpointedPages < restarted.logPages) {
        throw new Error("the log reached " + restarted.logPages + " pages and could not be copied");
      }
    }
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
function libsqlModulePath(): string {
  if (!libsqlPath) {
    const require = createRequire(import.meta.url);
    libsqlPath = createRequire(require.resolve("@libsql/client")).resolve("libsql");
  }
  return libsqlPath;
}

/** How long the thread waits for the app's connection's locks (see the file comment). */
const BUSY_TIMEOUT_MS = 20;

type ThreadMessage = { type: "ready" } | { type: "failed"; message: string } | ({ type: "checkpoint" } & CheckpointResult);

/** Starts the checkpoint thread for one database file (an absolute path). */
export function startWalCheckpointer(file: string, options: WalCheckpointerOptions): WalCheckpointer {
  const restartPages = options.restartPages ?? 4_000;
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
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      busyIntervalMs: options.busyIntervalMs ?? 100,
      idleIntervalMs: options.idleIntervalMs ?? 1_000,
      restartPages,
      giveUpPages: options.giveUpPages ?? 4 * restartPages,
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
    else if (message.type === "checkpoint") options.onCheckpoint?.({ mode: message.mode, logPages: message.logPages, checkpointedPages: message.checkpointedPages });
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
