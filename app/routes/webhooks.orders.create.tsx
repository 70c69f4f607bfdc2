// orders/create — declared in shopify.app.toml: a completed order carrying a reward's code marks the reward Used.
// The route only receives: verification, checks and recording are the pipeline's; the effects are
// registered in app/services/webhooks/effects.server.ts and applied by the worker.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["orders/create"]);
