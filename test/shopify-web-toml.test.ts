// GIVEN shopify.web.toml, the file `shopify app dev` (`npm run dev`) reads to start the app's web process
//       (https://shopify.dev/docs/apps/build/cli-for-apps/app-structure)
// THEN it declares one process for both roles, points the CLI's app/uninstalled at the route
//      shopify.app.toml subscribes, and its dev command runs scripts and a Vite config that exist.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readAppConfig } from "@loyalty/shopify-emulator";

const root = path.resolve(import.meta.dirname, "..");
const web = readFileSync(path.join(root, "shopify.web.toml"), "utf8").replace(/#.*$/gm, "");
const value = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*(.+)$`, "m").exec(web)?.[1].trim();

describe("shopify.web.toml", () => {
  it("GIVEN the web process THEN it serves both roles", () => {
    expect(value("roles")).toBe('["frontend", "backend"]');
  });

  it("GIVEN webhooks_path THEN it is the app/uninstalled subscription of shopify.app.toml, and that route exists", () => {
    const config = readAppConfig(path.join(root, "shopify.app.toml"));
    expect(value("webhooks_path")).toBe(`"${config.webhookUris["app/uninstalled"]}"`);
    expect(existsSync(path.join(root, "app", "routes", "webhooks.app.uninstalled.tsx"))).toBe(true);
  });

  it("GIVEN the dev command THEN it applies the migrations with package.json's setup script, then starts Vite's dev server on the port the CLI passes", () => {
    const dev = JSON.parse(value("dev") ?? "null") as string | null;
    expect(dev).toBe("npm run setup && npm exec remix vite:dev");
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.setup).toMatch(/migrate deploy/);
    expect(pkg.scripts.dev).toBe("shopify app dev");
    expect(readFileSync(path.join(root, "vite.config.ts"), "utf8")).toMatch(/process\.env\.PORT/);
  });
});
