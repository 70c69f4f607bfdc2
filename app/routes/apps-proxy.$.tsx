// Any /apps-proxy/* path no storefront route serves (a stale widget, a typo, a probe): the widget's
// JSON 404, never Remix's HTML error page, and nothing logged as an error. Nothing is read or
// written, so no signature is needed to say "not here".
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { NotFoundHandle } from "~/http-methods.server";
import { MESSAGES, proxyError } from "~/services/storefront/proxy.server";

/** Any method gets the 404 (app/http-methods.server.ts): there is nothing here to take or refuse it. */
export const handle: NotFoundHandle = { notFound: true };

const notFound = () => proxyError(404, "not_found", MESSAGES.notFound);

export async function loader(_args: LoaderFunctionArgs) {
  return notFound();
}

export async function action(_args: ActionFunctionArgs) {
  return notFound();
}
