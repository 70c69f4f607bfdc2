import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as rewards from "./index";

const dir = path.dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

describe("public API", () => {
  it.each([
    "REWARD_STATUSES", "parseRewardStatus", "isVisibleToCustomer", "kindTraits", "hasUsedState", "checkTemplateSettings",
    "decideTransition", "usageOutcome",
    "generateCode", "generateGiftCardCode", "codeKey", "isValidDiscountCode",
    "nextAttemptDelay", "shouldGiveUp", "DEFAULT_RETRY_POLICY",
    "classifyFailure", "parseFailureReason", "isRetryableForCustomer",
    "extractOrderCodes", "orderFacts",
  ])("exports %s", (name) => {
    expect(rewards).toHaveProperty(name);
    expect((rewards as Record<string, unknown>)[name]).toBeDefined();
  });

  it.each(sources.map((f) => [f]))("%s imports only sibling modules and the domain's shared readers (pure domain code)", (file) => {
    const text = readFileSync(path.join(dir, file), "utf8");
    const specifiers = [...text.matchAll(/^\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
    for (const specifier of specifiers) {
      expect(specifier).toMatch(/^\.\.?\/[a-z-]+$/);
      // `../x`: a module at the root of app/domain (Shopify's ids and times, the text rule), itself
      // importing nothing.
      if (specifier.startsWith("../")) expect(readFileSync(path.join(dir, `${specifier}.ts`), "utf8"), specifier).not.toMatch(/^\s*import\s/m);
    }
    expect(text).not.toMatch(/\brequire\(|\bprocess\.(env|argv|exit|cwd)|\bBuffer\./);
  });
});
