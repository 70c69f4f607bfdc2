// app/scopes_update — declared in shopify.app.toml: keep the stored offline session's scopes current.
// The route only receives: verification, checks and recording are the pipeline's; the effects are
// registered in app/services/webhooks/effects.server.ts and applied by the worker.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["app/scopes_update"]);
