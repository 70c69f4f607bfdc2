// The fetch that @shopify/shopify-api uses for Admin API calls.
// - Late-bound: it calls `globalThis.fetch` at request time, not the function captured when the
//   node adapter was imported, so request interceptors installed later (MSW in tests) see it.
// - With SHOPIFY_ADMIN_API_ORIGIN set (demo, benchmarks), `https://{shop}/admin/…` is sent to
//   `{origin}/{shop}/admin/…` on the local Shopify emulator instead. This changes only where the
//   request goes: it is signed, authenticated and validated exactly as against Shopify.
export function createAdminFetch(adminOrigin: string | undefined): typeof fetch {
  return (input: RequestInfo | URL, init?: RequestInit) => {
    if (!adminOrigin) return globalThis.fetch(input, init);
    const original = new URL(input instanceof Request ? input.url : String(input));
    if (original.pathname.startsWith("/admin/")) {
      const target = new URL(`/${original.host}${original.pathname}${original.search}`, adminOrigin);
      if (input instanceof Request) return globalThis.fetch(new Request(target, input), init);
      return globalThis.fetch(target, init);
    }
    return globalThis.fetch(input, init);
  };
}
