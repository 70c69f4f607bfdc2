import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { createReadableStreamFromReadable, json, type EntryContext, type HandleErrorFunction, type ServerBuild } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { methodRule } from "./http-methods.server";
import { SenderGoneError, UNREADABLE_URL_MESSAGE, urlHasUnreadableEscapes } from "./request-input.server";
import { proxyError, type ProxyErrorCode } from "./services/storefront/proxy.server";
import "./jobs/in-process.server";

const ABORT_DELAY = 5_000;

/**
 * What Remix reports while answering a request (https://remix.run/docs/en/main/file-conventions/entry.server#handleerror).
 * Without it Remix writes every one to console.error — also the 4xx it answers itself to input
 * nobody can act on: a path no route serves (404), a `?_data=` naming a route that is not on the
 * path (403/400), a method a route does not take (405). Those are logged at info (status and path,
 * never the query, which can hold a customer's name); anything else is an error with its stack.
 * A request the client gave up on is not logged; a body its sender stopped sending
 * (SenderGoneError, app/request-input.server.ts) is logged at info.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (error instanceof SenderGoneError) {
    logger.info({ method: request.method, path: new URL(request.url).pathname }, "sender went away");
    return;
  }
  if (isRouteErrorResponse(error) && error.status < 500) {
    logger.info({ status: error.status, method: request.method, path: new URL(request.url).pathname }, "request refused by the router");
    return;
  }
  logger.error({ err: error, method: request.method, path: new URL(request.url).pathname }, "request failed");
};

/**
 * The answer to a request whose URL can't be read as UTF-8 text (urlHasUnreadableEscapes), or null
 * for any other. server/app-handler.mjs asks it first, before the static files, the webhook and
 * storefront routes and Remix's router (it reaches it through the build: `build.entry.module`). A
 * 400 in the shape the surface's clients read: the storefront's `{ error: { code, message } }` on
 * the app proxy's paths, `{ ok: false, message }` (the admin's) anywhere else.
 */
export function refuseUnreadableUrl(request: Request): Response | null {
  if (!urlHasUnreadableEscapes(request.url)) return null;
  return refusal(new URL(request.url).pathname, 400, "invalid_request", UNREADABLE_URL_MESSAGE);
}

/** Whether a path is the app proxy's (the storefront's surface), as server/app-handler.mjs routes it. */
function isStorefrontPath(pathname: string): boolean {
  return /^\/apps-proxy(?:\/|$)/i.test(pathname);
}

/** A refusal in the shape the surface's clients read: the storefront's on the app proxy's paths, the admin's elsewhere. */
function refusal(pathname: string, status: number, code: ProxyErrorCode, message: string, headers: Record<string, string> = {}): Response {
  if (isStorefrontPath(pathname)) return proxyError(status, code, message, headers);
  return json({ ok: false, message }, { status, headers });
}

/**
 * The answer to a request whose method its path does not take (the rule: app/http-methods.server.ts),
 * or null for any other: a 405 with `Allow` and a sentence, in the surface's shape (refusal).
 * server/app-handler.mjs asks it right after refuseUnreadableUrl — before the webhook and storefront
 * routes and Remix's router, so before any signature, session or customer check: a method is cheaper
 * to check than a signature and says more than "not signed in". Built once per build (its routes).
 */
export function methodRefusals(routes: ServerBuild["routes"]): (request: Request, isFile: () => boolean) => Response | null {
  const accepted = methodRule(routes);
  return (request, isFile) => {
    const url = new URL(request.url);
    const storefront = isStorefrontPath(url.pathname);
    // The app proxy's paths are served without Remix's router: `_data` there is the storefront's.
    const methods = accepted(url, { dataRequests: !storefront, isFile });
    if (!methods || (methods as readonly string[]).includes(request.method)) return null;
    const allow = methods.join(", ");
    const message = `${refusalSentence(405, request.method)} It takes ${methods.length > 1 ? `${methods.slice(0, -1).join(", ")} or ${methods[methods.length - 1]}` : methods[0]}.`;
    // Off the storefront, with the header Remix's own 405 carries (withRefusalSentence keeps it):
    // Remix's client reads a data request's answer with it as an error, not as the route's data.
    return refusal(url.pathname, 405, "method_not_allowed", message, storefront ? { Allow: allow } : { Allow: allow, "X-Remix-Error": "yes" });
  };
}

/** Remix's own refusals, in words: what the asker did that no route takes. */
function refusalSentence(status: number, method: string): string {
  if (status === 405) return `This address doesn't take a ${method.slice(0, 10)} request.`;
  if (status === 404) return "This address names nothing in this app.";
  // A `?_data=` naming a route that is not on the path (or no route at all).
  if (status === 403) return "This request asks for the data of a page that is not at this address.";
  return "This request couldn't be read by this app.";
}

/**
 * Remix's own 4xx answers to data requests (`?_data=`) and resource routes — a method a route does
 * not take (405), a `_data` naming a route that is not on the path (403), a path no route serves
 * (404) — come as `{"message":"Unexpected Server Error"}` with X-Remix-Error: the production build
 * replaces the router's message with that phrase, which says nothing true. The body gets a sentence
 * saying what was refused (`{ ok: false, message }`, the shape the admin's fetchers read); the status
 * and the X-Remix-Error header (Remix's client reads it) stay. Anything else — a route's own answer,
 * a real 500 — is returned as it is. server/app-handler.mjs applies it to every answer of Remix's
 * handler.
 */
export function withRefusalSentence(response: Response, request: Request): Response {
  if (response.headers.get("X-Remix-Error") !== "yes" || response.status < 400 || response.status >= 500) return response;
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  void response.body?.cancel();
  return json({ ok: false, message: refusalSentence(response.status, request.method) }, { status: response.status, statusText: response.statusText, headers });
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  // The library preloads App Bridge from Shopify's CDN; the offline demo loads the emulator's
  // stand-in instead (APP_BRIDGE_URL), so it preloads that one and the browser fetches nothing
  // it cannot reach.
  const localAppBridge = env().APP_BRIDGE_URL;
  if (localAppBridge && responseHeaders.has("Link")) responseHeaders.set("Link", `<${localAppBridge}>; rel="preload"; as="script";`);
  // Bots get the whole document at once; browsers get it streamed.
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />,
      {
        [readyEvent]() {
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html");
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Through the logger, whose `err` is written without the values it may quote (app/error-for-log.ts).
          logger.error({ err: error, method: request.method, path: new URL(request.url).pathname }, "rendering failed");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}
