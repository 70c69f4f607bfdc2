// orders/cancelled — declared in shopify.app.toml: the order's points are taken back (points program, docs/decisions/019).
// The route only receives: verification, checks and recording are the pipeline's; the effects are
// registered in app/services/webhooks/effects.server.ts and applied by the worker.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["orders/cancelled"]);
