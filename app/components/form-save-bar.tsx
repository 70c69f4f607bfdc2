// The contextual save bar of the admin's settings forms (App Bridge `<SaveBar>`,
// https://shopify.dev/docs/api/app-bridge-library/react-components/savebar): open while the form's
// values differ from what is stored, Save submits, Discard puts the stored values back. Controlled
// by the app because the fields are React-controlled Polaris inputs (see app.program.tsx).
import { SaveBar } from "@shopify/app-bridge-react";

export function FormSaveBar({ id, open, saving, onSave, onDiscard }: { id: string; open: boolean; saving: boolean; onSave: () => void; onDiscard: () => void }) {
  return (
    <SaveBar id={id} open={open}>
      <button variant="primary" onClick={onSave} disabled={saving}>
        Save
      </button>
      <button onClick={onDiscard}>Discard</button>
    </SaveBar>
  );
}
