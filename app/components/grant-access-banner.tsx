// "This reward needs access Shopify hasn't granted yet — Grant access": optional scopes (gift cards,
// store credit; shopify.app.toml optional_scopes) are asked for with App Bridge's scopes API
// (https://shopify.dev/docs/api/app-bridge-library/apis/scopes). Once the merchant approves, the app
// asks Shopify which scopes it now has (POST /app/scopes, app/routes/app.scopes.tsx) instead of
// waiting for app/scopes_update, and Remix re-reads the page's data, so the banner goes away at once.
// Used by the Issue reward modal and the Ways to redeem form.
import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Banner } from "@shopify/polaris";
import { OPTIONAL_ACCESS_EXPLANATION } from "~/copy/admin";

export function GrantAccessBanner({ missing }: { missing: string[] }) {
  const shopify = useAppBridge();
  const scopesFetcher = useFetcher<{ ok: boolean; message?: string }>();
  const [granting, setGranting] = useState(false);
  const [grantError, setGrantError] = useState<string | null>(null);
  if (missing.length === 0) return null;
  const grant = async () => {
    setGranting(true);
    setGrantError(null);
    try {
      const answer = await shopify.scopes.request(missing);
      if (answer.result !== "granted-all") setGrantError(OPTIONAL_ACCESS_EXPLANATION.declined);
      scopesFetcher.submit(null, { method: "post", action: "/app/scopes" });
    } catch (error) {
      setGrantError(error instanceof Error ? error.message : String(error));
    } finally {
      setGranting(false);
    }
  };
  return (
    <Banner
      tone="warning"
      title={OPTIONAL_ACCESS_EXPLANATION.title}
      action={{ content: OPTIONAL_ACCESS_EXPLANATION.action, onAction: () => void grant(), loading: granting || scopesFetcher.state !== "idle" }}
    >
      <p>{OPTIONAL_ACCESS_EXPLANATION.body}</p>
      {grantError ? <p>{grantError}</p> : null}
      {scopesFetcher.data && !scopesFetcher.data.ok ? <p>{scopesFetcher.data.message}</p> : null}
    </Banner>
  );
}
