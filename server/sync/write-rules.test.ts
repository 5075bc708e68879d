import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addComment, resolveComment, setVote, votesToJson } from "../../app/domain/room.ts";
import {
  forbiddenWrite,
  MAX_COMMENT_LENGTH,
  SERVER_COMMENT_ID_PREFIX,
  type RoomWrites,
} from "./write-rules.ts";

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
  fc.nat({ max: 3 }).map((index) => ({
    name: "comment as oneself under an id the server gives its comments",
    needs: null,
    apply: (doc: Y.Doc) =>
      void addComment(doc, { id: `${SERVER_COMMENT_ID_PREFIX}1-${index}`, author: own, text: "x" }),
  })),
  fc.integer({ min: 1, max: 3 }).map((over) => ({
    name: "comment as oneself past the length cap",
    needs: null,
    apply: (doc: Y.Doc) =>
      void addComment(doc, { author: own, text: "x".repeat(MAX_COMMENT_LENGTH + over) }),
  })),
  fc.constant({
    name: "edit one's own comment past the length cap",
    needs: null,
    apply: (doc: Y.Doc) => comment(doc, "c-own").set("text", "y".repeat(MAX_COMMENT_LENGTH + 1)),
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

  it("takes comments up to the length cap, new or edited, and refuses one character more", () => {
    const writes: RoomWrites = { participantKey: own, label: false, vote: false, comment: true };
    const verdictOf = (change: (doc: Y.Doc) => void) => {
      const room = preparedRoom();
      const client = copyOf(room);
      const before = Y.encodeStateVector(client);
      change(client);
      return stage(room, Y.encodeStateAsUpdate(client, before), writes).verdict;
    };
    const atCap = "z".repeat(MAX_COMMENT_LENGTH);
    expect(verdictOf((doc) => void addComment(doc, { author: own, text: atCap }))).toBeNull();
    expect(verdictOf((doc) => comment(doc, "c-own").set("text", atCap))).toBeNull();
    expect(verdictOf((doc) => void addComment(doc, { author: own, text: `${atCap}z` }))).toEqual({
      part: "comments",
      reason: "A comment's text is at most 10,000 characters",
    });
    expect(verdictOf((doc) => comment(doc, "c-own").set("text", `${atCap}z`))).toEqual({
      part: "comments",
      reason: "A comment's text is at most 10,000 characters",
    });
    expect(
      verdictOf((doc) => void addComment(doc, { id: "review-7-0", author: own, text: "first" })),
    ).toEqual({ part: "comments", reason: "Comment ids starting with 'review-' are the server's" });
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

describe("the shape of what a participant writes", () => {
  const editor: RoomWrites = { participantKey: own, label: true, vote: true, comment: true };

  function updateOf(room: Y.Doc, change: (client: Y.Doc) => void): Uint8Array {
    const client = copyOf(room);
    const before = Y.encodeStateVector(client);
    change(client);
    return Y.encodeStateAsUpdate(client, before);
  }

  /** Nests maps one level at a time in the document, as a client's edits would. */
  function setNestedMaps(doc: Y.Doc, depth: number): void {
    doc.transact(() => {
      let current = new Y.Map<unknown>();
      doc.getMap("label").set("deep", current);
      for (let level = 1; level < depth; level++) {
        const inner = new Y.Map<unknown>();
        current.set("deeper", inner);
        current = inner;
      }
    });
  }

  function nestedLists(depth: number): unknown {
    let value: unknown = "x";
    for (let level = 0; level < depth; level++) value = [value];
    return value;
  }

  it("refuses a chain of nested maps under the draft, however deep", () => {
    const room = preparedRoom();
    for (const depth of [2, 5, 6000]) {
      const update = updateOf(room, (client) => setNestedMaps(client, depth));
      const { verdict } = stage(room, update, editor);
      expect(verdict, `depth ${depth}`).not.toBeNull();
    }
  });

  it("refuses plain values nested deeper than a label's, in the draft, a span and a vote", () => {
    const room = preparedRoom();
    room.transact(() => {
      const spans = new Y.Array<Y.Map<unknown>>();
      const span = new Y.Map<unknown>();
      span.set("id", "s1");
      spans.push([span]);
      room.getMap("label").set("errors", spans);
    });
    const span = (doc: Y.Doc) =>
      (doc.getMap("label").get("errors") as Y.Array<Y.Map<unknown>>).get(0);
    const places: Array<[string, (doc: Y.Doc, value: unknown) => void]> = [
      ["draft", (doc, value) => doc.getMap("label").set("verdict", value)],
      ["span", (doc, value) => span(doc).set("note", value)],
      ["vote", (doc, value) => setVote(doc, own, "verdict", value as string)],
    ];
    for (const [place, write] of places) {
      const shallow = updateOf(room, (client) => write(client, nestedLists(3)));
      expect(stage(room, shallow, editor).verdict, place).toBeNull();
      const deep = updateOf(room, (client) => write(client, nestedLists(500)));
      expect(stage(room, deep, editor).verdict, place).not.toBeNull();
    }
  });

  it("accepts the draft's own shapes and refuses others", () => {
    const room = preparedRoom();
    const cases: Array<[string, (doc: Y.Doc) => void, boolean]> = [
      ["a rating", (doc) => doc.getMap("label").set("score", 4), true],
      ["a ranking", (doc) => doc.getMap("label").set("order", ["b", "a"]), true],
      ["a text", (doc) => doc.getMap("label").set("notes", new Y.Text("x")), true],
      [
        "a span",
        (doc) => {
          const spans = new Y.Array<Y.Map<unknown>>();
          const span = new Y.Map<unknown>();
          span.set("start", 0);
          spans.push([span]);
          doc.getMap("label").set("errors", spans);
        },
        true,
      ],
      ["a map as a field", (doc) => doc.getMap("label").set("odd", new Y.Map()), false],
      ["bytes as a field", (doc) => doc.getMap("label").set("odd", new Uint8Array(3)), false],
      [
        "a list of texts",
        (doc) => {
          const list = new Y.Array<Y.Text>();
          list.push([new Y.Text("x")]);
          doc.getMap("label").set("odd", list);
        },
        false,
      ],
      [
        "a map inside a text",
        (doc) => (doc.getMap("label").get("notes") as Y.Text).insertEmbed(0, new Y.Map()),
        false,
      ],
    ];
    for (const [name, change, allowed] of cases) {
      expect(stage(room, updateOf(room, change), editor).verdict === null, name).toBe(allowed);
    }
  });
});
