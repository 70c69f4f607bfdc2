import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type UserConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

const port = Number(process.env.PORT ?? 3000);

export default defineConfig({
  server: { port, host: "localhost", fs: { allow: ["app", "node_modules"] } },
  plugins: [
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
