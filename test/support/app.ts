// Runs the app's production build (`npm run build`) on a real port inside the test process, with the
// same handler as the production server (server/app-handler.mjs: browser assets + Remix), so tests
// talk HTTP to it while its outgoing Admin API calls are intercepted in-process (MSW → emulator).
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createAppHandler } from "../../server/app-handler.mjs";
import { serveFetch, type RunningServer } from "../../emulator/src/node-http";
import { ROOT } from "../setup/databases";

export const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

export async function startApp(): Promise<RunningServer> {
  const buildFile = path.join(ROOT, "build", "server", "index.js");
  if (!existsSync(buildFile)) {
    throw new Error("No app build at build/server/index.js — run `npm run build` (npm test does it for you).");
  }
  const build = (await import(/* @vite-ignore */ pathToFileURL(buildFile).href)) as ServerBuild;
  return serveFetch(createAppHandler(build, { clientDir: path.join(ROOT, "build", "client") }));
}
