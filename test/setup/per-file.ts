// Runs before each test file: its own database and the app's test configuration.
import { afterAll } from "vitest";
import { createTestDatabase } from "./databases";
import { TEST_APP } from "../support/constants";

const database = await createTestDatabase();
process.env.DATABASE_URL = database.url;
process.env.SHOPIFY_API_KEY = TEST_APP.apiKey;
process.env.SHOPIFY_API_SECRET = TEST_APP.apiSecret;
process.env.SHOPIFY_APP_URL = TEST_APP.appUrl;
process.env.SCOPES = TEST_APP.scopes;
process.env.WORKER_IN_PROCESS = "false";
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";
delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
delete process.env.APP_BRIDGE_URL;

afterAll(async () => {
  const db = (globalThis as { __loyaltyDb?: { $disconnect(): Promise<void> } }).__loyaltyDb;
  await db?.$disconnect();
  (globalThis as { __loyaltyDb?: unknown }).__loyaltyDb = undefined;
  await database.drop();
});
