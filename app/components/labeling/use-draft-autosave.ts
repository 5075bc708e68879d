import { useCallback, useEffect, useRef, useState } from "react";
import type { DraftLabel } from "./label-draft.ts";

/**
 * `unsaved`: the server could not be reached or failed, and saving is retried. `notHeld` (the item
 * is no longer reserved for the annotator) is an answer that no retry changes: saving stops, and
 * the label stays on this device. `signedOut` stops saving too, until the annotator may have
 * signed in again (in another tab, say): coming back to the page or changing the label tries
 * once more, and a save that gets through resumes saving.
 */
export type SaveStatus = "idle" | "saving" | "saved" | "unsaved" | "signedOut" | "notHeld";

type Refusal = Extract<SaveStatus, "signedOut" | "notHeld">;

function refusalOf(status: number): Refusal | null {
  if (status === 401) return "signedOut";
  if (status === 403 || status === 409) return "notHeld";
  return null;
}

const SAVE_DELAY_MS = 800;
const RETRY_DELAY_MS = 5_000;
/** While signed out, a change tries again at most this often: each try is a refused request. */
const SIGNED_OUT_RETRY_MS = 5_000;
const STORAGE_PREFIX = "quorum:draft:";

interface LocalCopy {
  label: DraftLabel;
  elapsedMs: number;
  updatedAt: number;
}

function storageKey(userId: number, itemId: number) {
  return `${STORAGE_PREFIX}${userId}:${itemId}`;
}

function readLocalCopy(key: string): LocalCopy | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<LocalCopy>;
    if (typeof parsed.label !== "object" || parsed.label === null) return null;
    return {
      label: parsed.label,
      elapsedMs: typeof parsed.elapsedMs === "number" ? parsed.elapsedMs : 0,
      updatedAt: typeof parsed.updatedAt === "number" ? parsed.updatedAt : 0,
    };
  } catch {
    return null;
  }
}

function writeLocalCopy(key: string, copy: LocalCopy) {
  try {
    window.localStorage.setItem(key, JSON.stringify(copy));
  } catch {
    // A full or disabled storage leaves the server copy as the only one; the status says so.
  }
}

/** Only one item is held at a time, so copies of other items are leftovers of finished work. */
function removeOtherCopies(userId: number, keep: string) {
  const prefix = `${STORAGE_PREFIX}${userId}:`;
  for (let index = window.localStorage.length - 1; index >= 0; index--) {
    const key = window.localStorage.key(index);
    if (key?.startsWith(prefix) && key !== keep) window.localStorage.removeItem(key);
  }
}

export interface DraftAutosaveOptions {
  draftUrl: string;
  userId: number;
  itemId: number;
  label: DraftLabel;
  readElapsed: () => number;
  serverDraft: { savedAt: string } | null;
  /** Called once after load when this device holds newer work than the server. */
  onRestoreLocal: (label: DraftLabel, elapsedMs: number) => void;
  /**
   * False where the label is not a draft (changing a label already submitted): then nothing is
   * saved or restored, and the copy kept for the item being labelled is left alone.
   */
  enabled?: boolean;
}

/**
 * Keeps the label in progress safe: every change goes to localStorage at once (so a lost
 * connection loses nothing) and to the server after a pause in typing; failed saves are retried,
 * unless the server answered that the item is no longer held, which retrying cannot change, or
 * that the session ended, which only signing in again changes: then the page tries again when
 * the annotator comes back to it or changes the label (at most every few seconds), and goes on
 * saving once a save gets through. The status reports what is true: "saved" only once the server
 * has the latest change.
 */
export function useDraftAutosave({
  draftUrl,
  userId,
  itemId,
  label,
  readElapsed,
  serverDraft,
  onRestoreLocal,
  enabled = true,
}: DraftAutosaveOptions) {
  const key = storageKey(userId, itemId);
  const [status, setStatus] = useState<SaveStatus>(serverDraft ? "saved" : "idle");
  const revision = useRef(0);
  const savedRevision = useRef(0);
  const inFlight = useRef(false);
  const refused = useRef<Refusal | null>(null);
  /** When the server last answered that the session had ended (performance.now()). */
  const signedOutAt = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const latestLabel = useRef(label);
  latestLabel.current = label;
  const isFirstRender = useRef(true);

  const body = useCallback(
    () => JSON.stringify({ itemId, label: latestLabel.current, elapsedMs: readElapsed() }),
    [itemId, readElapsed],
  );

  const save = useCallback(async () => {
    window.clearTimeout(timer.current);
    if (inFlight.current) return;
    const sending = revision.current;
    inFlight.current = true;
    // A try while signed out says "Signed out" until it gets through.
    if (refused.current !== "signedOut") setStatus("saving");
    let stored = false;
    try {
      const response = await fetch(draftUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body(),
        credentials: "same-origin",
      });
      stored = response.ok;
      refused.current = refusalOf(response.status);
    } catch {
      stored = false;
    } finally {
      inFlight.current = false;
    }
    if (refused.current) {
      if (refused.current === "signedOut") signedOutAt.current = performance.now();
      setStatus(refused.current);
      return;
    }
    if (stored) savedRevision.current = Math.max(savedRevision.current, sending);
    if (savedRevision.current === revision.current) {
      setStatus("saved");
    } else if (stored) {
      void save();
    } else {
      setStatus("unsaved");
      timer.current = window.setTimeout(() => void save(), RETRY_DELAY_MS);
    }
  }, [body, draftUrl]);

  useEffect(() => {
    if (isFirstRender.current || !enabled) {
      isFirstRender.current = false;
      return;
    }
    revision.current++;
    writeLocalCopy(key, { label, elapsedMs: readElapsed(), updatedAt: Date.now() });
    if (refused.current === "notHeld") return;
    window.clearTimeout(timer.current);
    if (refused.current === "signedOut") {
      const sinceRefusal = performance.now() - signedOutAt.current;
      const delay = Math.max(SAVE_DELAY_MS, SIGNED_OUT_RETRY_MS - sinceRefusal);
      timer.current = window.setTimeout(() => void save(), delay);
      return;
    }
    setStatus((current) => (current === "unsaved" ? current : "saving"));
    timer.current = window.setTimeout(() => void save(), SAVE_DELAY_MS);
  }, [key, label, readElapsed, save, enabled]);

  useEffect(() => {
    if (!enabled) return;
    removeOtherCopies(userId, key);
    const local = readLocalCopy(key);
    const serverTime = serverDraft ? Date.parse(serverDraft.savedAt) : 0;
    if (local && local.updatedAt > serverTime) onRestoreLocal(local.label, local.elapsedMs);
    // Restoring is a one-off on arrival at the item.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    if (!enabled) return;
    const retry = () => {
      if (savedRevision.current !== revision.current && !refused.current) void save();
    };
    // Back from another tab or window, where the annotator may have signed in again.
    const retrySignedOut = () => {
      if (document.visibilityState !== "visible" || refused.current !== "signedOut") return;
      if (savedRevision.current !== revision.current) void save();
    };
    // On leaving or reloading the page, the latest label and time go out even mid-pause.
    const sendOnLeave = () => {
      if (Object.keys(latestLabel.current).length === 0 || refused.current) return;
      navigator.sendBeacon(draftUrl, new Blob([body()], { type: "text/plain" }));
    };
    window.addEventListener("online", retry);
    window.addEventListener("pagehide", sendOnLeave);
    window.addEventListener("focus", retrySignedOut);
    document.addEventListener("visibilitychange", retrySignedOut);
    return () => {
      window.removeEventListener("online", retry);
      window.removeEventListener("pagehide", sendOnLeave);
      window.removeEventListener("focus", retrySignedOut);
      document.removeEventListener("visibilitychange", retrySignedOut);
      window.clearTimeout(timer.current);
    };
  }, [body, draftUrl, save, enabled]);

  const discardLocalCopy = useCallback(() => {
    window.clearTimeout(timer.current);
    window.localStorage.removeItem(key);
  }, [key]);

  return { status, discardLocalCopy };
}
