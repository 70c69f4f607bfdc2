// Standalone adapter: the emulator over HTTP (demo, benchmarks). A simulated network failure
// drops the connection.
import { DropConnection, serveFetch, type RunningServer } from "./node-http";
import { EmulatedNetworkError } from "./faults";
import type { ShopifyEmulator } from "./index";

/**
 * The emulator on a real port (the demo, benchmarks): the app reaches it through
 * SHOPIFY_ADMIN_API_ORIGIN with the path form `/{shop}/admin/api/…`.
 *
 * @example
 * const server = await serveEmulator(emulator, { port: 3001 });
 * // … SHOPIFY_ADMIN_API_ORIGIN = server.url
 * await server.close();
 */
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
