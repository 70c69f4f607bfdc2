// A reward's code as the admin shows it: in full with a copy button when it works (or worked) in
// Shopify; a gift card's masked to its last four characters, with an explicit "Reveal" that is
// recorded in the reward's history (the full code is only sent to the browser then).
import { useFetcher } from "@remix-run/react";
import { Button, InlineStack, Text } from "@shopify/polaris";
import type { RewardRow } from "~/services/admin/rewards.server";
import { CODE_REVEAL_LABEL } from "~/copy/admin";
import { CopyCodeButton } from "./copy-code-button";

type RevealAnswer = { ok: boolean; intent?: string; code?: string; message: string };

export function RewardCode({ reward, actionUrl }: { reward: Pick<RewardRow, "code" | "codeMasked" | "copyable" | "status">; actionUrl: string }) {
  const fetcher = useFetcher<RevealAnswer>();
  const revealed = fetcher.data?.ok && fetcher.data.intent === "reveal" ? fetcher.data.code ?? null : null;
  const usable = reward.status === "ISSUED" || reward.status === "USED";
  if (!reward.codeMasked) {
    return (
      <InlineStack gap="100" blockAlign="center" wrap={false}>
        <code>{reward.code}</code>
        {reward.copyable ? <CopyCodeButton code={reward.code} /> : null}
      </InlineStack>
    );
  }
  return (
    <InlineStack gap="100" blockAlign="center" wrap={false}>
      <code data-code-masked={revealed ? "false" : "true"}>{revealed ?? reward.code}</code>
      {revealed ? (
        usable ? <CopyCodeButton code={revealed} /> : null
      ) : (
        <fetcher.Form method="post" action={actionUrl}>
          <input type="hidden" name="intent" value="reveal" />
          <Button submit variant="plain" loading={fetcher.state !== "idle"} accessibilityLabel={CODE_REVEAL_LABEL.accessibility}>
            {CODE_REVEAL_LABEL.button}
          </Button>
        </fetcher.Form>
      )}
      {fetcher.data && !fetcher.data.ok ? (
        <Text as="span" tone="critical">
          {fetcher.data.message}
        </Text>
      ) : null}
    </InlineStack>
  );
}
