import type { IncomingMessage, Server, ServerResponse } from "node:http";

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
/** Answers one node:http request with a fetch handler (the one Node ⇄ fetch conversion). */
export declare function answerWithFetch(
  req: IncomingMessage,
  res: ServerResponse,
  handler: (request: Request) => Promise<Response>,
  options: { fallbackHost: string; onError?: (e: unknown) => void },
): Promise<void>;
/** Answers what Node's HTTP parser refuses on this server, with a sentence. */
export declare function answerParserRefusals(server: Server): void;
