// A new form's request key, made in the browser when a form opens: letters and digits only, within
// the one rule the server checks (app/services/admin/request-key.server.ts, REQUEST_KEY).
export function newRequestKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID().replace(/-/g, "") : `${Date.now()}${Math.random().toString(36).slice(2)}`;
}
