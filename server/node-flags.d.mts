export declare const SERVER_NODE_FLAGS: readonly string[];
export declare function missingServerNodeFlags(from?: { execArgv?: readonly string[]; nodeOptions?: string }): string[];
export declare function setHeapGrowingPercent(percent: number): void;
