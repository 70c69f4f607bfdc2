// app/uninstalled — declared in shopify.app.toml: the shop's sessions are deleted and its pending work stops.
// The route only receives: verification, checks and recording are the pipeline's; the effects are
// registered in app/services/webhooks/effects.server.ts and applied by the worker.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["app/uninstalled"]);
