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
