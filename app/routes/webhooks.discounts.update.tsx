// discounts/update — declared in shopify.app.toml: a reward's discount deactivated in Shopify's admin turns the reward Canceled.
// The route only receives: verification, checks and recording are the pipeline's; the effects are
// registered in app/services/webhooks/effects.server.ts and applied by the worker.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["discounts/update"]);
