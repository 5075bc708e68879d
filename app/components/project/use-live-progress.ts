import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";

/**
 * At most one reload of the page's data per this many milliseconds: the pages that listen
 * recompute figures (agreement, costs, the daily series) that a busy project would otherwise
 * have recomputed on every poll of its stream.
 */
const LIVE_RELOAD_INTERVAL_MS = 5_000;

/**
 * Keeps a page's data current while the project's progress changes: it listens to the project's
 * event stream (`GET /api/v1/projects/:id/events`) and reloads the page's data when it changes,
 * at most once per `LIVE_RELOAD_INTERVAL_MS`; a change within that time is picked up by one
 * reload at its end, so the page always ends up showing the latest state. The stream's first
 * event is the state the page was just loaded with, so it is skipped.
 */
export function useLiveProgress(projectId: number, enabled: boolean): void {
  const { revalidate } = useRevalidator();
  const revalidateRef = useRef(revalidate);
  revalidateRef.current = revalidate;
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(`/api/v1/projects/${projectId}/events`);
    let initial = true;
    let lastReload = Number.NEGATIVE_INFINITY;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const reload = () => {
      pending = undefined;
      lastReload = Date.now();
      revalidateRef.current();
    };
    source.addEventListener("progress", () => {
      if (initial) {
        initial = false;
        return;
      }
      if (pending !== undefined) return;
      const wait = lastReload + LIVE_RELOAD_INTERVAL_MS - Date.now();
      if (wait <= 0) reload();
      else pending = setTimeout(reload, wait);
    });
    return () => {
      source.close();
      clearTimeout(pending);
    };
  }, [projectId, enabled]);
}
