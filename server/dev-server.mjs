// `npm run dev` (`shopify app dev` runs Vite's dev server with vite.config.ts): the app is answered by
// the same handler as under `npm start` and in the tests (server/app-handler.mjs), on the server build
// Vite compiles from source, instead of by the request handler of Remix's Vite plugin — so the rules
// that handler applies (unreadable URLs, the method rule, storefront requests as Shopify signed them,
// refusal sentences, the webhook path) and the Node ⇄ fetch conversion (server/fetch-server.mjs) hold
// in development too.
import http from "node:http";
import path from "node:path";
import { createAppHandler } from "./app-handler.mjs";
import { answerParserRefusals, answerWithFetch } from "./fetch-server.mjs";

/** The server build, as Remix's Vite plugin exposes it to the dev server (@remix-run/dev). */
const SERVER_BUILD = "virtual:remix/server-build";

/**
 * The Vite plugin. Vite's own middlewares (/@vite/*, module transforms, HMR, public/ files) still
 * answer first: a plugin's middleware returned from `configureServer` is installed after them
 * (https://vite.dev/guide/api-plugin#configureserver). Remix's plugin installs its handler the same
 * way and it answers every request it gets (node_modules/@remix-run/dev/dist/vite/plugin.js,
 * `configureServer`), so this one is ordered before it ("pre"), and Remix's is never reached.
 * @returns {import("vite").Plugin}
 */
export function appHandlerInDev() {
  return {
    name: "loyalty-rewards:app-handler",
    apply: "serve",
    configureServer: {
      order: "pre",
      handler(vite) {
        if (vite.httpServer instanceof http.Server) answerParserRefusals(vite.httpServer);
        return () => {
          // In middleware mode another server owns the requests (Remix's plugin steps aside too).
          if (vite.config.server.middlewareMode) return;
          /** @type {WeakMap<object, (request: Request) => Promise<Response>>} */
          const handlers = new WeakMap();
          vite.middlewares.use(async (req, res, next) => {
            let build;
            try {
              // Per request, as Remix's plugin does: the same module until a file changes, then the
              // new one (Vite's module graph), so edits show without a restart.
              build = /** @type {import("@remix-run/node").ServerBuild} */ (await vite.ssrLoadModule(SERVER_BUILD));
            } catch (error) {
              // A module that doesn't compile: Vite's error page, as before.
              next(error);
              return;
            }
            let handler = handlers.get(build);
            if (!handler) {
              // public/ is what the build copies to build/client: the same files take GET and HEAD only.
              handler = createAppHandler(build, { clientDir: vite.config.publicDir || path.join(vite.config.root, "public"), mode: "development" });
              handlers.set(build, handler);
            }
            const { localAddress = "localhost", localPort } = req.socket;
            await answerWithFetch(req, res, handler, {
              fallbackHost: `${localAddress.includes(":") ? `[${localAddress}]` : localAddress}:${localPort}`,
              onError: (error) => {
                if (error instanceof Error) vite.ssrFixStacktrace(error);
                console.error(error);
              },
            });
          });
        };
      },
    },
  };
}
