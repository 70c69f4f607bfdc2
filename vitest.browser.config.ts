import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Browser tests: Debian's Chromium driven by playwright-core against the app's production build
// (`npx remix vite:build` first). Run with `npx vitest run --config vitest.browser.config.ts`.
// Same per-file database set-up as vitest.config.ts; one file at a time (one Chromium at a time on
// a 2-core CI machine).
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/browser/**/*.browser.test.ts"],
    exclude: ["node_modules", "build"],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: "forks",
    fileParallelism: false,
    globalSetup: ["test/setup/global-setup.ts"],
    setupFiles: ["test/setup/per-file.ts"],
  },
});
