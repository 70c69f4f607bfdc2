// `npm start`: the production server. Serves the Remix build (build/) on Node's own fetch classes —
// the same handler the tests run (server/app-handler.mjs) — with graceful shutdown.
//   PORT (default 3000), HOST (default 0.0.0.0)
//   NODE_HEAP_GROWING_PERCENT (default 25): how far V8 lets the heap grow past what the last full
//   collection kept before collecting again; 0 leaves V8's default.
// `npm start` also caps V8's young generation (`node --max-semi-space-size=4 server.mjs`, see
// server/node-flags.mjs: it must be given when Node starts). Under webhook load V8's defaults let the
// app's RSS reach ~285–310 MB, mostly garbage waiting for a collection (bench/RESULTS.md, "Memory").
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createAppHandler } from "./server/app-handler.mjs";
import { serveFetch } from "./server/fetch-server.mjs";
import { missingServerNodeFlags, setHeapGrowingPercent, SERVER_NODE_FLAGS } from "./server/node-flags.mjs";

const heapGrowingPercent = Number(process.env.NODE_HEAP_GROWING_PERCENT || 25);
if (!Number.isInteger(heapGrowingPercent) || heapGrowingPercent < 0 || heapGrowingPercent > 1000) {
  console.error(`NODE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (got ${JSON.stringify(process.env.NODE_HEAP_GROWING_PERCENT)})`);
  process.exit(1);
}
setHeapGrowingPercent(heapGrowingPercent);
const missingFlags = missingServerNodeFlags();
if (missingFlags.length > 0) {
  console.warn(`[server] started without ${missingFlags.join(" ")}: expect ~60 MB more memory under load; start it with \`npm start\` or \`node ${SERVER_NODE_FLAGS.join(" ")} server.mjs\``);
}

const root = import.meta.dirname;
const build = await import(pathToFileURL(path.join(root, "build", "server", "index.js")).href);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";

const server = await serveFetch(createAppHandler(build, { clientDir: path.join(root, "build", "client") }), {
  port,
  host,
  onError: (error) => console.error(error),
});
console.log(`[server] listening on http://${host === "0.0.0.0" ? "localhost" : host}:${server.port}`);

let closing = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    // The in-process worker has its own handler (app/jobs/in-process.server.ts) and finishes its
    // claimed work; stop taking requests, then leave.
    void server.close().finally(() => setTimeout(() => process.exit(0), 1_000).unref());
  });
}
