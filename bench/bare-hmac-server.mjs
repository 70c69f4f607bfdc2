// The baseline of bench/webhook-ingest.ts: a bare node:http server that only reads the body and
// verifies Shopify's webhook HMAC (base64 HMAC-SHA256 of the raw body with the app's secret), then
// answers 200 — no framework, no database. PORT and SHOPIFY_API_SECRET from the environment.
import http from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";

const secret = process.env.SHOPIFY_API_SECRET ?? "";
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const digest = createHmac("sha256", secret).update(Buffer.concat(chunks)).digest();
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
    const ok = given.length === digest.length && timingSafeEqual(given, digest);
    res.writeHead(ok ? 200 : 401).end();
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => console.log(`[bare] listening on ${server.address().port}`));
