// Words and badge tones for bulk issue jobs (app/domain/bulk-issue.ts states).
export const BULK_STATE_LABELS: Readonly<Record<string, string>> = {
  QUEUED: "Queued",
  RUNNING: "Running",
  PAUSED: "Paused",
  DONE: "Done",
  CANCELED: "Canceled",
};

export const BULK_STATE_TONES: Readonly<Record<string, "info" | "success" | "warning" | "critical" | undefined>> = {
  QUEUED: "info",
  RUNNING: "info",
  PAUSED: "warning",
  DONE: "success",
  CANCELED: undefined,
};

/** Why a customer of a bulk issue got no reward (item reason codes that are not a reward's failure code). */
export const BULK_SKIP_REASONS: Readonly<Record<string, string>> = {
  customer_not_found: "The customer is no longer in the loyalty program.",
  reward_canceled: "The reward was canceled before it was created in Shopify.",
  reward_deleted: "The reward no longer exists.",
};
