// Standalone adapter: the emulator over HTTP (demo, benchmarks). A simulated network failure
// drops the connection.
import { DropConnection, serveFetch, type RunningServer } from "./node-http";
import { EmulatedNetworkError } from "./faults";
import type { ShopifyEmulator } from "./index";

export function serveEmulator(emulator: ShopifyEmulator, options: { port?: number; host?: string } = {}): Promise<RunningServer> {
  return serveFetch(
    async (request) => {
      try {
        return await emulator.handle(request);
      } catch (error) {
        if (error instanceof EmulatedNetworkError) throw new DropConnection();
        throw error;
      }
    },
    options,
  );
}
