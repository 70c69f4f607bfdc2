// The registry of reward kind adapters: the one place that knows which module handles which kind.
import type { RewardKind } from "~/domain/rewards";
import { discountCodeAdapter } from "./discount-code.server";
import { freeProductAdapter } from "./free-product.server";
import { giftCardAdapter } from "./gift-card.server";
import { storeCreditAdapter } from "./store-credit.server";
import type { RewardKindAdapter } from "./types.server";

export type * from "./types.server";

export const REWARD_KIND_ADAPTERS: readonly RewardKindAdapter[] = [discountCodeAdapter, freeProductAdapter, giftCardAdapter, storeCreditAdapter];

const BY_KIND = new Map<RewardKind, RewardKindAdapter>(REWARD_KIND_ADAPTERS.flatMap((a) => a.kinds.map((k) => [k, a] as const)));

/** The adapter for a kind; every kind of app/domain/rewards/kinds.ts has one (checked by a test). */
export function adapterFor(kind: RewardKind): RewardKindAdapter {
  const adapter = BY_KIND.get(kind);
  if (!adapter) throw new Error(`no adapter for reward kind ${kind}`);
  return adapter;
}
