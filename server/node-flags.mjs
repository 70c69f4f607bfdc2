// The Node/V8 options the production server needs on its command line (`npm start` passes them;
// so do the demo, the benches and the soaks, through SERVER_NODE_FLAGS).
//
// --max-semi-space-size=4: V8's young generation grows to 16 MB semi-spaces by default (≈ 34 MB of
// new space); under webhook load most of it holds garbage between scavenges, and the app's RSS was
// ≈ 60–70 MB higher without the cap (bench/RESULTS.md, "1 December"). V8 sizes the young generation
// when the process starts: `v8.setFlagsFromString` afterwards has no effect on it, which is why this
// cannot live in server.mjs itself (unlike the heap growing factor, which V8 reads at each collection).
import v8 from "node:v8";

/** @type {readonly string[]} */
export const SERVER_NODE_FLAGS = Object.freeze(["--max-semi-space-size=4"]);

/**
 * The flags of SERVER_NODE_FLAGS this process was NOT started with (command line or NODE_OPTIONS).
 * @param {{ execArgv?: readonly string[]; nodeOptions?: string }} [from]
 * @returns {string[]}
 */
export function missingServerNodeFlags(from = { execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS }) {
  const given = [...(from.execArgv ?? []), ...(from.nodeOptions ?? "").split(/\s+/)].map((flag) => flag.replaceAll("_", "-"));
  return SERVER_NODE_FLAGS.filter((flag) => !given.includes(flag));
}

/**
 * The heap growing factor: how far V8 lets the old generation grow past what the last full
 * collection kept before collecting again. Read at every collection, so it can be set at run time.
 * @param {number} percent 0 leaves V8's default
 */
export function setHeapGrowingPercent(percent) {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
