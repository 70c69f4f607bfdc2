// Shared HTTP answers of the webhook routes.

/** Webhooks are POSTs; anything else gets 405 (instead of Remix's "no loader" error). */
export function webhookGetNotAllowed(): Response {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
