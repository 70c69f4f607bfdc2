// Which HTTP methods each path of the app takes — one rule for every surface (admin pages and their
// data requests, resource routes, the storefront's app proxy routes, webhooks, OAuth), read off the
// route modules of the build:
//   - a route's loader (or its page) takes GET and HEAD (Remix runs the loader for a HEAD too);
//   - a route's action takes POST — the only method the app's forms, fetchers and Shopify send
//     (Remix would run the action for PUT, PATCH and DELETE as well);
//   - a browser asset (a file under build/client, on a path no route serves) takes GET and HEAD;
//   - nothing takes OPTIONS: no caller of the app is cross-origin (no admin UI extension calls it;
//     the storefront's widget calls through the app proxy, on the shop's own origin), so no CORS
//     preflight reaches it;
//   - a route that answers "not here" to every path under it (`handle.notFound`: apps-proxy.$.tsx)
//     answers every method (its 404), as Remix's 404 does for a path no route matches.
// The route a request reaches is found as Remix finds it (@remix-run/server-runtime's server.js and
// @remix-run/router's getTargetMatch): `?_data=<route id>` names it; else a leaf without a page is a
// resource route; else a POST goes to the deepest route that adds to the path (an index route only
// with `?index`). app/entry.server.tsx answers the refusal; server/app-handler.mjs asks it first.
import { matchRoutes } from "@remix-run/react";
import type { ServerBuild } from "@remix-run/node";

type ManifestRoute = NonNullable<ServerBuild["routes"][string]>;

interface RouteNode {
  id: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
  children?: RouteNode[];
  manifest: ManifestRoute;
}

/** The methods a path takes, in the order an `Allow` header lists them. */
export type AcceptedMethods = readonly ("GET" | "HEAD" | "POST")[];

/**
 * The rule for a build's routes: for a URL, the methods its route takes, or null when the rule
 * says nothing (no route matches the path, or only a not-found route, a `_data` names a route not on
 * the path — Remix answers those itself). `dataRequests: false` for paths served without Remix's
 * router (the app proxy's: its query is the storefront's, `_data` means nothing there). `isFile`
 * says whether the path names a browser asset; asked only of a path no route serves.
 */
export function methodRule(routes: ServerBuild["routes"]): (url: URL, options: { dataRequests: boolean; isFile: () => boolean }) => AcceptedMethods | null {
  const byParent = new Map<string, ManifestRoute[]>();
  for (const route of Object.values(routes)) {
    if (!route) continue;
    const siblings = byParent.get(route.parentId ?? "") ?? [];
    siblings.push(route);
    byParent.set(route.parentId ?? "", siblings);
  }
  const tree = (parentId: string): RouteNode[] =>
    (byParent.get(parentId) ?? []).map((route) => ({
      id: route.id,
      path: route.path,
      index: route.index,
      caseSensitive: route.caseSensitive,
      children: route.index ? undefined : tree(route.id),
      manifest: route,
    }));
  const root = tree("");
  return (url, { dataRequests, isFile }) => {
    const matches = matchRoutes(root as Parameters<typeof matchRoutes>[0], url.pathname)?.map((m) => (m.route as RouteNode).manifest);
    if (!matches || matches.length === 0) return isFile() ? ["GET", "HEAD"] : null;
    const leaf = matches[matches.length - 1];
    if (isNotFoundRoute(leaf)) return null;
    let reads: boolean;
    let writer: ManifestRoute;
    if (dataRequests && url.searchParams.has("_data")) {
      const named = matches.find((route) => route.id === url.searchParams.get("_data"));
      if (!named) return null;
      reads = Boolean(named.module.loader);
      writer = named;
    } else if (leaf.module.default == null && leaf.module.ErrorBoundary == null) {
      reads = Boolean(leaf.module.loader);
      writer = leaf;
    } else {
      reads = true;
      writer = postTarget(matches, url);
    }
    const accepted: ("GET" | "HEAD" | "POST")[] = reads ? ["GET", "HEAD"] : [];
    if (writer.module.action) accepted.push("POST");
    return accepted.length > 0 ? accepted : null;
  };
}

/** What a route marks itself with when it only says "not here" (its 404 takes any method). */
export interface NotFoundHandle {
  notFound: true;
}

function isNotFoundRoute(route: ManifestRoute): boolean {
  const handle: unknown = route.module.handle;
  return typeof handle === "object" && handle !== null && (handle as Partial<NotFoundHandle>).notFound === true;
}

/** The route a page's POST runs the action of (@remix-run/router getTargetMatch). */
function postTarget(matches: ManifestRoute[], url: URL): ManifestRoute {
  const leaf = matches[matches.length - 1];
  if (leaf.index && url.searchParams.getAll("index").some((value) => value === "")) return leaf;
  const contributing = matches.filter((route, i) => i === 0 || (route.path !== undefined && route.path.length > 0));
  return contributing[contributing.length - 1];
}
