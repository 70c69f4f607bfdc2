// Shows App Bridge's toast once for each successful action answer a fetcher receives.
import { useEffect, useRef } from "react";
import { useAppBridge } from "@shopify/app-bridge-react";

export interface ActionAnswer {
  ok: boolean;
  message: string;
}

export function useActionToast(
  state: "idle" | "loading" | "submitting",
  data: ActionAnswer | undefined,
  onSuccess?: (data: ActionAnswer) => void
) {
  const shopify = useAppBridge();
  const seen = useRef<ActionAnswer | undefined>(undefined);
  useEffect(() => {
    if (state !== "idle" || !data || data === seen.current) return;
    seen.current = data;
    if (data.ok) {
      shopify.toast.show(data.message);
      onSuccess?.(data);
    }
  }, [state, data, shopify, onSuccess]);
}
