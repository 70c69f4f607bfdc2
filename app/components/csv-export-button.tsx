// "Export CSV". Inside Shopify's admin the app's requests need App Bridge's session token, which a
// plain link (a document navigation) would not carry; so the file is fetched with the patched
// fetch and handed to the browser as a download. The resource route also works as a direct link
// with a session token (tests, scripts).
import { useState } from "react";
import { Button } from "@shopify/polaris";
import { ExportIcon } from "@shopify/polaris-icons";
import { useAppBridge } from "@shopify/app-bridge-react";

function filenameOf(disposition: string | null, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(disposition ?? "");
  return m ? m[1] : fallback;
}

export function CsvExportButton({
  url,
  label = "Export CSV",
  fallbackName = "rewards.csv",
  doneMessage = "Export downloaded",
  onDownloaded,
}: {
  url: string;
  label?: string;
  fallbackName?: string;
  doneMessage?: string;
  /** Called after a successful download (e.g. to reload data the download changed). */
  onDownloaded?: () => void;
}) {
  const shopify = useAppBridge();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const blob = await response.blob();
      const href = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = href;
      a.download = filenameOf(response.headers.get("content-disposition"), fallbackName);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
      shopify.toast.show(doneMessage);
      onDownloaded?.();
    } catch {
      shopify.toast.show("The export couldn't be downloaded. Please try again.", { isError: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={ExportIcon} onClick={() => void download()} loading={busy}>
      {label}
    </Button>
  );
}
