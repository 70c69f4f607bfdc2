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
