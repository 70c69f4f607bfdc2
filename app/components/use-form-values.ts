// The values of an admin form, starting from what is stored (the loader's answer).
// The form resets only when what is stored changes (another record, or this one saved). Remix
// revalidates loaders after every submit, failed ones too, and hands back an equal but new object;
// resetting on its identity wiped what the merchant had typed whenever a save came back with errors
// (the Ways to redeem browser test caught it). Used by the Program and Ways to redeem forms.
import { useEffect, useState } from "react";

export function useFormValues<T extends object>(saved: T, recordKey: string = ""): [T, React.Dispatch<React.SetStateAction<T>>] {
  const [values, setValues] = useState<T>(saved);
  const savedKey = `${recordKey}:${JSON.stringify(saved)}`;
  useEffect(() => {
    setValues(saved);
    // `saved` is read through `savedKey`, which changes exactly when its content does.
  }, [savedKey]);
  return [values, setValues];
}
