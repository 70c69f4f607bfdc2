// "Issue reward": the merchant gives a customer a reward by hand. It is saved Pending at once and
// generated in Shopify in the background (the asynchronous path), so the form only queues it.
import { useCallback, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Modal, Select, Text, TextField } from "@shopify/polaris";
import type { IssuableTemplate } from "~/services/admin/customers.server";
import { GrantAccessBanner } from "./grant-access-banner";
import { newRequestKey } from "./request-key";
import { useActionToast, type ActionAnswer } from "./use-action-toast";

const PURPOSE_LABELS: Record<string, string> = {
  POINTS_REDEMPTION: "redemption option",
  REFERRAL: "referral reward",
  VIP_TIER_ENTRY: "VIP tier reward",
  MANUAL: "manual reward",
};

export function IssueRewardButton({
  customerName,
  templates,
  actionUrl,
}: {
  customerName: string;
  templates: IssuableTemplate[];
  actionUrl: string;
}) {
  const fetcher = useFetcher<ActionAnswer & { intent?: string }>();
  const [open, setOpen] = useState(false);
  const [templateId, setTemplateId] = useState("");
  const [note, setNote] = useState("");
  const [requestKey, setRequestKey] = useState("");
  const busy = fetcher.state !== "idle";
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;

  const selected = templates.find((t) => t.id === templateId);
  const missing = selected?.missingScopes ?? [];

  const onSuccess = useCallback(() => setOpen(false), []);
  useActionToast(fetcher.state, fetcher.data, onSuccess);

  const show = () => {
    setTemplateId(templates[0]?.id ?? "");
    setNote("");
    setRequestKey(newRequestKey());
    setOpen(true);
  };
  const submit = () => fetcher.submit({ intent: "issue", templateId, note, requestKey }, { method: "post", action: actionUrl });

  return (
    <>
      <Button onClick={show} disabled={templates.length === 0}>
        Issue reward
      </Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title={`Issue a reward to ${customerName}`}
        primaryAction={{ content: "Issue reward", onAction: submit, loading: busy, disabled: !templateId || missing.length > 0 }}
        secondaryActions={[{ content: "Cancel", onAction: () => setOpen(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            {answer && !answer.ok ? (
              <Banner tone="critical" title="The reward wasn't issued">
                <p>{answer.message}</p>
              </Banner>
            ) : null}
            <Select
              label="Reward"
              options={templates.map((t) => ({
                label: `${t.name} (${PURPOSE_LABELS[t.purpose] ?? t.purpose.toLowerCase()})`,
                value: t.id,
              }))}
              value={templateId}
              onChange={setTemplateId}
            />
            <GrantAccessBanner missing={missing} />
            <TextField
              label="Note (optional, kept in the reward's history)"
              value={note}
              onChange={setNote}
              autoComplete="off"
              maxLength={500}
            />
            <Text as="p" tone="subdued">
              The reward is created in Shopify in the background. It shows as Pending until its code exists, then as Issued and the customer
              sees it. If Shopify refuses it, it becomes Failed with the reason.
            </Text>
          </BlockStack>
        </Modal.Section>
      </Modal>
    </>
  );
}
