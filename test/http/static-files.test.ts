// GIVEN the production build on a real port (its static files come from the top-level public/ folder)
// WHEN a browser asks for the favicon, as it does on every admin page load
// THEN it is served (200, the file's bytes) and nothing is logged at error level — before public/
// existed every load logged Remix's "No route matches" stack trace. The error-log guard
// (test/setup/per-file.ts) fails a test that logs an error.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { allowErrorLogs } from "../support/error-logs";
import { ROOT } from "../setup/databases";

const app = useRunningApp();

describe("static files from public/", () => {
  it("GET /favicon.ico is 200 with the icon, cacheable, and logs nothing at error level", async () => {
    const res = await fetch(`${app.url}/favicon.ico`, { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/x-icon");
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(path.join(ROOT, "public", "favicon.ico")))).toBe(true);
  });

  it("GET /robots.txt keeps crawlers out of the app", async () => {
    const res = await fetch(`${app.url}/robots.txt`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("User-agent: *\nDisallow: /\n");
  });

  it("a file that does not exist is Remix's 404, logged below error level (app/entry.server.tsx handleError)", async () => {
    // Until audit 6 this asserted Remix's console.error stack trace for the 404, as proof that the
    // guard sees the running build's error lines; a 404 is no error, and that proof is now a real
    // server failure in test/http/unanswerable-requests.test.ts ("what is still an error").
    const logged = allowErrorLogs();
    const res = await fetch(`${app.url}/no-such-icon.png`, { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(404);
    await res.text();
    expect(logged.messages()).toEqual([]);
  });
});

describe("the admin's JS and CSS are served compressed", () => {
  // GIVEN the production build's entry script and stylesheets (the admin loads them on every page)
  async function assets(): Promise<string[]> {
    const { readdirSync } = await import("node:fs");
    const dir = path.join(ROOT, "build", "client", "assets");
    const files = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
    const pick = (ext: string) =>
      files
        .filter((f) => f.endsWith(ext))
        .map((f) => ({ f, size: readFileSync(path.join(dir, f)).length }))
        .sort((a, b) => b.size - a.size)[0].f;
    return [pick(".js"), pick(".css")].map((f) => `/assets/${f}`);
  }

  it("brotli when the browser accepts it, gzip otherwise, identity when neither, with Vary: Accept-Encoding", async () => {
    const { brotliDecompressSync, gunzipSync } = await import("node:zlib");
    const http = await import("node:http");
    // node:http, not fetch: fetch decodes the body and hides how it travelled.
    const get = (p: string, acceptEncoding: string | null) =>
      new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const req = http.get(`${app.url}${p}`, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on("error", reject);
      });
    for (const asset of await assets()) {
      const original = readFileSync(path.join(ROOT, "build", "client", asset));
      // WHEN a browser asks with each Accept-Encoding
      const br = await get(asset, "gzip, deflate, br");
      const gz = await get(asset, "gzip, deflate");
      const plain = await get(asset, null);
      // THEN the bytes are the file's, compressed as announced, and smaller
      expect(br.headers["content-encoding"], asset).toBe("br");
      expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
      expect(br.body.length).toBeLessThan(original.length / 2);
      expect(gz.headers["content-encoding"], asset).toBe("gzip");
      expect(gunzipSync(gz.body).equals(original)).toBe(true);
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.body.equals(original)).toBe(true);
      for (const r of [br, gz, plain]) expect(r.headers.vary).toBe("Accept-Encoding");
    }
  });
});
