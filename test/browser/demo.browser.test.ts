// GIVEN the README's demo command (`npm run demo`, here without the rebuild) on fresh ports and a
//       fresh SQLite file
// WHEN a merchant opens the URL it prints
// THEN the embedded admin home page renders with Polaris through the real authenticate.admin path
//      (session token from the emulator's admin host, token already exchanged), and a screenshot is saved;
//      a restart keeps the emulated shop beside the database, `--reset` reseeds both (second test).
import { spawn, type ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, TMP } from "../setup/databases";
import { launchBrowser, SCREENSHOTS } from "../support/browser";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let demo: ChildProcess | undefined;
const dbFile = path.join(TMP, `demo-${process.pid}.sqlite`);
const stateFile = path.join(TMP, `demo-${process.pid}.emulator.json`);

afterAll(() => {
  if (demo?.pid) {
    try {
      process.kill(-demo.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  for (const s of ["", "-wal", "-shm", "-journal"]) rmSync(dbFile + s, { force: true });
  rmSync(stateFile, { force: true });
});

let ports: { app: number; emulator: number; storefront: number } | undefined;

/** Starts `npm run demo` (scripts/demo.mjs, without the rebuild) on this file's ports and database. */
async function startDemo(args: string[] = []): Promise<{ adminUrl: string; output: string; log: () => string }> {
  ports ??= { app: await freePort(), emulator: await freePort(), storefront: await freePort() };
  // The demo's own defaults, not this test process's app configuration.
  const env = { ...process.env };
  for (const k of ["SHOPIFY_APP_URL", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SCOPES", "SHOPIFY_ADMIN_API_ORIGIN", "APP_BRIDGE_URL"]) delete env[k];
  demo = spawn(process.execPath, [path.join(ROOT, "scripts", "demo.mjs"), "--no-build", ...args], {
    cwd: ROOT,
    detached: true, // its own process group: the app server is a grandchild
    env: { ...env, PORT: String(ports.app), EMULATOR_PORT: String(ports.emulator), STOREFRONT_PORT: String(ports.storefront), DATABASE_URL: `file:${dbFile}`, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const adminUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not print its URLs:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Both URL lines, which may arrive in separate chunks.
      const m = /^DEMO_ADMIN_URL=(\S+)$/m.exec(output);
      if (m && /^DEMO_STOREFRONT_URL=\S+$/m.test(output)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    demo!.stdout!.on("data", onData);
    demo!.stderr!.on("data", onData);
    demo!.on("exit", (code) => reject(new Error(`demo exited (${code}):\n${output}`)));
  });
  return { adminUrl, output, log: () => output };
}

/** Ctrl-C for the whole demo (its process group), then waits until every port is free again. */
async function stopDemo(): Promise<void> {
  const proc = demo!;
  const exited = new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once("exit", () => resolve())));
  process.kill(-proc.pid!, "SIGTERM");
  await exited;
  for (const port of Object.values(ports!)) {
    await expect.poll(() => portInUse(port), { timeout: 30_000, interval: 200 }).toBe(false);
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

let redeemedCode: string | undefined;

describe("npm run demo", () => {
  it("prints an admin URL where the embedded home page renders", async () => {
    const { adminUrl, output, log } = await startDemo();
    const appPort = ports!.app;
    expect(output).toContain("Admin (open me):");

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(adminUrl, { waitUntil: "networkidle" });
      expect(page.url()).toContain(`http://localhost:${appPort}/app`);
      await expect(page.getByRole("heading", { name: "Loyalty rewards" }).first().isVisible()).resolves.toBe(true);
      // Polaris is rendered (its root class and tokens), not an error page.
      expect(await page.locator(".Polaris-Page").count()).toBeGreaterThan(0);
      // A client-side data request goes through the stand-in App Bridge's fetch patch (Bearer token).
      const status = await page.evaluate(async () => (await fetch("/app?_data=routes%2Fapp")).status);
      expect(status).toBe(200);
      await page.screenshot({ path: path.join(SCREENSHOTS, "demo-admin-home.png"), fullPage: true });

      // The storefront side: the theme extension rendered locally, talking to the app through the
      // signed app proxy, with the first demo customer (Ada, 2 400 points) signed in.
      const storefrontUrl = /^DEMO_STOREFRONT_URL=(\S+)$/m.exec(output)?.[1];
      expect(storefrontUrl).toBeTruthy();
      await page.goto(storefrontUrl!, { waitUntil: "networkidle" });
      const balance = page.locator('[data-lr-mode="inline"] [data-lr-balance]');
      await balance.waitFor();
      expect((await balance.textContent())?.replace(/\D/g, "")).toBe("2400");
      await page.screenshot({ path: path.join(SCREENSHOTS, "demo-storefront.png"), fullPage: true });

      // Redeem through the whole production path: proxy signature → app (server.mjs) → Admin API
      // on the emulator's HTTP server (SHOPIFY_ADMIN_API_ORIGIN) → code shown, balance debited.
      const inline = page.locator('[data-lr-mode="inline"]');
      const codesBefore = await inline.locator("[data-lr-rewards] code").allTextContents();
      await inline.getByRole("button", { name: /Redeem 500 points for \$5 off/ }).click();
      await inline.getByRole("button", { name: "Yes, redeem" }).click();
      await expect.poll(async () => (await balance.textContent())?.replace(/\D/g, ""), { timeout: 15_000 }).toBe("1900");
      const codesAfter = await inline.locator("[data-lr-rewards] code").allTextContents();
      expect(codesAfter.length).toBe(codesBefore.length + 1);
      redeemedCode = codesAfter.find((code) => !codesBefore.includes(code));

      // No noise: normal browsing leaves no stack trace in the demo's log.
      expect(log()).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      await page.screenshot({ path: path.join(SCREENSHOTS, "demo-storefront-redeemed.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 180_000);

  // GIVEN the demo above, where Ada redeemed points for a new code (in the database and in the
  //       emulated shop)
  // WHEN the demo is stopped and started again, then started with --reset
  // THEN after the restart the emulated shop still has the code (its state was kept beside the
  //      database) and the storefront still shows it with the lowered balance; after --reset both
  //      are reseeded together: the code is gone from both and the balance is back.
  it("keeps the emulated shop across a restart, and --reset reseeds both together", async () => {
    expect(redeemedCode).toMatch(/^LOYAL/);
    const shopifyAdmin = `http://127.0.0.1:${ports!.emulator}/admin-host/store/demo-loyalty.myshopify.com/admin`;
    const storefrontCustomer = async () => {
      const html = await (await fetch(`http://127.0.0.1:${ports!.storefront}/apps/loyalty/customer`, { headers: { accept: "application/json" } })).json();
      return html as { pointsBalance: number; rewards: Array<{ code: string; status: string }> };
    };

    await stopDemo();
    expect(existsSync(stateFile)).toBe(true);
    const restarted = await startDemo();
    expect(restarted.output).not.toContain("Resetting");
    expect(await (await fetch(shopifyAdmin)).text()).toContain(redeemedCode);
    const kept = await storefrontCustomer();
    expect(kept.pointsBalance).toBe(1900);
    expect(kept.rewards.find((r) => r.code === redeemedCode)?.status).toBe("ISSUED");

    await stopDemo();
    const reset = await startDemo(["--reset"]);
    expect(reset.output).toContain("Resetting the demo");
    expect(await (await fetch(shopifyAdmin)).text()).not.toContain(redeemedCode);
    const fresh = await storefrontCustomer();
    expect(fresh.pointsBalance).toBe(2400);
    expect(fresh.rewards.map((r) => r.code)).not.toContain(redeemedCode);
  }, 240_000);
});
