// customers/update — declared in shopify.app.toml: the sign-up bonus of a customer created without an
// account (a guest checkout, an import) once they activate one (points program, docs/decisions/019).
// The route only receives: verification, checks and recording are the pipeline's; the effects are
// registered in app/services/webhooks/effects.server.ts and applied by the worker.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["customers/update"]);
