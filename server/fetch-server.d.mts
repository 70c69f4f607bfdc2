import type { IncomingMessage } from "node:http";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
/** How long a client may take to send a whole request (ms). */
export declare const REQUEST_TIMEOUT_MS: number;
export declare function serveFetch(
  handler: (request: Request) => Promise<Response>,
  options?: { port?: number; host?: string; onError?: (e: unknown) => void; requestTimeoutMs?: number },
): Promise<RunningServer>;
/** The URL of a request as the server builds it from its Host header and target; null when it names none. */
export declare function requestUrl(req: IncomingMessage, fallbackHost: string): URL | null;
/** The body of the 400 for a request whose Host header or target names no URL. */
export declare const BAD_REQUEST_URL_MESSAGE: string;
