// GIVEN the development server as `npm run dev` runs it — Vite's dev server with this repo's
//       vite.config.ts (Remix's plugin, the app loaded from source) — on a real port, and the
//       Shopify emulator signing storefront requests
// WHEN requests reach it that the production server refuses or treats specially (server/app-handler.mjs,
//      server/fetch-server.mjs): a method the path doesn't take (OPTIONS too), a URL that is no UTF-8,
//      a storefront request carrying Remix's `_data`, a Host naming no server, unparsable HTTP; or a
//      request through the CLI's tunnel (the host of SHOPIFY_APP_URL)
// THEN the same answers as `npm start`, from the same code (server/dev-server.mjs serves the dev
//      build through createAppHandler and answerWithFetch); a page, Vite's own module requests and
//      public/ files still work.
// One dev server for the file: starting it (Vite, Remix's plugin, the first SSR load of the app)
// takes seconds, the requests after it milliseconds.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import db from "~/db.server";
import { BROWSER_UA } from "./support/app";
import { installEmulatedShop, useShopifyEmulator } from "./support/shopify";
import { PROGRAM_SETTINGS_FORM, TEST_APP } from "./support/constants";
import { ROOT } from "./setup/databases";

const { emulator } = useShopifyEmulator();
let vite: ViteDevServer | undefined;
let url = "";

beforeAll(async () => {
  vite = await createServer({
    root: ROOT,
    configFile: path.join(ROOT, "vite.config.ts"),
    // A free port on loopback; no file watching (nothing is edited here) and no dependency
    // pre-bundling for the browser (no browser here) — what keeps the start short.
    server: { port: 0, host: "127.0.0.1", strictPort: true, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
    logLevel: "warn",
    clearScreen: false,
  });
  await vite.listen();
  url = vite.resolvedUrls!.local[0].replace(/\/$/, "");
  emulator.appUrl = url;
  await installEmulatedShop(emulator);
}, 120_000);

afterAll(async () => {
  await vite?.close();
});

describe("npm run dev applies the production handler's rules", () => {
  it("GIVEN PUT /app/program with a settings form THEN 405 with Allow before any authentication, nothing saved", async () => {
    await db.programSettings.deleteMany({ where: { shop: TEST_APP.shop } });
    const res = await fetch(`${url}/app/program`, {
      method: "PUT",
      redirect: "manual",
      headers: { "User-Agent": BROWSER_UA, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(PROGRAM_SETTINGS_FORM),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(await res.json()).toEqual({ ok: false, message: expect.stringContaining("doesn't take a PUT request") });
    expect(await db.programSettings.findUnique({ where: { shop: TEST_APP.shop } })).toBeNull();
  });

  it("GIVEN OPTIONS /app from a localhost page (a CORS preflight) THEN 405 like any other method, not Vite's CORS answer", async () => {
    const res = await fetch(`${url}/app`, { method: "OPTIONS", headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    await res.text();
  });

  it("GIVEN /auth/session-token?shop=%FF (an escape that is no UTF-8) THEN 400 before anything reads the URL", async () => {
    const res = await fetch(`${url}/auth/session-token?shop=%FF`, { redirect: "manual", headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(400);
    await res.text();
  });

  it("GIVEN a correctly signed storefront GET /program?_data=routes/apps-proxy.program THEN the program, as without the parameter", async () => {
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program?_data=routes/apps-proxy.program", null), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    expect([...res.headers.keys()].filter((name) => name.startsWith("x-remix"))).toEqual([]);
    expect(await res.json()).toMatchObject({ shop: TEST_APP.shop, loggedIn: false });
  });

  it("GIVEN a Host header with a port past 65535 (Vite lets it through) THEN 400 with a sentence (server/fetch-server.mjs requestUrl)", async () => {
    const http = await import("node:http");
    const { port } = new URL(url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/auth/login", headers: { host: "127.0.0.1:99999" } }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("no valid Host header");
  });

  it("GIVEN a request line Node's parser can't read (`FOO / HTTP/1.1`) THEN 400 with a sentence (answerParserRefusals), as `npm start` answers", async () => {
    const net = await import("node:net");
    const { port } = new URL(url);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = "";
      const socket = net.connect(Number(port), "127.0.0.1", () => socket.write("FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain("This request is not well-formed HTTP");
  });
});

describe("what the dev server already did still works", () => {
  it("GIVEN GET /auth/login THEN the login page (200, HTML)", async () => {
    const res = await fetch(`${url}/auth/login`, { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("<html");
  });

  it("GIVEN GET /@vite/client THEN Vite's HMR client (Vite's own middleware answers before the app)", async () => {
    const res = await fetch(`${url}/@vite/client`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    await res.text();
  });

  it("GIVEN GET /favicon.ico THEN the file from public/ (Vite's public-file middleware)", async () => {
    const res = await fetch(`${url}/favicon.ico`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});

describe("requests through the tunnel of `shopify app dev`", () => {
  it("GIVEN a request through `shopify app dev`'s tunnel (Host: the host of SHOPIFY_APP_URL) THEN served, not Vite's 403 for an unknown host", async () => {
    const http = await import("node:http");
    const { port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/auth/login", headers: { host: new URL(TEST_APP.appUrl).host, "user-agent": BROWSER_UA } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});
