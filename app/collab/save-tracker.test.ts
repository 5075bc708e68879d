import * as encoding from "lib0/encoding";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import { describe, expect, test } from "vitest";
import * as Y from "yjs";
import {
  ACKNOWLEDGEMENT_DEADLINE_MS,
  SaveTracker,
  carriesChanges,
  type DeadlineTimer,
} from "./save-tracker.ts";

/** A timer the test fires by hand. */
function manualTimer() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timer: DeadlineTimer = {
    start: (callback, ms) => {
      next += 1;
      pending.set(next, { callback, ms });
      return next;
    },
    cancel: (handle) => void pending.delete(handle as number),
  };
  const fire = () => {
    const due = [...pending.values()];
    pending.clear();
    for (const entry of due) entry.callback();
    return due.map((entry) => entry.ms);
  };
  return { timer, fire, pending };
}

/** Frames exactly as the stock y-websocket provider writes them. */
function syncFrame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

const doc = new Y.Doc();
doc.getText("critique").insert(0, "Ciprofloxacin raises the INR.");
const stateVector = syncFrame((encoder) => syncProtocol.writeSyncStep1(encoder, doc));
const stateReply = syncFrame((encoder) => syncProtocol.writeSyncStep2(encoder, doc));
const update = syncFrame((encoder) =>
  syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(doc)),
);
const presence = (() => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(new Awareness(doc), [doc.clientID]));
  return encoding.toUint8Array(encoder);
})();

/** A connection as the provider makes one: step 1, presence, then the reply to the server's step 1. */
function connect(tracker: SaveTracker): void {
  tracker.socketOpening();
  tracker.socketOpened();
  tracker.frameSent(stateVector);
  tracker.frameSent(presence);
  tracker.frameSent(stateReply);
  tracker.syncedChanged(true);
}

describe("which frames carry changes", () => {
  test("sync step 2 and updates do; step 1, presence and garbage do not", () => {
    expect(carriesChanges(stateReply)).toBe(true);
    expect(carriesChanges(update)).toBe(true);
    expect(carriesChanges(stateVector)).toBe(false);
    expect(carriesChanges(presence)).toBe(false);
    expect(carriesChanges(new Uint8Array([0xff, 0xff, 0xff]))).toBe(false);
  });
});

describe("saved, saving, not saved", () => {
  test("connecting until the document arrives and the reply to it is stored", () => {
    const tracker = new SaveTracker();
    expect(tracker.read().state).toBe("connecting");
    connect(tracker);
    expect(tracker.read().state).toBe("saving");
    tracker.persisted(3);
    expect(tracker.read().state).toBe("saved");
  });

  test("an edit is saving until an acknowledgement covers its frame", () => {
    const tracker = new SaveTracker();
    connect(tracker);
    tracker.persisted(3);
    tracker.frameSent(update); // frame 4
    tracker.frameSent(presence); // frame 5
    tracker.frameSent(update); // frame 6
    expect(tracker.read().state).toBe("saving");
    tracker.persisted(4);
    expect(tracker.read().state).toBe("saving");
    tracker.persisted(6);
    expect(tracker.read().state).toBe("saved");
    tracker.frameSent(presence);
    expect(tracker.read().state).toBe("saved");
  });

  test("acknowledgements never count backwards", () => {
    const tracker = new SaveTracker();
    connect(tracker);
    tracker.frameSent(update);
    tracker.persisted(4);
    tracker.persisted(2);
    expect(tracker.read().state).toBe("saved");
  });

  test("an edit the lost connection never acknowledged is not saved until a later one stores it", () => {
    const tracker = new SaveTracker();
    connect(tracker);
    tracker.persisted(3);
    tracker.frameSent(update); // frame 4, never acknowledged
    tracker.socketClosed();
    expect(tracker.read().state).toBe("unsaved");

    // Counting starts again on the new socket; its sync step 2 carries the lost edit.
    tracker.socketOpening();
    expect(tracker.read().state).toBe("unsaved");
    tracker.socketOpened();
    expect(tracker.read().state).toBe("saving");
    tracker.frameSent(stateVector);
    tracker.frameSent(presence);
    tracker.frameSent(stateReply);
    tracker.syncedChanged(true);
    expect(tracker.read().state).toBe("saving");
    tracker.persisted(2);
    expect(tracker.read().state).toBe("saving");
    tracker.persisted(3);
    expect(tracker.read().state).toBe("saved");
  });

  test("edits made while offline are not saved; offline with nothing pending is only offline", () => {
    const tracker = new SaveTracker();
    connect(tracker);
    tracker.persisted(3);
    tracker.socketClosed();
    expect(tracker.read().state).toBe("offline");
    tracker.localChangeWhileDisconnected();
    expect(tracker.read().state).toBe("unsaved");
    connect(tracker);
    tracker.persisted(3);
    expect(tracker.read().state).toBe("saved");
  });

  test("a local change while connected is left to the frames that carry it", () => {
    const tracker = new SaveTracker();
    connect(tracker);
    tracker.persisted(3);
    tracker.localChangeWhileDisconnected();
    expect(tracker.read().state).toBe("saved");
  });

  test("a refusal by the server stays until the room starts over", () => {
    const tracker = new SaveTracker();
    connect(tracker);
    tracker.frameSent(update);
    tracker.refused(4423, "The document is published and read-only");
    tracker.socketClosed();
    expect(tracker.read()).toMatchObject({
      state: "refused",
      refusal: { code: 4423, reason: "The document is published and read-only" },
    });
  });

  test("listeners hear each change of the snapshot once", () => {
    const tracker = new SaveTracker();
    const states: string[] = [];
    tracker.subscribe(() => states.push(tracker.read().state));
    connect(tracker);
    tracker.frameSent(presence);
    tracker.persisted(3);
    // Connected, then the reply to the server is on its way, then synced, then stored.
    expect(states).toEqual(["connecting", "saving", "saving", "saved"]);
  });

  test("a change the server does not acknowledge within the deadline is not saved", () => {
    const { timer, fire } = manualTimer();
    const tracker = new SaveTracker(timer);
    connect(tracker);
    tracker.persisted(3);
    tracker.frameSent(update); // frame 4
    expect(tracker.read().state).toBe("saving");
    expect(fire()).toEqual([ACKNOWLEDGEMENT_DEADLINE_MS]);
    expect(tracker.read()).toMatchObject({ state: "unsaved", connection: "connected" });
    // The acknowledgement arrives after all: saved.
    tracker.persisted(4);
    expect(tracker.read().state).toBe("saved");
    expect(fire()).toEqual([]);
  });

  test("an acknowledged change leaves no deadline behind", () => {
    const { timer, fire } = manualTimer();
    const tracker = new SaveTracker(timer);
    connect(tracker);
    tracker.persisted(3);
    tracker.frameSent(update);
    tracker.persisted(4);
    fire();
    expect(tracker.read().state).toBe("saved");
  });

  test("the browser's offline event counts at once, and a socket that opens ends it", () => {
    const { timer } = manualTimer();
    const tracker = new SaveTracker(timer);
    connect(tracker);
    tracker.persisted(3);
    tracker.networkChanged(false);
    expect(tracker.read()).toMatchObject({ state: "offline", connection: "disconnected" });
    tracker.localChangeWhileDisconnected();
    expect(tracker.read().state).toBe("unsaved");
    tracker.networkChanged(true);
    expect(tracker.read().state).toBe("saving");
    connect(tracker);
    tracker.persisted(3);
    expect(tracker.read().state).toBe("saved");
    tracker.networkChanged(false);
    tracker.socketOpening();
    tracker.socketOpened();
    expect(tracker.read().connection).toBe("connected");
  });
});
