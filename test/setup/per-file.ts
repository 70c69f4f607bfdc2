// Runs before each test file: its own database, the app's test configuration, and the error-log
// guard (test/support/error-logs.ts: a test that logs at error level fails unless it opts out).
import { afterAll, afterEach } from "vitest";
import { createTestDatabase } from "./databases";
import { TEST_APP } from "../support/constants";
import { checkErrorLogs, createLogHarness, watchConsoleError } from "../support/error-logs";

const database = await createTestDatabase();
process.env.DATABASE_URL = database.url;
process.env.SHOPIFY_API_KEY = TEST_APP.apiKey;
process.env.SHOPIFY_API_SECRET = TEST_APP.apiSecret;
process.env.SHOPIFY_APP_URL = TEST_APP.appUrl;
process.env.SCOPES = TEST_APP.scopes;
process.env.WORKER_IN_PROCESS = "false";
// Child processes (e.g. test/support/claim-child.ts) log as before; this process logs into the
// harness, which echoes lines at TEST_LOG_LEVEL and above (none by default).
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";
delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
delete process.env.APP_BRIDGE_URL;

// Before any app module loads: app/logger.server.ts reads it when it is first imported.
(globalThis as Record<symbol, unknown>)[Symbol.for("loyalty-rewards.log-harness")] = createLogHarness(process.env.TEST_LOG_LEVEL);
watchConsoleError();

afterEach(() => checkErrorLogs("test"));

afterAll(async () => {
  const db = (globalThis as { __loyaltyDb?: { $disconnect(): Promise<void> } }).__loyaltyDb;
  await db?.$disconnect();
  (globalThis as { __loyaltyDb?: unknown }).__loyaltyDb = undefined;
  await database.drop();
  checkErrorLogs("file");
});
