// Serve a WHATWG fetch handler `(Request) => Promise<Response>` over node:http, on Node's own
// fetch classes (no polyfilled globals). Used by the production server (server.mjs) and by tests that
// run the app on a real port (test/support/app.ts); the development server (server/dev-server.mjs)
// answers through the same conversion (answerWithFetch) and parser refusals (answerParserRefusals).
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
 * A Host header's value: a DNS name or IPv4 address (letters, digits, `.`, `-`, `_`) or a bracketed
 * IPv6 address, and an optional port (https://www.rfc-editor.org/rfc/rfc9110#section-7.2,
 * https://www.rfc-editor.org/rfc/rfc3986#section-3.2.2). Anything else — empty, a space, a `/` or
 * `@` (which would move part of it into the URL's path or user), an unclosed `[` — names no server.
 */
const HOST = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The request's URL, or null when it can't be built from what the client sent. The authority is the
 * Host header (checked by HOST and by the URL parser: a port over 65535, a malformed IPv6 address);
 * HTTP/1.0 may leave it out (the server's own address is used). The path and query are the request
 * target's: in origin form (`/path?query`) appended as they are — `//robots.txt` is the path
 * `//robots.txt`, where `new URL(target, base)` would read `robots.txt` as a host — or taken from
 * the absolute form (`http://host/path`, https://www.rfc-editor.org/rfc/rfc9112#section-3.2.2).
 * Anything else (`*`, the authority form) is no path of the app.
 * @param {import("node:http").IncomingMessage} req
 * @param {string} fallbackHost
 * @returns {URL | null}
 */
export function requestUrl(req, fallbackHost) {
  const host = req.headers.host ?? (req.httpVersion === "1.0" ? fallbackHost : undefined);
  if (host === undefined || !HOST.test(host)) return null;
  const target = req.url ?? "";
  let pathAndQuery;
  if (target.startsWith("/")) pathAndQuery = target;
  else if (/^https?:\/\//i.test(target)) {
    try {
      const absolute = new URL(target);
      pathAndQuery = `${absolute.pathname}${absolute.search}`;
    } catch {
      return null;
    }
  } else return null;
  try {
    return new URL(`http://${host}${pathAndQuery}`);
  } catch {
    return null;
  }
}

/** What a client gets for a request whose Host header or request target names no URL. */
export const BAD_REQUEST_URL_MESSAGE =
  "This request has no valid Host header or request target (a host name with an optional port, and a path starting with /), so it names no page of this app.";

/**
 * What Node's HTTP parser refuses before any handler runs — a method it does not know (`FOO /`), a
 * malformed request line or header, headers over its 16 KB limit, a request that took longer than
 * the server's request time — answered as Node answers it (its default `clientError` handler: the
 * same status, and only while no response has started on the connection), but with a sentence:
 * Node's own answers have no body.
 * @param {unknown} error
 * @returns {{ status: string; sentence: string }}
 */
function parserRefusal(error) {
  const code = /** @type {{ code?: string }} */ (error)?.code;
  if (code === "HPE_HEADER_OVERFLOW") return { status: "431 Request Header Fields Too Large", sentence: "This request's headers are too large (at most 16 KB)." };
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") return { status: "413 Payload Too Large", sentence: "This request's chunk extensions are too large." };
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: "408 Request Timeout", sentence: "This request took too long to arrive; send it again." };
  return { status: "400 Bad Request", sentence: "This request is not well-formed HTTP (its method, request line or a header can't be read)." };
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @param {URL} url
 * @param {AbortSignal} signal
 */
function toRequest(req, url, signal) {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(key, v));
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? /** @type {ReadableStream} */ (Readable.toWeb(req)) : undefined,
    signal,
    // Required by undici for streamed request bodies.
    ...(hasBody ? { duplex: "half" } : {}),
  });
}

/**
 * Answers one node:http request with a fetch handler: the URL built from the Host header and target
 * (requestUrl; a 400 with a sentence when they name none), the body streamed in and out, the
 * handler's request aborted when the client leaves before the answer, and a handler that throws
 * reported and answered 500. The one conversion between Node and fetch: serveFetch (production, the
 * tests) and the development server (server/dev-server.mjs) both answer through it.
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 * @param {(request: Request) => Promise<Response>} handler
 * @param {{ fallbackHost: string; onError?: (e: unknown) => void }} options
 * `fallbackHost`: the server's own `host:port`, for an HTTP/1.0 request without a Host header.
 * @returns {Promise<void>}
 */
export async function answerWithFetch(req, res, handler, options) {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  try {
    // Node's own check of the Host header answers an empty 400 (serveFetch turns it off); this one
    // also refuses a Host that is present but names no server, with a sentence.
    const url = requestUrl(req, options.fallbackHost);
    if (!url) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      res.end(BAD_REQUEST_URL_MESSAGE);
      return;
    }
    const response = await handler(toRequest(req, url, controller.signal));
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
}

/**
 * Answers what Node's HTTP parser refuses (parserRefusal) on this server, in place of any answer
 * installed before. serveFetch and the development server (server/dev-server.mjs) install it.
 * @param {import("node:http").Server} server
 */
export function answerParserRefusals(server) {
  /** The response being written on each connection. */
  /** @type {WeakMap<import("node:net").Socket | import("node:stream").Duplex, import("node:http").ServerResponse>} */
  const responses = new WeakMap();
  // First among the server's request listeners, so it is known before any handler writes.
  server.prependListener("request", (req, res) => {
    responses.set(req.socket, res);
    // Once answered, the connection (kept alive) has no response in flight.
    res.on("finish", () => {
      if (responses.get(req.socket) === res) responses.delete(req.socket);
    });
  });
  server.removeAllListeners("clientError");
  server.on("clientError", (error, socket) => {
    const inFlight = responses.get(socket);
    if (!isClientGone(error) && socket.writable && !(inFlight && inFlight.headersSent)) {
      const { status, sentence } = parserRefusal(error);
      socket.write(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(sentence)}\r\nConnection: close\r\n\r\n${sentence}`);
    }
    socket.destroy();
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
  // requireHostHeader off: answerWithFetch checks the Host header itself, with a sentence.
  const server = http.createServer({ ...serverOptions, requireHostHeader: false }, (req, res) => {
    const address = /** @type {import("node:net").AddressInfo} */ (server.address());
    void answerWithFetch(req, res, handler, { fallbackHost: `${host}:${address.port}`, onError: options.onError });
  });
  answerParserRefusals(server);
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
