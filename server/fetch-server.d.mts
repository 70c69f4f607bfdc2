export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export declare function serveFetch(
  handler: (request: Request) => Promise<Response>,
  options?: { port?: number; host?: string; onError?: (e: unknown) => void },
): Promise<RunningServer>;
