// The one way a reward status is shown anywhere in the admin: a Polaris Badge whose tone comes from
// the domain (statusBadgeTone), so a status looks the same on every page. The label text carries
// the meaning; the tone is only a visual aid (screen readers hear "Status: Issued").
import { Badge } from "@shopify/polaris";
import { type RewardStatus } from "~/domain/rewards";
import { REWARD_STATUS_LABELS, statusBadgeTone } from "~/copy/admin";

export function RewardStatusBadge({ status }: { status: RewardStatus }) {
  return (
    <span data-reward-status={status}>
      <Badge tone={statusBadgeTone(status)} toneAndProgressLabelOverride="Status:">
        {REWARD_STATUS_LABELS[status]}
      </Badge>
    </span>
  );
}
