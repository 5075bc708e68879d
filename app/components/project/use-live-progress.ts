import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";

/**
 * Keeps a page's data current while the project's progress changes: it listens to the project's
 * event stream (`GET /api/v1/projects/:id/events`) and reloads the page's data on every change.
 * The stream's first event is the state the page was just loaded with, so it is skipped.
 */
export function useLiveProgress(projectId: number, enabled: boolean): void {
  const { revalidate } = useRevalidator();
  const revalidateRef = useRef(revalidate);
  revalidateRef.current = revalidate;
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(`/api/v1/projects/${projectId}/events`);
    let initial = true;
    source.addEventListener("progress", () => {
      if (initial) initial = false;
      else revalidateRef.current();
    });
    return () => source.close();
  }, [projectId, enabled]);
}
