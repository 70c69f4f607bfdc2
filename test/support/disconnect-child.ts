// A separate process for app/sqlite-checkpointer.server.test.ts: opens the database, writes, and
// ends with `await db.$disconnect()` as a script does; prints "disconnected" once that resolved.
import { createDb } from "~/db.server";

const db = createDb(process.env.DATABASE_URL);
await db.shop.upsert({ where: { domain: "disconnect-child.myshopify.com" }, create: { domain: "disconnect-child.myshopify.com" }, update: {} });
await db.$disconnect();
process.stdout.write("disconnected");
