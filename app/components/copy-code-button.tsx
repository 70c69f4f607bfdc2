// Copies a reward code to the clipboard and confirms with a toast.
import { Button } from "@shopify/polaris";
import { ClipboardIcon } from "@shopify/polaris-icons";
import { useAppBridge } from "@shopify/app-bridge-react";

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // The embedding frame may not allow the Clipboard API: fall back to a selection copy.
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.cssText = "position:fixed;opacity:0;pointer-events:none";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } finally {
    area.remove();
  }
  return ok;
}

export function CopyCodeButton({ code }: { code: string }) {
  const shopify = useAppBridge();
  return (
    <Button
      variant="tertiary"
      size="slim"
      icon={ClipboardIcon}
      accessibilityLabel={`Copy code ${code}`}
      onClick={() => {
        void copyText(code).then((ok) =>
          shopify.toast.show(ok ? `Copied ${code}` : "Couldn't copy the code; select it and copy it instead.", { isError: !ok })
        );
      }}
    />
  );
}
