import type { Plugin } from "vite";
/** The Vite plugin that serves the app in development through server/app-handler.mjs. */
export declare function appHandlerInDev(): Plugin;
