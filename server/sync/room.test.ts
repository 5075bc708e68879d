import { pino } from "pino";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { DocumentAccess } from "./permissions.ts";
import { decodeClientMessage, encodeUpdate, MalformedMessageError } from "./protocol.ts";
import { Rooms, type RoomParticipant } from "./room.ts";

const log = pino({ level: "silent" });

function participant(access: DocumentAccess): RoomParticipant & { frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  return { access, awarenessClients: new Set(), frames, send: (frame) => frames.push(frame) };
}

function textUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText("body").insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe("Rooms", () => {
  it("shares one room per name and unloads it once the last participant has left", async () => {
    const rooms = new Rooms({ log });
    const editor = participant("edit");
    const other = participant("edit");
    const room = await rooms.join("scratch:unload", editor);
    expect(await rooms.join("scratch:unload", other)).toBe(room);

    room.receive(editor, decodeClientMessage(encodeUpdate(textUpdate("kept while open"))));
    rooms.leave(room, editor);
    await room.settled();
    expect(room.destroyed).toBe(false);
    expect(other.frames.length).toBeGreaterThan(1);

    rooms.leave(room, other);
    await room.settled();
    expect(room.destroyed).toBe(true);
    expect(rooms.size).toBe(0);

    const reopened = await rooms.join("scratch:unload", participant("edit"));
    expect(reopened).not.toBe(room);
    expect(reopened.doc.getText("body").toString()).toBe("");
  });

  it("relays an editor's update to the others, not back to its sender", async () => {
    const rooms = new Rooms({ log });
    const sender = participant("edit");
    const receiver = participant("observe");
    const room = await rooms.join("scratch:relay", sender);
    await rooms.join("scratch:relay", receiver);
    const sentBefore = sender.frames.length;
    const receivedBefore = receiver.frames.length;

    room.receive(sender, decodeClientMessage(encodeUpdate(textUpdate("hello"))));
    await room.settled();
    expect(room.doc.getText("body").toString()).toBe("hello");
    expect(sender.frames.length).toBe(sentBefore);
    expect(receiver.frames.length).toBe(receivedBefore + 1);
  });

  it("drops an observer's update without applying or relaying it", async () => {
    const rooms = new Rooms({ log });
    const observer = participant("observe");
    const editor = participant("edit");
    const room = await rooms.join("scratch:observer", observer);
    await rooms.join("scratch:observer", editor);
    const editorFrames = editor.frames.length;

    room.receive(observer, decodeClientMessage(encodeUpdate(textUpdate("not allowed"))));
    await room.settled();
    expect(room.doc.getText("body").toString()).toBe("");
    expect(editor.frames.length).toBe(editorFrames);
  });

  it("refuses frames that do not decode", () => {
    const update = encodeUpdate(textUpdate("cut short"));
    expect(() => decodeClientMessage(update.slice(0, -3))).toThrow(MalformedMessageError);
    expect(() => decodeClientMessage(new Uint8Array([7]))).toThrow(MalformedMessageError);
    expect(() => decodeClientMessage(new Uint8Array([1, 3, 1, 1, 1]))).toThrow(
      MalformedMessageError,
    );
  });
});
