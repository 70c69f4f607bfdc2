// Mandatory privacy webhooks — declared in shopify.app.toml (compliance_topics):
// customers/data_request, customers/redact, shop/redact. 401 on a bad HMAC (the library), as
// Shopify requires. What each one does: app/services/webhooks/effects.server.ts.
import { webhookAction } from "~/services/webhooks/pipeline.server";

export const action = webhookAction(["customers/data_request", "customers/redact", "shop/redact"]);
