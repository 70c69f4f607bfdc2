// GIVEN the production build on a real port (its static files come from the top-level public/ folder)
// WHEN a browser asks for the favicon, as it does on every admin page load
// THEN it is served (200, the file's bytes) and nothing is logged at error level — before public/
// existed every load logged Remix's "No route matches" stack trace. The error-log guard
// (test/setup/per-file.ts) fails a test that logs an error; the last test shows it sees the build's.
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

  it("a file that does not exist is still Remix's 404 — and the guard sees the error it logs", async () => {
    const logged = allowErrorLogs(); // this test is about the error the running build logs
    const res = await fetch(`${app.url}/no-such-icon.png`, { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(404);
    await res.text();
    expect(logged.messages().join("\n")).toMatch(/No route matches URL "\/no-such-icon.png"/);
  });
});
