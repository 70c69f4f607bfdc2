// Keeps a page's data fresh while something on it is still moving (a Pending reward, a bulk job):
// Remix's revalidator re-runs the page's loaders — parent and child routes together, so a table and
// the detail card beside it always show the same state — on an interval that backs off (2 s, 4 s,
// 8 s … up to 30 s) and at once when the window gets focus back. It stops when `active` turns false.
import { useEffect, useRef } from "react";
import { useRevalidator } from "@remix-run/react";

export const REVALIDATE_FIRST_MS = 2_000;
export const REVALIDATE_MAX_MS = 30_000;

/** The wait before the n-th revalidation (0-based) of one unsettled stretch. */
export function revalidateDelay(n: number): number {
  return Math.min(REVALIDATE_MAX_MS, REVALIDATE_FIRST_MS * 2 ** Math.max(0, Math.min(n, 10)));
}

export function useRevalidateWhile(active: boolean) {
  const revalidator = useRevalidator();
  const state = useRef(revalidator);
  state.current = revalidator;

  useEffect(() => {
    if (!active) return;
    let round = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const revalidate = () => {
      // One revalidation at a time; a page hidden in a background tab waits for focus instead.
      if (state.current.state === "idle" && document.visibilityState !== "hidden") state.current.revalidate();
    };
    const schedule = () => {
      timer = setTimeout(() => {
        revalidate();
        round += 1;
        schedule();
      }, revalidateDelay(round));
    };
    const onFocus = () => {
      revalidate();
      // Coming back to the page is a fresh look: start the back-off again.
      round = 0;
      clearTimeout(timer);
      schedule();
    };
    const onVisible = () => {
      if (document.visibilityState === "visible") onFocus();
    };
    schedule();
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [active]);
}
