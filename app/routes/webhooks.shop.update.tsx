// shop/update — declared in shopify.app.toml: keep the shop's currency current (docs/decisions/015).
// The route only receives: verification, checks and recording are the pipeline's; the effects are
// registered in app/services/webhooks/effects.server.ts and applied by the worker.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["shop/update"]);
