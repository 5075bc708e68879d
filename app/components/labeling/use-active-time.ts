import { useCallback, useEffect, useRef, useState } from "react";

/**
 * Time spent on the item while the page is visible and has focus: what an expert's time on a
 * label costs, without the coffee break in another tab. `initialMs` carries time over from a
 * restored draft.
 */
export function useActiveTime(initialMs: number) {
  const accumulated = useRef(initialMs);
  const activeSince = useRef<number | null>(null);
  const [shownMs, setShownMs] = useState(initialMs);

  const read = useCallback(() => {
    const running = activeSince.current === null ? 0 : performance.now() - activeSince.current;
    return Math.round(accumulated.current + running);
  }, []);

  const restore = useCallback(
    (elapsedMs: number) => {
      accumulated.current = Math.max(accumulated.current, elapsedMs);
      setShownMs(read());
    },
    [read],
  );

  useEffect(() => {
    const update = () => {
      const active = document.visibilityState === "visible" && document.hasFocus();
      if (active && activeSince.current === null) {
        activeSince.current = performance.now();
      } else if (!active && activeSince.current !== null) {
        accumulated.current += performance.now() - activeSince.current;
        activeSince.current = null;
      }
    };
    update();
    const tick = window.setInterval(() => {
      update();
      setShownMs(read());
    }, 1_000);
    document.addEventListener("visibilitychange", update);
    window.addEventListener("focus", update);
    window.addEventListener("blur", update);
    return () => {
      window.clearInterval(tick);
      document.removeEventListener("visibilitychange", update);
      window.removeEventListener("focus", update);
      window.removeEventListener("blur", update);
    };
  }, [read]);

  return { shownMs, read, restore };
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.floor(ms / 1_000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}`;
}
