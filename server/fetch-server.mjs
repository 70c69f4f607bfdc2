// Serve a WHATWG fetch handler `(Request) => Promise<Response>` over node:http, on Node's own
// fetch classes (no polyfilled globals). Used by the production server (server.mjs) and by tests that
// run the app on a real port (test/support/app.ts).
import http from "node:http";
import { Readable, pipeline } from "node:stream";

/**
 * How long a client may take to send a whole request (Node's own default is 300 s). Shopify allows a
 * webhook delivery 5 s for the whole exchange (https://shopify.dev/docs/apps/build/webhooks/subscribe/https),
 * and every other request the app takes is a small form or JSON body; a sender trickling a body in
 * would otherwise hold its connection — and its share of the bodies being read at once
 * (BODY_BYTES_IN_FLIGHT, app/request-input.server.ts) — for five minutes.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The client closed the connection before the body was sent: not an error of the app.
 * @param {unknown} error
 */
function isClientGone(error) {
  const code = /** @type {{ code?: string }} */ (error)?.code;
  return code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET" || code === "EPIPE";
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @param {string} origin
 * @param {AbortSignal} signal
 */
function toRequest(req, origin, signal) {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(key, v));
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? /** @type {ReadableStream} */ (Readable.toWeb(req)) : undefined,
    signal,
    // Required by undici for streamed request bodies.
    ...(hasBody ? { duplex: "half" } : {}),
  });
}

/**
 * @param {(request: Request) => Promise<Response>} handler
 * `requestTimeoutMs` (default REQUEST_TIMEOUT_MS): how long a client may take to send a whole
 * request, headers and body; Node answers 408 and closes the connection after it.
 * @param {{ port?: number; host?: string; onError?: (e: unknown) => void; requestTimeoutMs?: number }} [options]
 * @returns {Promise<{ url: string; port: number; close(): Promise<void> }>}
 */
export async function serveFetch(handler, options = {}) {
  const host = options.host ?? "127.0.0.1";
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const serverOptions = {
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 20_000),
    // How often Node looks for requests over their time (its default, 30 s, would let one live a minute).
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(requestTimeout / 4))),
  };
  const server = http.createServer(serverOptions, async (req, res) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      const address = /** @type {import("node:net").AddressInfo} */ (server.address());
      const origin = `http://${req.headers.host ?? `${host}:${address.port}`}`;
      const response = await handler(toRequest(req, origin, controller.signal));
      /** @type {Record<string, string | string[]>} */
      const headers = {};
      response.headers.forEach((value, key) => {
        if (key !== "set-cookie") headers[key] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) headers["set-cookie"] = cookies;
      res.writeHead(response.status, response.statusText, headers);
      if (response.body && req.method !== "HEAD") {
        // pipeline, not pipe: a body that fails half-way (e.g. a CSV export whose query errors) must
        // end this response — the connection is cut, so the client sees an incomplete download —
        // and be reported, never become an unhandled 'error' event that takes the process down.
        pipeline(Readable.fromWeb(/** @type {import("node:stream/web").ReadableStream} */ (response.body)), res, (error) => {
          if (error && !isClientGone(error)) options.onError?.(error);
        });
      } else {
        res.end();
      }
    } catch (error) {
      // A sender that went away before its body was all sent (the handler's read of the body failed
      // with it) is no failure of the app: nothing to report, and no one to answer.
      if (!(isClientGone(error) && req.destroyed)) options.onError?.(error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    }
  });
  // Keep-alive sockets would keep close() waiting; tests open and close many servers.
  server.keepAliveTimeout = 5000;
  await new Promise((resolve) => server.listen(options.port ?? 0, host, () => resolve(undefined)));
  const port = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve(undefined)));
      }),
  };
}
