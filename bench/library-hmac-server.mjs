// The second baseline of bench/webhook-ingest.ts: the bare server of bare-hmac-server.mjs, except
// that the HMAC is verified as the issue requires, with Shopify's own library
// (`@shopify/shopify-api`'s `webhooks.validate`, web-api adapter, as app/services/webhooks/receive.server.ts
// calls it: a Request carrying the six headers the pipeline uses). No framework, no database, no
// JSON parse: the most any app that verifies with the library on node:http can answer here.
// PORT and SHOPIFY_API_SECRET from the environment.
import http from "node:http";
import "@shopify/shopify-api/adapters/web-api";
import { LogSeverity, shopifyApi } from "@shopify/shopify-api";

const HEADERS = ["x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id", "x-shopify-triggered-at"];
const api = shopifyApi({
  apiKey: "bench",
  apiSecretKey: process.env.SHOPIFY_API_SECRET ?? "",
  apiVersion: "2026-10",
  hostName: "127.0.0.1",
  hostScheme: "http",
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const headers = new Headers();
    for (const name of HEADERS) {
      const value = req.headers[name];
      if (typeof value === "string") headers.set(name, value);
    }
    const check = await api.webhooks.validate({
      rawBody: Buffer.concat(chunks).toString("utf8"),
      rawRequest: new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers }),
    });
    res.writeHead(check.valid ? 200 : 401).end();
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => console.log(`[library] listening on ${server.address().port}`));
