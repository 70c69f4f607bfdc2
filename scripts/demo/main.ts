// The offline demo: the Shopify emulator (Admin API, token exchange, webhooks, local admin host)
// on one port, the app's production build on another, a seeded SQLite database — and the URL to
// open. Started by `npm run demo` (scripts/demo.mjs prepares install, database and build first).
import { spawn } from "node:child_process";
import path from "node:path";
import { createShopifyEmulator, readAppConfig, type StoreSnapshot } from "@loyalty/shopify-emulator";
import { serveEmulator } from "@loyalty/shopify-emulator/server";
import { serveStorefrontHost } from "@loyalty/shopify-emulator/storefront-host";
import { createDb } from "../../app/db.server";
import { seedDemo, DEMO_SHOP } from "./seed";
import { demoStatePaths, readDemoState, writeDemoState } from "../lib/demo-state.mjs";
import { SERVER_NODE_FLAGS } from "../../server/node-flags.mjs";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const appPort = Number(process.env.PORT ?? 3000);
const emulatorPort = Number(process.env.EMULATOR_PORT ?? 3001);
const storefrontPort = Number(process.env.STOREFRONT_PORT ?? 3002);
const appUrl = process.env.SHOPIFY_APP_URL ?? `http://localhost:${appPort}`;
const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;

const env = {
  SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "demo-api-key",
  SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? "demo-api-secret-not-for-production",
  SCOPES: process.env.SCOPES ?? "read_customers,read_discounts,write_discounts,read_gift_cards,write_gift_cards,read_orders,write_app_proxy,read_store_credit_accounts,write_store_credit_account_transactions,read_products",
  DATABASE_URL: process.env.DATABASE_URL ?? "file:./dev.sqlite",
};

async function main() {
  const emulator = createShopifyEmulator({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecret: env.SHOPIFY_API_SECRET,
    appUrl,
    appConfig: readAppConfig(path.join(ROOT, "shopify.app.toml")),
  });
  // The emulated shop as the last run left it (README "Run the demo"): the codes the app issued,
  // their usage and gift card balances, so the database and Shopify agree after a restart.
  const { stateFile } = demoStatePaths(env.DATABASE_URL);
  const saved = readDemoState(stateFile);
  if (saved) emulator.store.restore(saved as StoreSnapshot);
  const server = await serveEmulator(emulator, { port: emulatorPort, host: "127.0.0.1" });

  process.env.SCOPES = env.SCOPES;
  const db = createDb(env.DATABASE_URL);
  const seeded = await seedDemo(db, emulator, { shop: DEMO_SHOP });
  await db.$disconnect();

  // Saved whenever it changed (checked each second) and at exit.
  let lastSaved = "";
  const save = () => {
    const snapshot = emulator.store.serialize();
    const text = JSON.stringify(snapshot);
    if (text === lastSaved) return;
    writeDemoState(stateFile, snapshot);
    lastSaved = text;
  };
  save();
  setInterval(save, 1000).unref();

  const app = spawn(process.execPath, [...SERVER_NODE_FLAGS, path.join(ROOT, "server.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      ...env,
      NODE_ENV: "production",
      PORT: String(appPort),
      SHOPIFY_APP_URL: appUrl,
      SHOPIFY_ADMIN_API_ORIGIN: emulatorUrl,
      APP_BRIDGE_URL: `${emulatorUrl}/admin-host/app-bridge.js`,
    },
  });
  app.stdout?.on("data", (chunk: Buffer) => process.stdout.write(`[app] ${chunk}`));

  // Wait until the app answers.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${appUrl}/auth/login`);
      if (res.status < 500) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline || app.exitCode !== null) throw new Error("the app did not start");
    await new Promise((r) => setTimeout(r, 250));
  }

  // The storefront: the theme extension's Liquid rendered locally, its /apps/loyalty/* requests
  // forwarded to the app signed as Shopify's app proxy does, with the first demo customer signed in.
  const firstCustomer = emulator.store.listCustomers(DEMO_SHOP)[0];
  const storefront = await serveStorefrontHost(
    { app: appUrl, emulator, extensionDir: path.join(ROOT, "extensions", "loyalty-rewards"), shop: DEMO_SHOP, customerId: firstCustomer?.id ?? null },
    { port: storefrontPort, host: "127.0.0.1" },
  );

  const adminUrl = `${emulatorUrl}/admin-host/store/${DEMO_SHOP}/apps/loyalty-rewards`;
  console.log("");
  console.log("Loyalty Rewards demo is running (Ctrl-C to stop).");
  console.log(`  Shop:            ${seeded.shop} — ${seeded.customers} customers, ${seeded.rewards} rewards`);
  console.log(`  Admin (open me): ${adminUrl}`);
  console.log(`  Storefront:      ${storefront.url}/ (signed in as ${firstCustomer?.firstName ?? "nobody"}; the loyalty widget is the app embed)`);
  console.log(`  Cart, checkout:  ${storefront.url}/cart (apply a reward code, abandon or complete the order)`);
  console.log(`  Shopify admin:   ${emulatorUrl}/admin-host/store/${DEMO_SHOP}/admin (deactivate/delete discounts, uninstall/reinstall, privacy requests, faults)`);
  console.log(`  Shopify emulator: ${emulatorUrl} (Admin API ${emulatorUrl}/${DEMO_SHOP}/admin/api/2026-10/graphql.json)`);
  console.log(`  App:              ${appUrl}`);
  console.log(`  Emulator state:   ${stateFile} (kept across restarts; \`npm run demo -- --reset\` reseeds it with the database)`);
  console.log(`DEMO_ADMIN_URL=${adminUrl}`);
  console.log(`DEMO_STOREFRONT_URL=${storefront.url}/`);

  const stop = async () => {
    save();
    app.kill("SIGTERM");
    await storefront.close();
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  app.on("exit", (code) => {
    save();
    console.error(`the app exited (${code})`);
    void server.close().then(() => process.exit(code ?? 1));
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
