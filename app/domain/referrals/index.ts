export * from "./codes";
export * from "./states";
export * from "./fraud";
export * from "./settings";
