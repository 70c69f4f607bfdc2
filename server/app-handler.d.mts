import type { ServerBuild } from "@remix-run/node";
export declare function createAppHandler(build: ServerBuild, options: { clientDir: string; mode?: string }): (request: Request) => Promise<Response>;
