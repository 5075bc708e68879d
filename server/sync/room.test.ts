import { setTimeout as delay } from "node:timers/promises";
import fc from "fast-check";
import { sql } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { openTestDatabase } from "../../tests/setup/database.ts";
import { PresenceAllowance, RateLimiter, type PresenceLimits } from "./awareness.ts";
import { RoomCompactor, RoomLogWriter, type LogRow } from "./persistence.ts";
import { SyncCloseCode } from "./close-codes.ts";
import type { DocumentAccess } from "./permissions.ts";
import {
  decodeClientMessage,
  encodeAwarenessChanges,
  encodeAwarenessMessage,
  encodeUpdate,
  MalformedMessageError,
  messagePersisted,
  messageSync,
} from "./protocol.ts";
import { BacklogMerges, type RoomLimits, type RoomParticipant } from "./room.ts";
import { Rooms } from "./rooms.ts";

const log = pino({ level: "silent" });

interface TestParticipant extends RoomParticipant {
  frames: Uint8Array[];
  refusals: Array<{ code: number; reason: string }>;
}

let nextParticipant = 0;
const generousPresenceLimits: PresenceLimits = {
  updatesPerSecond: 1_000,
  bytesPerSecond: 1024 * 1024,
  maxStateBytes: 64 * 1024,
  maxClientIds: 8,
};

function participant(access: DocumentAccess, wantsPersisted = false): TestParticipant {
  nextParticipant += 1;
  const frames: Uint8Array[] = [];
  const refusals: Array<{ code: number; reason: string }> = [];
  const presence = new PresenceAllowance(generousPresenceLimits);
  return {
    id: `participant-${nextParticipant}`,
    access,
    writes: { participantKey: `key-${nextParticipant}`, label: true, vote: true, comment: true },
    identity: {
      id: nextParticipant,
      name: `User ${nextParticipant}`,
      role: "annotator",
      colour: "#000",
      pseudonym: `Expert ${nextParticipant}`,
    },
    seesPseudonyms: false,
    wantsPersisted,
    awarenessClients: presence.clientIds,
    admitPresence: (changes) => presence.admit(changes),
    admitPresenceQuery: () => presence.admitQuery(),
    frames,
    refusals,
    send: (frame) => frames.push(frame),
    refuse: (code, reason) => refusals.push({ code, reason }),
  };
}

/** The document updates among the frames a participant was sent. */
function updatesIn(frames: Uint8Array[]): Uint8Array[] {
  return frames.flatMap((frame) => {
    if (frame[0] !== messageSync) return [];
    try {
      const message = decodeClientMessage(frame);
      return message.type === "update" ? [message.update] : [];
    } catch {
      return [];
    }
  });
}

/** Appends to a free-text field of the draft label, creating it in the first update. */
function textUpdate(text: string, doc = new Y.Doc()): Uint8Array {
  const before = Y.encodeStateVector(doc);
  const label = doc.getMap("label");
  doc.transact(() => {
    if (!label.has("body")) label.set("body", new Y.Text());
    const body = label.get("body") as Y.Text;
    body.insert(body.length, text);
  });
  return Y.encodeStateAsUpdate(doc, before);
}

function bodyOf(doc: Y.Doc): string {
  return (doc.getMap("label").get("body") as Y.Text | undefined)?.toString() ?? "";
}

function updateMessage(update: Uint8Array) {
  return decodeClientMessage(encodeUpdate(update));
}

/** Rows of the server's own writes, which a room's log takes whatever the item's status. */
function serverRows(...updates: Uint8Array[]): LogRow[] {
  return updates.map((update) => ({ update, fromParticipant: false }));
}

const defaultLimits: RoomLimits = {
  maxDocumentBytes: 1024 * 1024,
  compactAfterUpdates: 500,
  compactAfterBytes: 1024 * 1024,
};

describe("Rooms", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  const rooms = (limits: Partial<RoomLimits> = {}) =>
    new Rooms({
      db: database.db,
      writer: new RoomLogWriter(database.db),
      compactor: new RoomCompactor(database.db),
      log,
      limits: { ...defaultLimits, ...limits },
      fanOut: null,
    });

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.drop());

  async function storedRows(docName: string): Promise<number> {
    const row = await database.db
      .selectFrom("room_updates")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("doc_name", "=", docName)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  it("stores an update before relaying it, and loads it again after unloading", async () => {
    const registry = rooms();
    const editor = participant("edit");
    const other = participant("edit");
    const room = await registry.join("scratch:store", editor);
    expect(await registry.join("scratch:store", other)).toBe(room);

    room.receive(editor, updateMessage(textUpdate("kept")), 1);
    expect(updatesIn(other.frames)).toHaveLength(0);
    await room.settled();
    expect(await storedRows("scratch:store")).toBe(1);
    expect(updatesIn(other.frames)).toHaveLength(1);
    expect(updatesIn(editor.frames)).toHaveLength(0);

    registry.leave(room, editor);
    registry.leave(room, other);
    expect(room.destroyed).toBe(true);
    expect(registry.size).toBe(0);
    const reopened = await registry.join("scratch:store", participant("edit"));
    expect(reopened).not.toBe(room);
    expect(bodyOf(reopened.storedDocument())).toBe("kept");
  });

  it("retries a failed write, relays nothing meanwhile, and stays loaded until it is stored", async () => {
    const registry = rooms();
    const editor = participant("edit");
    const other = participant("observe");
    const room = await registry.join("scratch:retry", editor);
    await registry.join("scratch:retry", other);
    await sql`alter table room_updates rename to room_updates_away`.execute(database.db);
    try {
      room.receive(editor, updateMessage(textUpdate("held back")), 1);
      registry.leave(room, editor);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(updatesIn(other.frames)).toHaveLength(0);
      expect(bodyOf(room.storedDocument())).toBe("");
      registry.leave(room, other);
      expect(room.destroyed).toBe(false);
    } finally {
      await sql`alter table room_updates_away rename to room_updates`.execute(database.db);
    }
    await room.settled();
    expect(room.destroyed).toBe(true);
    expect(await storedRows("scratch:retry")).toBe(1);
  });

  it("groups the updates that arrive during a write into the next insert", async () => {
    const registry = rooms();
    const editor = participant("edit");
    const room = await registry.join("scratch:group", editor);
    const doc = new Y.Doc();
    for (let index = 1; index <= 20; index++) {
      room.receive(editor, updateMessage(textUpdate(`${index} `, doc)), index);
    }
    await room.settled();
    expect(await storedRows("scratch:group")).toBe(20);
    const inserts = await database.db
      .selectFrom("room_updates")
      .select((eb) => eb.fn.count<number>(sql`distinct xmin::text`).as("commits"))
      .where("doc_name", "=", "scratch:group")
      .executeTakeFirstOrThrow();
    // The first update is written alone; the 19 queued behind it go in one statement.
    expect(Number(inserts.commits)).toBe(2);
    expect(bodyOf(room.storedDocument())).toBe(bodyOf(doc));
  });

  it("acknowledges each sender's frames once their changes are stored", async () => {
    const registry = rooms();
    const editor = participant("edit", true);
    const room = await registry.join("scratch:acks", editor);
    const doc = new Y.Doc();
    room.receive(editor, updateMessage(textUpdate("a", doc)), 3);
    room.receive(editor, updateMessage(textUpdate("b", doc)), 4);
    // A frame with nothing new is acknowledged in its turn, after the two before it.
    room.receive(editor, updateMessage(Y.encodeStateAsUpdate(doc)), 5);
    const acknowledgements = () =>
      editor.frames.filter((frame) => frame[0] === messagePersisted).map((frame) => frame[1]);
    expect(acknowledgements()).toEqual([]);
    await room.settled();
    // Frame 3 is written alone; 4 and 5 wait for it and are acknowledged together.
    expect(acknowledgements()).toEqual([3, 5]);
  });

  it("drops an observer's update without storing or relaying it", async () => {
    const registry = rooms();
    const observer = participant("observe", true);
    const editor = participant("edit");
    const room = await registry.join("scratch:observer", observer);
    await registry.join("scratch:observer", editor);
    room.receive(observer, updateMessage(textUpdate("not allowed")), 1);
    await room.settled();
    expect(bodyOf(room.storedDocument())).toBe("");
    expect(updatesIn(editor.frames)).toHaveLength(0);
    expect(observer.frames.some((frame) => frame[0] === messagePersisted)).toBe(false);
    expect(await storedRows("scratch:observer")).toBe(0);
  });

  it("refuses an update whose dependencies the server lacks, leaving the room unchanged", async () => {
    const registry = rooms();
    const editor = participant("edit");
    const room = await registry.join("scratch:gap", editor);
    const doc = new Y.Doc();
    textUpdate("first", doc);
    const second = textUpdate(" second", doc);
    expect(() => room.receive(editor, updateMessage(second), 1)).toThrow(MalformedMessageError);
    room.receive(editor, updateMessage(textUpdate("unrelated")), 2);
    await room.settled();
    expect(bodyOf(room.storedDocument())).toBe("unrelated");
    expect(await storedRows("scratch:gap")).toBe(1);
  });

  it("refuses a client's deletion in meta as it refuses a write", async () => {
    const registry = rooms();
    const editor = participant("edit");
    const room = await registry.join("scratch:meta-delete", editor);
    await registry.applyServerUpdate("scratch:meta-delete", (shared) => {
      shared.getMap("meta").set("status", "open");
    });
    const doc = new Y.Doc();
    Y.applyUpdate(doc, room.storedUpdate);
    const before = Y.encodeStateVector(doc);
    doc.getMap("meta").delete("status");
    room.receive(editor, updateMessage(Y.encodeStateAsUpdate(doc, before)), 1);
    expect(editor.refusals).toEqual([
      { code: SyncCloseCode.forbiddenChange, reason: expect.any(String) },
    ]);
    await room.settled();
    expect(room.storedDocument().getMap("meta").get("status")).toBe("open");
  });

  it("stores only what each update adds, however much of the document it repeats", async () => {
    const registry = rooms({ compactAfterUpdates: 10_000 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            text: fc.string({ minLength: 0, maxLength: 4 }),
            send: fc.constantFrom("change" as const, "everything" as const),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (steps) => {
          run += 1;
          const name = `scratch:adds-only-${run}`;
          const editor = participant("edit");
          const room = await registry.join(name, editor);
          const copy = new Y.Doc();
          let frame = 0;
          for (const step of steps) {
            const change = textUpdate(step.text, copy);
            frame += 1;
            const sent = step.send === "change" ? change : Y.encodeStateAsUpdate(copy);
            room.receive(editor, updateMessage(sent), frame);
          }
          await room.settled();
          const rows = await database.db
            .selectFrom("room_updates")
            .select("update")
            .where("doc_name", "=", name)
            .execute();
          // Each client's structs stored across all rows, counted by clock: as many as the
          // document holds, so no row repeats what an earlier one stored.
          let storedClocks = 0;
          for (const { update } of rows) {
            const { from, to } = Y.parseUpdateMeta(update);
            for (const [client, end] of to) storedClocks += end - (from.get(client) ?? 0);
          }
          const documentClocks = [...Y.decodeStateVector(Y.encodeStateVector(copy)).values()];
          expect(storedClocks).toBe(documentClocks.reduce((total, clock) => total + clock, 0));
          expect(bodyOf(room.storedDocument())).toBe(bodyOf(copy));
          registry.leave(room, editor);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("keeps a refused change out of the stored state while stored updates wait to be merged", async () => {
    const registry = rooms({ compactAfterUpdates: 10_000 });
    const editor = participant("edit");
    const room = await registry.join("scratch:refused-beside-backlog", editor);
    const copy = new Y.Doc();
    for (let frame = 1; frame <= 3; frame += 1) {
      room.receive(editor, updateMessage(textUpdate(`${frame},`, copy)), frame);
      await room.settled();
    }
    expect(room.unmergedUpdates).toBe(3);

    const before = Y.encodeStateVector(copy);
    copy.transact(() => {
      (copy.getMap("label").get("body") as Y.Text).insert(0, "forged ");
      copy.getMap("meta").set("status", "published");
    });
    room.receive(editor, updateMessage(Y.encodeStateAsUpdate(copy, before)), 4);
    expect(editor.refusals.map((refusal) => refusal.code)).toEqual([SyncCloseCode.forbiddenChange]);

    for (const doc of [joinedDocument(room), room.storedDocument()]) {
      expect(bodyOf(doc)).toBe("1,2,3,");
      expect(doc.getMap("meta").toJSON()).toEqual({});
    }
  });

  it("refuses a client's change to meta, and every change once the server has published", async () => {
    const registry = rooms();
    const editor = participant("edit");
    const room = await registry.join("scratch:publish", editor);
    const doc = new Y.Doc();
    doc.getMap("meta").set("status", "published");
    room.receive(editor, updateMessage(Y.encodeStateAsUpdate(doc)), 1);
    expect(editor.refusals).toEqual([
      { code: SyncCloseCode.forbiddenChange, reason: expect.any(String) },
    ]);

    const draft = new Y.Doc();
    room.receive(editor, updateMessage(textUpdate("draft", draft)), 2);
    await registry.applyServerUpdate("scratch:publish", (shared) => {
      shared.getMap("meta").set("status", "published");
    });
    expect(room.storedDocument().getMap("meta").get("status")).toBe("published");
    room.receive(editor, updateMessage(textUpdate(" after publishing", draft)), 3);
    expect(editor.refusals.at(-1)?.code).toBe(SyncCloseCode.documentPublished);
    // A reconnecting client's sync reply that carries nothing new is not a change.
    room.receive(editor, updateMessage(room.storedUpdate), 4);
    expect(editor.refusals).toHaveLength(2);
    await room.settled();
    expect(bodyOf(room.storedDocument())).toBe("draft");
    const reread = await registry.read("scratch:publish");
    expect(bodyOf(reread)).toBe("draft");
    expect(reread.getMap("meta").toJSON()).toEqual({ status: "published" });
  });

  it("refuses an update that would take the document past its size cap", async () => {
    const registry = rooms({ maxDocumentBytes: 2_000 });
    const editor = participant("edit");
    const room = await registry.join("scratch:cap", editor);
    const doc = new Y.Doc();
    room.receive(editor, updateMessage(textUpdate("x".repeat(1_000), doc)), 1);
    room.receive(editor, updateMessage(textUpdate("y".repeat(1_500), doc)), 2);
    expect(editor.refusals.map((refusal) => refusal.code)).toEqual([
      SyncCloseCode.documentTooLarge,
    ]);
    await room.settled();
    expect(bodyOf(room.storedDocument())).toBe("x".repeat(1_000));
    expect(await storedRows("scratch:cap")).toBe(1);
  });

  it("refuses a server write that would take the document past its size cap, changing nothing", async () => {
    const registry = rooms({ maxDocumentBytes: 2_000 });
    const editor = participant("edit");
    const room = await registry.join("scratch:server-cap", editor);
    const doc = new Y.Doc();
    room.receive(editor, updateMessage(textUpdate("x".repeat(1_000), doc)), 1);
    await room.settled();
    const before = room.storedUpdate;

    await expect(
      registry.applyServerUpdate("scratch:server-cap", (shared) => {
        shared.getMap("votes").set("member", "y".repeat(1_500));
      }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: "The document scratch:server-cap would exceed its size limit of 2000 bytes",
    });
    expect(room.storedUpdate).toEqual(before);
    expect(room.storedDocument().getMap("votes").toJSON()).toEqual({});
    expect(await storedRows("scratch:server-cap")).toBe(1);
    expect(updatesIn(editor.frames)).toHaveLength(0);

    // The room goes on: a participant's edit and a server write within the cap are stored.
    room.receive(editor, updateMessage(textUpdate("z", doc)), 2);
    await registry.applyServerUpdate("scratch:server-cap", (shared) => {
      shared.getMap("meta").set("status", "open");
    });
    expect(editor.refusals).toEqual([]);
    const reread = await rooms({ maxDocumentBytes: 2_000 }).read("scratch:server-cap");
    expect(bodyOf(reread)).toBe(`${"x".repeat(1_000)}z`);
    expect(reread.getMap("meta").toJSON()).toEqual({ status: "open" });
    expect(reread.getMap("votes").toJSON()).toEqual({});
  });

  it("writes a server change durably whether or not the room is loaded", async () => {
    const registry = rooms();
    await registry.applyServerUpdate("scratch:server", (doc) => {
      doc.getMap("label").set("verdict", "unsafe");
    });
    expect(registry.size).toBe(0);
    expect(await storedRows("scratch:server")).toBe(1);
    await registry.applyServerUpdate("scratch:server", () => {});
    expect(await storedRows("scratch:server")).toBe(1);
    await expect(
      registry.applyServerUpdate("scratch:server", (doc) => {
        doc.getMap("label").set("verdict", "half-written");
        throw new Error("mutation failed");
      }),
    ).rejects.toThrow("mutation failed");
    const watcher = participant("observe");
    const room = await registry.join("scratch:server", watcher);
    expect(room.storedDocument().getMap("label").toJSON()).toEqual({ verdict: "unsafe" });
    await registry.applyServerUpdate("scratch:server", (doc) => {
      doc.getMap("label").set("severity", "major");
    });
    expect(updatesIn(watcher.frames)).toHaveLength(1);
  });

  it("compacts the log into one snapshot once it passes the threshold", async () => {
    const registry = rooms({ compactAfterUpdates: 10 });
    const editor = participant("edit");
    const room = await registry.join("scratch:compact", editor);
    const doc = new Y.Doc();
    for (let index = 1; index <= 25; index++) {
      room.receive(editor, updateMessage(textUpdate(`${index},`, doc)), index);
      await room.settled();
    }
    expect(await storedRows("scratch:compact")).toBeLessThan(10);
    const snapshots = await database.db
      .selectFrom("room_snapshots")
      .select(["state", "last_update_id"])
      .where("doc_name", "=", "scratch:compact")
      .execute();
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0].last_update_id).toBeGreaterThan(0);
    const reread = await rooms().read("scratch:compact");
    expect(bodyOf(reread)).toBe(bodyOf(doc));
  });

  it("stamps presence with the server's identity and drops claims on another's client id", async () => {
    const registry = rooms();
    const first = participant("edit");
    const second = participant("observe");
    const room = await registry.join("scratch:presence", first);
    await registry.join("scratch:presence", second);
    const present = (state: unknown, clientId: number, clock: number) =>
      decodeClientMessage(
        encodeAwarenessMessage(encodeAwarenessChanges([{ clientId, clock, state }])),
      );
    room.receive(first, present({ user: { name: "Someone else" }, cursor: 3 }, 1001, 1), 1);
    expect(room.awareness.getStates().get(1001)).toEqual({
      user: first.identity,
      cursor: 3,
    });
    room.receive(second, present({ user: { name: "Me" } }, 1001, 2), 1);
    room.receive(second, present(null, 1001, 3), 2);
    expect(room.awareness.getStates().get(1001)).toEqual({ user: first.identity, cursor: 3 });
    room.receive(second, present("not an object", 2002, 1), 3);
    expect(room.awareness.getStates().get(2002)).toEqual({ user: second.identity });

    registry.leave(room, first);
    expect(room.awareness.getStates().has(1001)).toBe(false);
  });

  type TextEdit =
    | { kind: "insert"; editor: number; at: number; text: string }
    | { kind: "delete"; editor: number; at: number; length: number }
    | { kind: "settle" };
  const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
    fc.record({
      kind: fc.constant("insert" as const),
      editor: fc.integer({ min: 0, max: 1 }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      text: fc.string({ minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant("delete" as const),
      editor: fc.integer({ min: 0, max: 1 }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      length: fc.integer({ min: 1, max: 3 }),
    }),
    fc.constant({ kind: "settle" as const }),
  );

  /** What a client that has never synced receives in reply to its sync step 1. */
  /** The document a client joining the room is sent in reply to its sync request. */
  function joinedDocument(room: Awaited<ReturnType<Rooms["join"]>>): Y.Doc {
    const joiner = participant("observe");
    room.receive(joiner, { type: "sync-step-1", stateVector: Y.encodeStateVector(new Y.Doc()) }, 1);
    const doc = new Y.Doc();
    for (const frame of joiner.frames) {
      const message = decodeClientMessage(frame);
      if (message.type === "sync-step-2") Y.applyUpdate(doc, message.update);
    }
    return doc;
  }

  function joinedText(room: Awaited<ReturnType<Rooms["join"]>>): string {
    return bodyOf(joinedDocument(room));
  }

  it("serves from its stored state exactly the text its editors converge on", async () => {
    const registry = rooms();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(textEdit, { maxLength: 40 }), async (edits) => {
        run += 1;
        const docName = `scratch:stored-state-${run}`;
        const editors = [participant("edit"), participant("edit")];
        const copies = editors.map(() => new Y.Doc());
        const room = await registry.join(docName, editors[0]);
        await registry.join(docName, editors[1]);
        const delivered = editors.map(() => 0);
        const deliverRelayed = () => {
          editors.forEach((editor, index) => {
            for (const update of updatesIn(editor.frames.slice(delivered[index]))) {
              Y.applyUpdate(copies[index], update);
            }
            delivered[index] = editor.frames.length;
          });
        };
        let frame = 0;
        for (const edit of edits) {
          if (edit.kind === "settle") {
            await room.settled();
            deliverRelayed();
            continue;
          }
          const copy = copies[edit.editor];
          const before = Y.encodeStateVector(copy);
          const label = copy.getMap("label");
          copy.transact(() => {
            if (!label.has("body")) label.set("body", new Y.Text());
            const body = label.get("body") as Y.Text;
            const at = Math.floor(edit.at * body.length);
            if (edit.kind === "insert") body.insert(at, edit.text);
            else body.delete(at, Math.min(edit.length, body.length - at));
          });
          frame += 1;
          room.receive(
            editors[edit.editor],
            updateMessage(Y.encodeStateAsUpdate(copy, before)),
            frame,
          );
        }
        await room.settled();
        deliverRelayed();
        // Both editors typed into their own copy of a body the other may also have created;
        // what they converge on, merged, is what the room must hold.
        const merged = new Y.Doc();
        for (const copy of copies) Y.applyUpdate(merged, Y.encodeStateAsUpdate(copy));
        expect(bodyOf(copies[0])).toBe(bodyOf(merged));
        expect(bodyOf(copies[1])).toBe(bodyOf(merged));
        expect(bodyOf(room.storedDocument())).toBe(bodyOf(merged));
        expect(joinedText(room)).toBe(bodyOf(merged));
        for (const editor of editors) registry.leave(room, editor);
      }),
      { numRuns: 25 },
    );
  });

  it("keeps every edit when its stored state merges a long backlog", async () => {
    const registry = rooms({ compactAfterUpdates: 10_000 });
    const editor = participant("edit");
    const room = await registry.join("scratch:long-backlog", editor);
    const copy = new Y.Doc();
    for (let index = 0; index < 300; index += 1) {
      room.receive(editor, updateMessage(textUpdate(`${index},`, copy)), index + 1);
      await room.settled();
    }
    expect(bodyOf(room.storedDocument())).toBe(bodyOf(copy));
    expect(joinedText(room)).toBe(bodyOf(copy));
    registry.leave(room, editor);
    const reloaded = await registry.join("scratch:long-backlog", editor);
    expect(bodyOf(reloaded.storedDocument())).toBe(bodyOf(copy));
  });

  it("merges a long stored backlog on a later turn of the event loop, without a reader", async () => {
    const registry = rooms({ compactAfterUpdates: 10_000 });
    const editor = participant("edit");
    const room = await registry.join("scratch:backlog-merged-later", editor);
    const copy = new Y.Doc();
    let merged = false;
    for (let index = 0; index < 300 && !merged; index += 1) {
      room.receive(editor, updateMessage(textUpdate(`${index},`, copy)), index + 1);
      await room.settled();
      expect(room.unmergedUpdates).toBeLessThanOrEqual(256);
      const unmerged = room.unmergedUpdates;
      await new Promise((resolve) => setImmediate(resolve));
      merged = room.unmergedUpdates < unmerged;
    }
    expect(merged).toBe(true);
    expect(room.unmergedUpdates).toBe(0);
    expect(joinedText(room)).toBe(bodyOf(copy));
    registry.leave(room, editor);
  });
});

describe("BacklogMerges", () => {
  it("merges one room per turn of the event loop, each room once however often it is due", async () => {
    const merges = new BacklogMerges();
    const merged: string[] = [];
    const rooms = ["a", "b", "c"].map((name) => () => void merged.push(name));
    for (const merge of [...rooms, rooms[0], rooms[1]]) merges.schedule(merge);
    expect(merged).toEqual([]);
    const turns: string[][] = [];
    for (let turn = 0; turn < 4; turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      turns.push([...merged]);
    }
    expect(turns).toEqual([["a"], ["a", "b"], ["a", "b", "c"], ["a", "b", "c"]]);
  });
});

describe("RoomLogWriter", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.drop());

  async function commitsOf(prefix: string) {
    // xmin is the id of the transaction that inserted the row.
    const rows = await database.db
      .selectFrom("room_updates")
      .select(sql<string>`xmin::text`.as("transaction"))
      .where("doc_name", "like", `${prefix}%`)
      .execute();
    return { rows: rows.length, commits: new Set(rows.map((row) => row.transaction)).size };
  }

  it("writes the appends of rooms waiting at the same moment in one INSERT", async () => {
    const writer = new RoomLogWriter(database.db, 1);
    const first = writer.append("batch:first", serverRows(textUpdate("a")));
    const waiting = Array.from({ length: 10 }, (_, index) =>
      writer.append(`batch:${index}`, serverRows(textUpdate("b"), textUpdate("c"))),
    );
    await Promise.all([first, ...waiting]);
    expect(await commitsOf("batch:")).toEqual({ rows: 21, commits: 2 });
  });

  it("retries a failed combined INSERT room by room, so one room's failure is its own", async () => {
    await sql`alter table room_updates add constraint refuse_poison check (doc_name <> 'isolated:poison')`.execute(
      database.db,
    );
    try {
      const writer = new RoomLogWriter(database.db, 1);
      const blocker = writer.append("isolated:first", serverRows(textUpdate("a")));
      const poisoned = writer.append("isolated:poison", serverRows(textUpdate("x")));
      const healthy = writer.append("isolated:healthy", serverRows(textUpdate("y")));
      await blocker;
      await expect(poisoned).rejects.toThrow();
      await healthy;
      expect((await commitsOf("isolated:")).rows).toBe(2);
    } finally {
      await sql`alter table room_updates drop constraint refuse_poison`.execute(database.db);
    }
  });
});

describe("RoomCompactor", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.drop());

  /**
   * Holds the snapshot row of `docName` in an open transaction, so that its compaction waits;
   * resolves, once the row is held, with the function that lets go of it.
   */
  async function holdSnapshot(docName: string): Promise<() => Promise<void>> {
    let held!: () => void;
    let letGo!: () => void;
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const released = new Promise<void>((resolve) => (letGo = resolve));
    const transaction = database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("room_snapshots")
        .values({ doc_name: docName, state: Y.encodeStateAsUpdate(new Y.Doc()) })
        .execute();
      held();
      await released;
    });
    await isHeld;
    return async () => {
      letGo();
      await transaction;
    };
  }

  async function logRows(docName: string): Promise<number> {
    const rows = await database.db
      .selectFrom("room_updates")
      .select("id")
      .where("doc_name", "=", docName)
      .execute();
    return rows.length;
  }

  it("compacts one room at a time, in the order they fell due", async () => {
    const writer = new RoomLogWriter(database.db);
    await writer.append("queue:first", serverRows(textUpdate("a"), textUpdate("b")));
    await writer.append("queue:second", serverRows(textUpdate("c")));
    const release = await holdSnapshot("queue:first");
    const compactor = new RoomCompactor(database.db, 1);
    const first = compactor.compact("queue:first");
    let secondDone = false;
    const second = compactor.compact("queue:second").then((compaction) => {
      secondDone = true;
      return compaction;
    });
    await delay(500);
    // Without the queue the second room's compaction, which nothing holds up, is long done.
    expect(secondDone).toBe(false);
    await release();
    expect(await first).toMatchObject({ mergedRows: 2 });
    expect(await second).toMatchObject({ mergedRows: 1 });
    expect([await logRows("queue:first"), await logRows("queue:second")]).toEqual([0, 0]);
  });

  it("rests after each compaction as long as it took, before the next", async () => {
    const writer = new RoomLogWriter(database.db);
    await writer.append("resting:first", serverRows(textUpdate("a")));
    await writer.append("resting:second", serverRows(textUpdate("b")));
    const release = await holdSnapshot("resting:first");
    const compactor = new RoomCompactor(database.db, 1, undefined, 1);
    const first = compactor.compact("resting:first").then(() => performance.now());
    const second = compactor.compact("resting:second").then(() => performance.now());
    await delay(400);
    await release();
    const [firstDone, secondDone] = await Promise.all([first, second]);
    // The first took at least the 400 ms it was held; the second started that long after it.
    expect(secondDone - firstDone).toBeGreaterThanOrEqual(390);
    expect(await logRows("resting:second")).toBe(0);
  });

  it("drops the compactions not yet started when it closes, leaving their logs as they are", async () => {
    const writer = new RoomLogWriter(database.db);
    await writer.append("closing:first", serverRows(textUpdate("a")));
    await writer.append("closing:second", serverRows(textUpdate("b")));
    const release = await holdSnapshot("closing:first");
    const compactor = new RoomCompactor(database.db, 1);
    const first = compactor.compact("closing:first");
    const second = compactor.compact("closing:second");
    compactor.close();
    await expect(second).resolves.toBeNull();
    await expect(compactor.compact("closing:second")).resolves.toBeNull();
    await release();
    expect(await first).toMatchObject({ mergedRows: 1 });
    expect(await logRows("closing:second")).toBe(1);
  });
});

describe("RateLimiter", () => {
  it("allows a second's worth at once, then refills at the rate", () => {
    let now = 0;
    const limiter = new RateLimiter(20, () => now);
    const burst = Array.from({ length: 30 }, () => limiter.tryTake());
    expect(burst.filter(Boolean)).toHaveLength(20);
    now += 100;
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([true, true, false]);
  });
});
