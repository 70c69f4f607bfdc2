import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Tests: app/**, emulator/**, test/**. Each test file gets its own database and the error-log guard
// (test/setup/per-file.ts).
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["app/**/*.test.{ts,tsx}", "emulator/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts", "extensions/**/*.test.ts"],
    exclude: ["node_modules", "build", "test/browser/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/setup/global-setup.ts"],
    setupFiles: ["test/setup/per-file.ts"],
  },
});
