// Authenticates a webhook delivery with the library (HMAC over the raw body, required headers) and
// turns every kind of bad input into a clear 4xx instead of a 500:
//   413 body over the limit · 405 not POST · 401 bad HMAC · 400 missing headers or body not JSON.
import { authenticate } from "~/shopify.server";

/** Shopify's largest payloads (big orders) stay well under this. */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export type WebhookContext = Awaited<ReturnType<typeof authenticate.webhook>>;

export async function receiveWebhook(request: Request, maxBytes = MAX_WEBHOOK_BYTES): Promise<WebhookContext> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new Response("Payload Too Large", { status: 413 });
  try {
    return await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response) throw error;
    // The library JSON.parses the body after the HMAC check.
    if (error instanceof SyntaxError) throw new Response("Bad Request: the body is not JSON", { status: 400 });
    throw error;
  }
}
