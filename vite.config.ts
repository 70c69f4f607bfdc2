import { vitePlugin as remix } from "@remix-run/dev";
import { defaultAllowedOrigins, defineConfig, type UserConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { appHandlerInDev } from "./server/dev-server.mjs";

const port = Number(process.env.PORT ?? 3000);
// `shopify app dev` reaches this server through its tunnel, whose URL it sets as SHOPIFY_APP_URL: the
// requests carry the tunnel's host, which Vite refuses (403) unless it is allowed
// (https://vite.dev/config/server-options#server-allowedhosts). Without the variable (a plain
// `vite` run) only Vite's defaults: localhost and IP addresses.
const appUrl = process.env.SHOPIFY_APP_URL;
const allowedHosts = appUrl && URL.canParse(appUrl) ? [new URL(appUrl).hostname] : [];
// Vite's CORS headers for the origins it allows by default, but no answer of its own to a preflight
// (`preflightContinue`): OPTIONS reaches the app, whose method rule refuses it as `npm start` does
// (app/http-methods.server.ts; https://vite.dev/config/server-options#server-cors).
const cors = { origin: defaultAllowedOrigins, preflightContinue: true };

export default defineConfig({
  server: { port, host: "localhost", allowedHosts, cors, fs: { allow: ["app", "node_modules"] } },
  plugins: [
    // `npm run dev` answers through server/app-handler.mjs, as `npm start` does (server/dev-server.mjs).
    appHandlerInDev(),
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths(),
  ],
  build: {
    assetsInlineLimit: 0,
    rollupOptions: {
      // Server-only routes (webhooks, the app proxy, the CSV download) have no browser code, so
      // their client chunk is empty by design: Rollup's EMPTY_BUNDLE notice for them is noise on
      // every build. Every other warning is still shown.
      // Likewise shopify-app-remix's AppProvider imports Polaris's en.json `with { type: "json" }`
      // and the login route imports it plainly (adding the attribute there does not quiet Rollup):
      // INCONSISTENT_IMPORT_ATTRIBUTES about one JSON file that is the same data either way.
      onwarn(warning, warn) {
        if (warning.code === "EMPTY_BUNDLE") return;
        if (warning.code === "INCONSISTENT_IMPORT_ATTRIBUTES" && /polaris\/locales\/en\.json/.test(warning.message)) return;
        warn(warning);
      },
    },
  },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
}) satisfies UserConfig;
