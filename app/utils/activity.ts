import { useEffect } from "react";
import { ACTIVITY_SIGNAL_INTERVAL_MS } from "~/domain/work-time.ts";

/** What shows that a person is at the page, reading or working. */
const activityEvents = [
  "pointerdown",
  "pointermove",
  "keydown",
  "wheel",
  "scroll",
  "touchstart",
  "focus",
] as const;

/**
 * Calls `signal` while the person is at the page — at once, then on a key, the pointer,
 * scrolling or the window regaining focus — at most once per interval: the first activity of an
 * interval is signalled at once, and activity later in it once more at its end. A hidden page
 * signals nothing. The server measures working time from these signals
 * (docs/decisions/021-working-time.md); the page's own clock is never taken on its word.
 * Returns a function that stops watching.
 */
export function watchActivity(
  signal: () => void,
  intervalMs: number = ACTIVITY_SIGNAL_INTERVAL_MS,
): () => void {
  let lastSignalAt = Number.NEGATIVE_INFINITY;
  let trailing: number | undefined;
  const send = () => {
    trailing = undefined;
    lastSignalAt = performance.now();
    signal();
  };
  const onActivity = () => {
    if (document.visibilityState !== "visible") return;
    const wait = lastSignalAt + intervalMs - performance.now();
    if (wait <= 0) send();
    else trailing ??= window.setTimeout(send, wait);
  };
  const options = { capture: true, passive: true };
  for (const type of activityEvents) window.addEventListener(type, onActivity, options);
  document.addEventListener("visibilitychange", onActivity);
  onActivity();
  return () => {
    for (const type of activityEvents) window.removeEventListener(type, onActivity, options);
    document.removeEventListener("visibilitychange", onActivity);
    window.clearTimeout(trailing);
  };
}

/**
 * While mounted, POSTs to `url` (an API heartbeat: `/api/v1/items/:id/heartbeat`,
 * `/api/v1/reviews/:id/heartbeat`) whenever `watchActivity` signals. A lost heartbeat costs at
 * most one interval of measured time, so failures are not retried. `null` sends nothing.
 */
export function useActivityHeartbeat(url: string | null): void {
  useEffect(() => {
    if (url === null) return;
    return watchActivity(() => {
      fetch(url, { method: "POST", credentials: "same-origin", keepalive: true }).catch(
        () => undefined,
      );
    });
  }, [url]);
}
