import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addComment, resolveComment, setVote, votesToJson } from "../../app/domain/room.ts";
import { forbiddenWrite, type RoomWrites } from "./write-rules.ts";

const own = "k-own";
const other = "k-other";

/** A pre-filled room: a draft, the votes of two members, a comment by each, meta. */
function preparedRoom(): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    doc.getMap("label").set("verdict", "safe");
    doc.getMap("label").set("notes", new Y.Text("dose"));
    setVote(doc, own, "verdict", "safe");
    setVote(doc, other, "verdict", "unsafe");
    addComment(doc, { id: "c-own", author: own, text: "mine" });
    addComment(doc, { id: "c-other", author: other, text: "theirs" });
    doc.getMap("meta").set("status", "open");
    doc.getMap("meta").set("version", 1);
  });
  return doc;
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

const comment = (doc: Y.Doc, id: string) =>
  doc
    .getArray<Y.Map<unknown>>("comments")
    .toArray()
    .find((map) => map.get("id") === id)!;

/** A change a participant's client makes, and the permission it needs (null: none may). */
interface Edit {
  name: string;
  needs: keyof Omit<RoomWrites, "participantKey"> | null;
  apply(doc: Y.Doc): void;
}

const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer());

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  value.map((v) => ({
    name: "set a draft field",
    needs: "label" as const,
    apply: (doc: Y.Doc) => doc.getMap("label").set("verdict", v),
  })),
  fc.string({ maxLength: 6 }).map((text) => ({
    name: "type in the draft's text",
    needs: "label" as const,
    apply: (doc: Y.Doc) => (doc.getMap("label").get("notes") as Y.Text).insert(0, `${text}!`),
  })),
  value.map((v) => ({
    name: "change one's own vote",
    needs: "vote" as const,
    apply: (doc: Y.Doc) => setVote(doc, own, "verdict", v),
  })),
  fc.constant({
    name: "withdraw one's own vote",
    needs: "vote" as const,
    apply: (doc: Y.Doc) => votesMapOf(doc).set(own, new Y.Map()),
  }),
  fc.constantFrom(other, "k-new", "").chain((member) =>
    value.map((v) => ({
      name: `vote as ${member || "(empty key)"}`,
      needs: null,
      apply: (doc: Y.Doc) => setVote(doc, member, "verdict", v),
    })),
  ),
  fc.constant({
    name: "delete another's vote",
    needs: null,
    apply: (doc: Y.Doc) => votesMapOf(doc).delete(other),
  }),
  fc.constant({
    name: "vote with something other than a map",
    needs: null,
    apply: (doc: Y.Doc) => votesMapOf(doc).set(own, "safe" as unknown as Y.Map<unknown>),
  }),
  fc.string({ minLength: 1, maxLength: 6 }).map((text) => ({
    name: "comment as oneself",
    needs: "comment" as const,
    apply: (doc: Y.Doc) => void addComment(doc, { author: own, text }),
  })),
  fc.constantFrom(other, "k-new").map((author) => ({
    name: `comment as ${author}`,
    needs: null,
    apply: (doc: Y.Doc) => void addComment(doc, { author, text: "forged" }),
  })),
  fc.constantFrom("c-own", "c-other").map((id) => ({
    name: `resolve ${id}`,
    needs: "comment" as const,
    apply: (doc: Y.Doc) => void resolveComment(doc, id, !comment(doc, id).get("resolved")),
  })),
  fc.constant({
    name: "edit one's own comment",
    needs: "comment" as const,
    apply: (doc: Y.Doc) => comment(doc, "c-own").set("text", "mine, edited"),
  }),
  fc.constant({
    name: "edit another's comment",
    needs: null,
    apply: (doc: Y.Doc) => comment(doc, "c-other").set("text", "edited by someone else"),
  }),
  fc.constantFrom("c-own", "c-other").map((id) => ({
    name: `re-author ${id}`,
    needs: null,
    apply: (doc: Y.Doc) => comment(doc, id).set("author", other),
  })),
  fc.constant({
    name: "delete a comment",
    needs: null,
    apply: (doc: Y.Doc) => doc.getArray("comments").delete(0, 1),
  }),
  fc.constant({
    name: "comment with a field comments do not have",
    needs: null,
    apply: (doc: Y.Doc) => {
      const map = new Y.Map<unknown>();
      map.set("author", own);
      map.set("text", "hi");
      map.set("votes", "{}");
      doc.getArray("comments").push([map]);
    },
  }),
  fc.constantFrom("status", "publishedBy", "version").map((key) => ({
    name: `write meta.${key}`,
    needs: null,
    apply: (doc: Y.Doc) => doc.getMap("meta").set(key, "forged"),
  })),
  fc.constantFrom("body", "Votes", "votes2").map((name) => ({
    name: `write a shared type '${name}'`,
    needs: null,
    apply: (doc: Y.Doc) => doc.getText(name).insert(0, "x"),
  })),
);

function votesMapOf(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap<Y.Map<unknown>>("votes");
}

const writesArbitrary: fc.Arbitrary<RoomWrites> = fc.record({
  participantKey: fc.constant(own),
  label: fc.boolean(),
  vote: fc.boolean(),
  comment: fc.boolean(),
});

/** Applies an update the way the room stages one and returns the verdict on it. */
function stage(accepted: Y.Doc, update: Uint8Array, writes: RoomWrites) {
  const staged = copyOf(accepted);
  let verdict: ReturnType<typeof forbiddenWrite> = null;
  staged.transact((transaction) => {
    Y.applyUpdate(staged, update);
    verdict = forbiddenWrite(staged, transaction, writes);
  });
  return { staged, verdict: verdict as ReturnType<typeof forbiddenWrite> };
}

describe("what a participant may write in a room", () => {
  it("accepts exactly the edits the participant's rights allow, and no forged part stays", () => {
    fc.assert(
      fc.property(writesArbitrary, fc.array(editArbitrary, { maxLength: 25 }), (writes, edits) => {
        let accepted = preparedRoom();
        const otherVote = votesToJson(accepted)[other];
        const meta = accepted.getMap("meta").toJSON();
        let client = copyOf(accepted);
        for (const edit of edits) {
          const before = Y.encodeStateVector(client);
          edit.apply(client);
          const update = Y.encodeStateAsUpdate(client, before);
          const { staged, verdict } = stage(accepted, update, writes);
          const allowed = edit.needs !== null && writes[edit.needs];
          expect(verdict === null, `${edit.name} with ${JSON.stringify(writes)}`).toBe(allowed);
          if (verdict === null) {
            accepted = staged;
          } else {
            // The refused client starts over from what the room holds, as the page offers.
            client = copyOf(accepted);
          }
        }
        expect(votesToJson(accepted)[other]).toEqual(otherVote);
        expect(accepted.getMap("meta").toJSON()).toEqual(meta);
        expect([...accepted.share.keys()].sort()).toEqual(
          ["comments", "label", "meta", "votes"].filter((name) => accepted.share.has(name)),
        );
        const theirs = comment(accepted, "c-other");
        expect([theirs.get("author"), theirs.get("text")]).toEqual([other, "theirs"]);
        for (const map of accepted.getArray<Y.Map<unknown>>("comments").toArray().slice(2)) {
          expect(map.get("author")).toBe(own);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a vote under another key hidden in an update that also changes one's own", () => {
    const room = preparedRoom();
    const client = copyOf(room);
    const before = Y.encodeStateVector(client);
    client.transact(() => {
      setVote(client, own, "verdict", "unsafe");
      setVote(client, other, "verdict", "safe");
    });
    const writes: RoomWrites = { participantKey: own, label: true, vote: true, comment: true };
    const { verdict } = stage(room, Y.encodeStateAsUpdate(client, before), writes);
    expect(verdict).toEqual({ part: "votes", reason: "Only your own vote may be changed" });
  });

  it("never lets content written into another member's replaced vote show up", () => {
    const room = preparedRoom();
    // A client that still holds the other member's old vote map writes into it after the
    // member replaced it: the write lands in a deleted, garbage-collected type, or is refused.
    const stale = copyOf(room);
    room.transact(() => votesMapOf(room).set(other, new Y.Map()));
    const before = Y.encodeStateVector(stale);
    votesMapOf(stale).get(other)!.set("verdict", "forged");
    const writes: RoomWrites = { participantKey: own, label: true, vote: true, comment: true };
    const { staged, verdict } = stage(room, Y.encodeStateAsUpdate(stale, before), writes);
    expect(verdict === null || verdict.part === "votes").toBe(true);
    expect(votesToJson(staged)[other]).toEqual({});
  });
});
