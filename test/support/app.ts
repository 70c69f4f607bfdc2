// Runs the app's production build (`npm run build`) on a real port inside the test process, with the
// same handler and server as production (server/app-handler.mjs: browser assets + Remix, served by
// server/fetch-server.mjs), so tests talk HTTP to it while its outgoing Admin API calls are
// intercepted in-process (MSW → emulator).
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll } from "vitest";
import type { ServerBuild } from "@remix-run/node";
import { createAppHandler } from "../../server/app-handler.mjs";
import { serveFetch, type RunningServer } from "../../server/fetch-server.mjs";
import type { ShopifyEmulator } from "@loyalty/shopify-emulator";
import { ROOT } from "../setup/databases";

export type { RunningServer };

export const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/**
 * `options.onError`: what the server reports (production's server.mjs logs it with console.error);
 * `options.onHandled`: told after each request's handler settled, answered or thrown.
 */
export async function startApp(options: { onError?: (error: unknown) => void; onHandled?: () => void } = {}): Promise<RunningServer> {
  const buildFile = path.join(ROOT, "build", "server", "index.js");
  if (!existsSync(buildFile)) {
    throw new Error("No app build at build/server/index.js — run `npm run build` (npm test does it for you).");
  }
  const build = (await import(/* @vite-ignore */ pathToFileURL(buildFile).href)) as ServerBuild;
  const handler = createAppHandler(build, { clientDir: path.join(ROOT, "build", "client") });
  const handled = options.onHandled;
  return serveFetch(
    handled
      ? async (request) => {
          try {
            return await handler(request);
          } finally {
            handled();
          }
        }
      : handler,
    options.onError ? { onError: options.onError } : {},
  );
}

export interface RunningAppOptions {
  /** The emulated Shopify of this file (test/support/shopify.ts): it delivers webhooks and proxied
   *  storefront requests to the app, so its appUrl is set once the app listens. */
  emulator?: ShopifyEmulator;
  /** Environment the app reads when its build is first imported (app/env.server.ts), set before the
   *  start and removed after the file. */
  env?: Record<string, string>;
}

/**
 * The app for this test file: started in beforeAll (register it before the file's own beforeAll
 * hooks that need it), closed in afterAll. `app.url` is the base URL once started.
 *
 * @example
 * const { emulator } = useShopifyEmulator();
 * const app = useRunningApp({ emulator });
 * beforeAll(() => installEmulatedShop(emulator));
 * it("serves the storefront's program", async () => {
 *   const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program", null)); // signed, to app.url
 *   expect(res.status).toBe(200);
 * });
 * it("rejects an unsigned request", async () => expect((await fetch(`${app.url}/apps-proxy/program`)).status).toBe(400));
 */
export function useRunningApp(options: RunningAppOptions = {}): { readonly url: string } {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    Object.assign(process.env, options.env);
    // What the server reports — a handler that threw, a response body that failed while streaming —
    // production logs at error level (server.mjs); here it reaches the error-log guard the same way
    // (console.error), so a server-level 500 fails the test instead of passing in silence.
    server = await startApp({ onError: (error) => console.error("the server reported an error:", error) });
    if (options.emulator) options.emulator.appUrl = server.url;
  });
  afterAll(async () => {
    for (const key of Object.keys(options.env ?? {})) delete process.env[key];
    await server?.close();
  });
  return {
    get url() {
      if (!server) throw new Error("the app is not running: use app.url inside tests or hooks after useRunningApp's beforeAll");
      return server.url;
    },
  };
}

export type AdminFetch = (path: string, init?: RequestInit & { shop?: string; route?: string }) => Promise<Response>;

/**
 * Requests to the running app's admin as App Bridge sends them: a browser User-Agent and the shop's
 * session token (signed by the emulator) as `Authorization: Bearer`. `route` makes it a Remix data
 * request (`?_data=<route id>`: the loader's or action's JSON); `shop` defaults to `defaultShop`.
 */
export function adminFetcher(app: { readonly url: string }, emulator: ShopifyEmulator, defaultShop: string): AdminFetch {
  return (path, init = {}) => {
    const url = new URL(path, app.url);
    const { shop = defaultShop, route, ...rest } = init;
    if (route) url.searchParams.set("_data", route);
    return fetch(url, { ...rest, headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(shop)}`, ...(rest.headers ?? {}) } });
  };
}
