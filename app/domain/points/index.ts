// Public API of the points domain: pure rules, no I/O (docs/decisions/019).
export * from "./settings";
export * from "./earning";
export * from "./ledger";
export * from "./signup";
