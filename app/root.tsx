import type { ReactNode } from "react";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";

function Document({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <Document>
      <Outlet />
    </Document>
  );
}

/**
 * What a request no route can answer gets (a path the app does not serve, an error no page caught).
 * Remix's default boundary writes every such error to console.error from the render, on top of
 * what the server's handleError already logged (app/entry.server.tsx) — an error-level line for
 * each request to /wp-login.php. This one only renders.
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? (error.status === 404 ? "Page not found" : `${error.status} ${error.statusText}`) : "Something went wrong";
  return (
    <Document>
      <main style={{ fontFamily: "system-ui, sans-serif", padding: "2rem" }}>
        <h1>{title}</h1>
      </main>
    </Document>
  );
}
