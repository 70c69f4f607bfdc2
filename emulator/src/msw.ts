// In-process adapter: MSW intercepts the app's outgoing requests to https://*.myshopify.com/admin/…
// and answers them from the emulator. A simulated network failure becomes a failed fetch.
import { http, HttpResponse, type HttpHandler } from "msw";
import { EmulatedNetworkError } from "./faults";
import type { ShopifyEmulator } from "./index";

/**
 * MSW handlers answering the app's Admin API and token-exchange calls from the emulator.
 *
 * @example
 * const server = setupServer(...mswHandlers(emulator));
 * beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
 * afterAll(() => server.close());
 */
export function mswHandlers(emulator: ShopifyEmulator): HttpHandler[] {
  return [
    http.all(/^https:\/\/[^/]+\/admin\/(api|oauth)\//, async ({ request }) => {
      try {
        return await emulator.handle(request);
      } catch (error) {
        // A simulated network failure, or the caller gave up (timeout/abort) while a fault hung.
        if (error instanceof EmulatedNetworkError || request.signal.aborted) return HttpResponse.error();
        throw error;
      }
    }),
  ];
}
