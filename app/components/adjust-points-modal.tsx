// "Adjust points": the merchant adds or removes points by hand, with a required reason that is kept
// in the customer's points history (with who did it). Posted to the customer profile's action.
import { useCallback, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Modal, Select, TextField } from "@shopify/polaris";
import { newRequestKey } from "./request-key";
import { useActionToast, type ActionAnswer } from "./use-action-toast";

type Answer = ActionAnswer & { intent?: string; fields?: Partial<Record<"points" | "reason" | "direction", string>> };

export function AdjustPointsButton({ customerName, actionUrl }: { customerName: string; actionUrl: string }) {
  const fetcher = useFetcher<Answer>();
  const [open, setOpen] = useState(false);
  const [direction, setDirection] = useState("add");
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [requestKey, setRequestKey] = useState("");
  const busy = fetcher.state !== "idle";
  const answer = fetcher.state === "idle" && fetcher.data?.intent === "adjust-points" ? fetcher.data : undefined;
  const onSuccess = useCallback(() => setOpen(false), []);
  useActionToast(fetcher.state, answer, onSuccess);

  const show = () => {
    setDirection("add");
    setPoints("");
    setReason("");
    setRequestKey(newRequestKey());
    setOpen(true);
  };
  const submit = () => fetcher.submit({ intent: "adjust-points", direction, points, reason, requestKey }, { method: "post", action: actionUrl });
  const errors = answer && !answer.ok ? (answer.fields ?? {}) : {};

  return (
    <>
      <Button onClick={show}>Adjust points</Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title={`Adjust ${customerName}'s points`}
        primaryAction={{ content: direction === "add" ? "Add points" : "Remove points", onAction: submit, loading: busy }}
        secondaryActions={[{ content: "Cancel", onAction: () => setOpen(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            {answer && !answer.ok && !answer.fields ? <Banner tone="critical">{answer.message}</Banner> : null}
            <Select
              label="Change"
              options={[
                { label: "Add points", value: "add" },
                { label: "Remove points", value: "remove" },
              ]}
              value={direction}
              onChange={setDirection}
              error={errors.direction}
            />
            <TextField label="Points" type="number" min={1} value={points} onChange={setPoints} autoComplete="off" error={errors.points} />
            <TextField
              label="Reason"
              value={reason}
              onChange={setReason}
              autoComplete="off"
              maxLength={200}
              helpText="Required. Kept in the customer's points history with your name."
              error={errors.reason}
            />
          </BlockStack>
        </Modal.Section>
      </Modal>
    </>
  );
}
