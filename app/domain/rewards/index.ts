// Public API of the rewards domain: pure rules, no I/O. See each module for the details.
export * from "./statuses";
export { DISCOUNT_KINDS, hasUsedState, kindTraits, REWARD_KIND_TRAITS, type RewardKindTraits } from "./kinds";
export * from "./transitions";
export * from "./codes";
export * from "./retry";
export * from "./failures";
export * from "./usage";
export * from "./settings";
export * from "./redemptions";
export * from "./options";
