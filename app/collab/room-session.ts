import type * as decoding from "lib0/decoding";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { watchActivity } from "~/utils/activity.ts";
import { SaveTracker, messagePersisted, readPersistedCount } from "./save-tracker.ts";

/**
 * One browser's connection to one room document: the Y.Doc, the stock y-websocket provider
 * (authenticated by the session cookie, since the socket is same-origin) and the tracker that
 * turns the server's acknowledgements into saved / saving / not saved.
 */
export interface RoomSession {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  readonly save: SaveTracker;
  destroy(): void;
}

export function syncServerUrl(location: Location): string {
  const protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return `${protocol}//${location.host}/sync`;
}

/**
 * The browser's WebSocket, counting the frames the provider sends on it: acknowledgements
 * name frames by number, and the provider sends on the socket directly.
 */
function countingWebSocket(save: SaveTracker): typeof WebSocket {
  return class CountingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      save.socketOpening();
      this.addEventListener("open", () => save.socketOpened());
      this.addEventListener("close", () => save.socketClosed());
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (data instanceof Uint8Array) save.frameSent(data);
      super.send(data);
    }
  };
}

export function openRoomSession(docName: string): RoomSession {
  const doc = new Y.Doc();
  const save = new SaveTracker();
  const provider = new WebsocketProvider(syncServerUrl(window.location), docName, doc, {
    params: { persisted: "1" },
    // Tabs sharing edits over BroadcastChannel could send the server an update that builds on
    // another tab's edit it has not received yet, which it refuses (README, close codes).
    disableBc: true,
    WebSocketPolyfill: countingWebSocket(save),
  });
  // y-protocols ignores a state whose clock is 0, which is what a fresh Awareness announces;
  // setting a field moves the clock, so that the others see this browser arrive.
  provider.awareness.setLocalStateField("field", null);
  provider.messageHandlers[messagePersisted] = (_encoder: unknown, decoder: decoding.Decoder) => {
    save.persisted(readPersistedCount(decoder));
  };
  provider.on("sync", (synced: boolean) => save.syncedChanged(synced));
  provider.on("closed", ({ code, reason }: { code: number; reason: string }) =>
    save.refused(code, reason),
  );
  const onUpdate = (_update: Uint8Array, origin: unknown) => {
    if (origin !== provider) save.localChangeWhileDisconnected();
  };
  doc.on("update", onUpdate);
  // A socket whose network is gone stays open until the provider hears nothing for 30 s. The
  // browser knows sooner: the page says so at once, and the provider starts a new connection,
  // which fails until the network is back and then carries the unsaved changes.
  const onOffline = () => {
    save.networkChanged(false);
    provider.disconnect();
    provider.connect();
  };
  const onOnline = () => {
    save.networkChanged(true);
    provider.connect();
  };
  window.addEventListener("offline", onOffline);
  window.addEventListener("online", onOnline);
  // The server counts a changed presence state as activity in the room, and a renewal with
  // nothing changed as none: the `activity` counter changes while the person is at the page.
  let activity = 0;
  const stopWatchingActivity = watchActivity(() => {
    activity += 1;
    provider.awareness.setLocalStateField("activity", activity);
  });
  return {
    doc,
    provider,
    save,
    destroy() {
      stopWatchingActivity();
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
      doc.off("update", onUpdate);
      save.stop();
      provider.destroy();
      doc.destroy();
    },
  };
}
