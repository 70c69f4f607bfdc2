// Raw HTTP for tests that need what fetch() can't do: a body sent with Transfer-Encoding: chunked
// (no Content-Length), stopped as soon as the server answers. Written on a raw socket: MSW (which
// intercepts node:http in tests) would buffer the whole body first.
import net from "node:net";

export interface ChunkedResult {
  status: number;
  /** The response body (chunked transfer framing removed). */
  body: string;
  /** How many body bytes were sent before the server's answer stopped the sender. */
  sent: number;
}

/** Whether a raw HTTP/1.1 response (head and body as received so far) is complete. */
function complete(raw: string): boolean {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = raw.slice(0, end).toLowerCase();
  const body = raw.slice(end + 4);
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) return Buffer.byteLength(body) >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return /(^|\r\n)0\r\n\r\n$/.test(body);
  return false;
}

function unchunk(head: string, body: string): string {
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) return body;
  let out = "";
  let rest = body;
  for (;;) {
    const line = rest.indexOf("\r\n");
    if (line < 0) return out;
    const size = parseInt(rest.slice(0, line), 16);
    if (!size) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

/**
 * POSTs a body with Transfer-Encoding: chunked (no Content-Length), `chunk` repeated up to `total`
 * bytes, and stops sending as soon as the server answers. Returns the status, the body and how much
 * was sent. `url` may carry a query string (a signed app-proxy URL, a Remix `_data` request).
 */
export function postChunked(url: string | URL, headers: Record<string, string>, chunk: Buffer, total: number): Promise<ChunkedResult> {
  const target = new URL(String(url));
  return new Promise((resolve, reject) => {
    let sent = 0;
    let response = "";
    let answered = false;
    let settled = false;
    const socket = net.connect(Number(target.port), target.hostname, () => {
      const head = [`POST ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, "Transfer-Encoding: chunked", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
      socket.write(head);
      pump();
    });
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!socket.write(frame)) return void socket.once("drain", pump);
      }
      if (!answered) socket.write("0\r\n\r\n");
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
      if (!status) return reject(new Error(`no HTTP response (sent ${sent} bytes)`));
      const end = response.indexOf("\r\n\r\n");
      resolve({ status, body: unchunk(response.slice(0, end), response.slice(end + 4)), sent });
    };
    socket.on("data", (data) => {
      answered = true;
      response += data.toString("utf8");
      if (complete(response)) {
        socket.destroy();
        finish();
      }
    });
    socket.on("error", () => (answered ? finish() : reject(new Error(`connection failed after ${sent} bytes`))));
    socket.on("close", () => (answered ? finish() : reject(new Error(`closed without an answer after ${sent} bytes`))));
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The response body (chunked transfer framing removed). */
  body: string;
}

export interface RawRequest {
  method?: string;
  /** The request target exactly as written on the request line (`/assets/%C0%AF.js`, `//robots.txt`). */
  target: string;
  /** The Host header's value as sent; `null` sends none. Defaults to the server's host and port. */
  host?: string | null;
  /** Further header lines, written as given. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * Sends this Content-Length instead of the body's (with `hangUp`: a client that promises more than
   * it sends).
   */
  contentLength?: number;
  /** Close the connection right after the (partial) body is written, without waiting for an answer. */
  hangUp?: boolean;
}

/**
 * One HTTP/1.1 request written byte for byte on a raw socket, for what fetch() and node:http would
 * normalise or refuse to send: a path with percent-escapes that are not UTF-8, a missing, empty or
 * malformed Host header, a request target starting with `//`, a body cut short. The request asks
 * for `Connection: close`, so the answer is everything up to the server's close. With `hangUp` the
 * socket is closed once the request is written and the promise resolves to null.
 */
export function rawRequest(base: string | URL, request: RawRequest): Promise<RawResponse | null> {
  const server = new URL(String(base));
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const lines = [`${request.method ?? "GET"} ${request.target} HTTP/1.1`];
  const host = request.host === undefined ? server.host : request.host;
  if (host !== null) lines.push(`Host: ${host}`);
  for (const [key, value] of Object.entries(request.headers ?? {})) lines.push(`${key}: ${value}`);
  if (body !== undefined || request.contentLength !== undefined) lines.push(`Content-Length: ${request.contentLength ?? body!.length}`);
  lines.push("Connection: close", "", "");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(server.port), server.hostname, () => {
      socket.write(lines.join("\r\n"));
      if (body !== undefined) socket.write(body);
      if (request.hangUp) socket.end(() => socket.destroy());
    });
    socket.on("data", (data: Buffer) => chunks.push(data));
    socket.on("error", (error) => (request.hangUp ? undefined : reject(error)));
    socket.on("close", () => {
      if (request.hangUp) return resolve(null);
      const raw = Buffer.concat(chunks).toString("utf8");
      const end = raw.indexOf("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      if (!status || end < 0) return reject(new Error(`no HTTP response to ${request.method ?? "GET"} ${request.target}`));
      const head = raw.slice(0, end);
      const headers: Record<string, string> = {};
      for (const line of head.split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: unchunk(head, raw.slice(end + 4)) });
    });
  });
}
