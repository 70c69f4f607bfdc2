// The reward dependencies (Shopify's Admin API for the shop, the clock, the logger) for webhook
// effects that call Shopify. Imported when first needed, then kept: deps.server imports
// shopify.server, which (through the lifecycle and webhook modules) imports the effects — a static
// import would make an import cycle that changes the order the server's modules start in; and a
// dynamic import() per delivery goes through the module loader (and any loader hooks) each time.
import type { Db } from "~/db.server";
import type { RewardDeps, defaultRewardDeps as DefaultRewardDeps } from "~/services/rewards/deps.server";

let depsModule: Promise<{ defaultRewardDeps: typeof DefaultRewardDeps }> | undefined;

export async function effectDeps(db: Db): Promise<RewardDeps> {
  depsModule ??= import("~/services/rewards/deps.server").catch((error: unknown) => {
    depsModule = undefined;
    throw error;
  });
  const { defaultRewardDeps } = await depsModule;
  return defaultRewardDeps({ db });
}
