import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type * as Y from "yjs";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { openRoomSession, type RoomSession } from "./room-session.ts";
import type { SaveSnapshot } from "./save-tracker.ts";
import { useAskBeforeUnload } from "../utils/ask-before-unload.ts";

const notConnected: SaveSnapshot = {
  state: "connecting",
  connection: "connecting",
  synced: false,
  refusal: null,
};

export interface RoomConnection {
  /** Null until the page has hydrated: the server renders the room without a document. */
  session: RoomSession | null;
  save: SaveSnapshot;
  /** Whether the document has been received at least once; editing waits for it. */
  loaded: boolean;
  /** Why the last local change was lost, when the server turned it away. */
  lostChange: string | null;
  /** Starts over from the stored document, dropping local changes the server refused. */
  restart: () => void;
  /** Forgets the lost change: the notice about it no longer applies. */
  dismissLostChange: () => void;
}

/**
 * Connects to a room for as long as the component is mounted. A room published while a local
 * change was on its way closes the connection with 4423; the change can never be stored, so
 * the session starts over from the stored document (which now says "published") and the page
 * tells the user what was lost.
 */
export function useRoom(docName: string): RoomConnection {
  const [session, setSession] = useState<RoomSession | null>(null);
  const [generation, setGeneration] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [lostChange, setLostChange] = useState<string | null>(null);

  useEffect(() => {
    const opened = openRoomSession(docName);
    setSession(opened);
    setLoaded(false);
    const onSync = (synced: boolean) => {
      if (synced) setLoaded(true);
    };
    const onClosed = ({ code }: { code: number }) => {
      if (code === SyncCloseCode.documentPublished) {
        setLostChange(
          "The room was published while your last change was on its way; that change was not saved.",
        );
        setGeneration((current) => current + 1);
      }
    };
    opened.provider.on("sync", onSync);
    opened.provider.on("closed", onClosed);
    return () => {
      opened.provider.off("sync", onSync);
      opened.provider.off("closed", onClosed);
      opened.destroy();
      setSession(null);
    };
  }, [docName, generation]);

  const subscribe = useCallback(
    (listener: () => void) => session?.save.subscribe(listener) ?? (() => undefined),
    [session],
  );
  const save = useSyncExternalStore(
    subscribe,
    () => session?.save.read() ?? notConnected,
    () => notConnected,
  );
  // Changes the server has not acknowledged live only in this page: leaving it (a reload to
  // get back online included) would discard them, so the browser asks first.
  const unsaved = save.state === "unsaved" || save.state === "saving";
  useAskBeforeUnload(unsaved);
  const restart = useCallback(() => {
    setLostChange(null);
    setGeneration((current) => current + 1);
  }, []);
  const dismissLostChange = useCallback(() => setLostChange(null), []);
  return {
    session,
    save,
    loaded: loaded && session !== null,
    lostChange,
    restart,
    dismissLostChange,
  };
}

/**
 * A value derived from the document, recomputed after every transaction that changed it
 * (local or remote). `read` should return plain data; it runs at most once per change.
 */
export function useDocValue<Value>(
  doc: Y.Doc | undefined,
  read: (doc: Y.Doc) => Value,
  empty: Value,
) {
  const [cache] = useState(() => ({
    doc: undefined as Y.Doc | undefined,
    version: -1,
    seen: -1,
    value: empty,
  }));
  const subscribe = useCallback(
    (listener: () => void) => {
      if (!doc) return () => undefined;
      const onUpdate = () => {
        cache.version += 1;
        listener();
      };
      doc.on("update", onUpdate);
      return () => doc.off("update", onUpdate);
    },
    [doc, cache],
  );
  const getSnapshot = () => {
    if (!doc) return empty;
    if (cache.doc !== doc || cache.seen !== cache.version) {
      cache.doc = doc;
      cache.seen = cache.version;
      cache.value = read(doc);
    }
    return cache.value;
  };
  return useSyncExternalStore(subscribe, getSnapshot, () => empty);
}
