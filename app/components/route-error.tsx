// Error pages for the admin routes: "not found" and "bad link" in plain words; anything else goes
// to the Shopify library's boundary (it renders its auth responses) and from there to the root.
import { isRouteErrorResponse } from "@remix-run/react";
import { Banner, Page } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";

export function RouteError({
  error,
  notFound,
  backUrl,
  backLabel,
}: {
  error: unknown;
  notFound: string;
  backUrl: string;
  backLabel: string;
}) {
  if (isRouteErrorResponse(error) && (error.status === 404 || error.status === 400)) {
    const message =
      error.status === 404
        ? notFound
        : typeof error.data === "object" && error.data && "message" in error.data
        ? String(error.data.message)
        : "This link is not valid.";
    return (
      <Page backAction={{ content: backLabel, url: backUrl }} title={error.status === 404 ? "Not found" : "Invalid link"}>
        <Banner tone={error.status === 404 ? "warning" : "critical"}>
          <p>{message}</p>
        </Banner>
      </Page>
    );
  }
  return boundary.error(error);
}
