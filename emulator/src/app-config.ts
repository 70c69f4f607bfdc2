// The app's configuration as the emulator needs it: webhook subscriptions, app proxy and webhook API
// version, so it delivers webhooks where the app declared them (as Shopify does for app-specific
// subscriptions: https://shopify.dev/docs/apps/build/webhooks/subscribe#app-specific-subscriptions)
// and signs proxied requests for the app's proxy. The app passes it in (`appConfig` option); a
// deliberately small reader for the subset of shopify.app.toml's TOML is here for that.
import { readFileSync } from "node:fs";

export interface AppConfig {
  /** topic ("orders/create", "customers/redact", …) → path or URL. */
  webhookUris: Record<string, string>;
  appProxy: { url: string; prefix: string; subpath: string } | null;
  apiVersion: string;
  /**
   * `[access_scopes] optional_scopes`: scopes the app may ask for at run time with App Bridge's
   * scopes API (https://shopify.dev/docs/apps/build/authentication-authorization/app-installation/manage-access-scopes).
   */
  optionalScopes?: string[];
  /** `[access_scopes] scopes`: what an install grants. */
  requiredScopes?: string[];
}

function stringValue(block: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, "m").exec(block)?.[1];
}

function arrayValue(block: string, key: string): string[] {
  const m = new RegExp(`^\\s*${key}\\s*=\\s*\\[([^\\]]*)\\]`, "m").exec(block);
  return m ? [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]) : [];
}

/** No webhook subscriptions, no app proxy: what the emulator knows when the app passes nothing. */
export const EMPTY_APP_CONFIG: AppConfig = { webhookUris: {}, appProxy: null, apiVersion: "2026-10", optionalScopes: [] };

export function parseAppConfig(toml: string): AppConfig {
  // Drop comments (no '#' inside the strings we read).
  const text = toml.replace(/#.*$/gm, "");
  const webhookUris: Record<string, string> = {};
  for (const block of text.split(/^\s*\[\[webhooks\.subscriptions\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\s*\[/m)[0];
    const uri = stringValue(body, "uri");
    if (!uri) continue;
    for (const topic of [...arrayValue(body, "topics"), ...arrayValue(body, "compliance_topics")]) webhookUris[topic] = uri;
  }
  const proxyBlock = /^\s*\[app_proxy\]\s*$([\s\S]*?)(?=^\s*\[|$(?![\s\S]))/m.exec(text)?.[1];
  const appProxy = proxyBlock
    ? {
        url: stringValue(proxyBlock, "url") ?? "/apps-proxy",
        prefix: stringValue(proxyBlock, "prefix") ?? "apps",
        subpath: stringValue(proxyBlock, "subpath") ?? "",
      }
    : null;
  const webhooksBlock = /^\s*\[webhooks\]\s*$([\s\S]*?)(?=^\s*\[)/m.exec(text)?.[1] ?? "";
  const scopesBlock = /^\s*\[access_scopes\]\s*$([\s\S]*?)(?=^\s*\[|$(?![\s\S]))/m.exec(text)?.[1] ?? "";
  return { webhookUris, appProxy, apiVersion: stringValue(webhooksBlock, "api_version") ?? "2026-10", optionalScopes: arrayValue(scopesBlock, "optional_scopes"),
    requiredScopes: (stringValue(scopesBlock, "scopes") ?? "").split(",").map((x) => x.trim()).filter(Boolean) };
}

export function readAppConfig(file: string): AppConfig {
  return parseAppConfig(readFileSync(file, "utf8"));
}
