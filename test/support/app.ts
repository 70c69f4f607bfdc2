// Runs the app's production build (`npm run build`) on a real port inside the test process, so
// tests talk HTTP to it while its outgoing Admin API calls are intercepted in-process (MSW → emulator).
// It also serves the browser assets (build/client/assets, as remix-serve does): a browser needs the
// JavaScript to hydrate, or every client-side navigation becomes a document request.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { serveFetch, type RunningServer } from "../../emulator/src/node-http";
import { ROOT } from "../setup/databases";

export const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

export async function startApp(): Promise<RunningServer> {
  const buildFile = path.join(ROOT, "build", "server", "index.js");
  if (!existsSync(buildFile)) {
    throw new Error("No app build at build/server/index.js — run `npm run build` (npm test does it for you).");
  }
  const build = (await import(/* @vite-ignore */ pathToFileURL(buildFile).href)) as ServerBuild;
  const handle = createRequestHandler(build, "production");
  const client = path.join(ROOT, "build", "client");
  return serveFetch(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/assets/")) {
      const file = path.join(client, path.normalize(decodeURIComponent(pathname)));
      if (!file.startsWith(client + path.sep) || !existsSync(file)) return new Response("Not found", { status: 404 });
      return new Response(readFileSync(file), { headers: { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" } });
    }
    return handle(request);
  });
}
