// Serves a fetch handler `(Request) => Promise<Response>` over node:http: the emulator's standalone
// server (server.ts) and the local storefront host (storefront-host.ts). The emulator is a package of
// its own and imports nothing from the app, so it carries this small adapter rather than the app's
// production server (server/fetch-server.mjs); unlike that one it can drop a connection on purpose,
// which is how a simulated network failure reaches a client over real HTTP.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/** Thrown by a handler to make the client see a dropped connection instead of a response. */
export class DropConnection extends Error {
  constructor() {
    super("connection dropped on purpose");
  }
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function toRequest(req: http.IncomingMessage, origin: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(key, v));
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    signal,
    // Required by undici for streamed request bodies.
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

export async function serveFetch(
  handler: (request: Request) => Promise<Response>,
  options: { port?: number; host?: string } = {},
): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const server = http.createServer(async (req, res) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      const origin = `http://${req.headers.host ?? `${host}:${(server.address() as AddressInfo).port}`}`;
      const response = await handler(toRequest(req, origin, controller.signal));
      const headers: Record<string, string | string[]> = {};
      response.headers.forEach((value, key) => {
        if (key !== "set-cookie") headers[key] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) headers["set-cookie"] = cookies;
      res.writeHead(response.status, response.statusText, headers);
      if (response.body && req.method !== "HEAD") Readable.fromWeb(response.body as NodeReadableStream).pipe(res);
      else res.end();
    } catch (error) {
      if (error instanceof DropConnection) {
        req.socket.destroy();
        return;
      }
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    }
  });
  // Keep-alive sockets would keep close() waiting; tests open and close many servers.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
