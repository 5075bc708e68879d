import fc from "fast-check";
import * as decoding from "lib0/decoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  addComment,
  commentsToJson,
  itemRoomName,
  labelText,
  readMeta,
  resolveComment,
  setVote,
  votesToJson,
  type Votes,
} from "../../app/domain/room.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { encodeUpdate, messagePersisted } from "../../server/sync/protocol.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import { createCast, disputedItem, type Cast } from "../setup/adjudication.ts";
import { participantKeyFor } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  openRawSyncSocket,
  waitFor,
  within,
  type RawSyncSocket,
} from "../setup/sync-client.ts";

let server: TestServer;
let cast: Cast;
const clients = closeSyncClientsAfterEach();

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server?.stop());

/** A sync update that adds nothing: its acknowledgement means every frame before it is handled. */
const probe = encodeUpdate(Y.encodeStateAsUpdate(new Y.Doc()));

/** A panel member's raw connection that tells, frame by frame, what the server accepted. */
class MemberConnection {
  private framesSent = 0;
  private constructor(readonly raw: RawSyncSocket) {}

  static async open(docName: string, token: string): Promise<MemberConnection> {
    const raw = clients.trackRaw(
      await openRawSyncSocket(server.url, docName, { token, persisted: true }),
    );
    return new MemberConnection(raw);
  }

  get open(): boolean {
    return this.raw.socket.readyState === this.raw.socket.OPEN;
  }

  /** Sends one update; true once it is stored, false when the server closed the connection. */
  async deliver(update: Uint8Array): Promise<boolean> {
    this.raw.socket.send(encodeUpdate(update));
    this.raw.socket.send(probe);
    this.framesSent += 2;
    const expected = this.framesSent;
    const acknowledged = () =>
      this.raw.received.some((frame) => {
        const decoder = decoding.createDecoder(frame);
        return (
          decoding.readVarUint(decoder) === messagePersisted &&
          decoding.readVarUint(decoder) === expected
        );
      });
    await waitFor(() => acknowledged() || !this.open, "the update to be handled");
    return acknowledged();
  }
}

interface Keys {
  own: string;
  others: string[];
  lead: string;
}

/** A change a panel member's client could send; `forgedVote` marks a write to another's vote. */
interface Edit {
  name: string;
  allowed: boolean;
  forgedVote?: boolean;
  apply(doc: Y.Doc, keys: Keys): void;
}

const comments = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>("comments");

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.integer({ min: -2, max: 2 }).map((value) => ({
    name: "own vote",
    allowed: true,
    apply: (doc: Y.Doc, keys: Keys) => setVote(doc, keys.own, "preference", value),
  })),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })).map(([which, value]) => ({
    name: "another member's vote",
    allowed: false,
    forgedVote: true,
    apply: (doc: Y.Doc, keys: Keys) =>
      setVote(doc, keys.others[which % keys.others.length], "accuracy", value),
  })),
  fc.constant({
    name: "a vote under the lead's key",
    allowed: false,
    forgedVote: true,
    apply: (doc: Y.Doc, keys: Keys) => setVote(doc, keys.lead, "accuracy", 1),
  }),
  fc.nat().map((which) => ({
    name: "delete another member's vote",
    allowed: false,
    forgedVote: true,
    apply: (doc: Y.Doc, keys: Keys) =>
      doc.getMap("votes").delete(keys.others[which % keys.others.length]),
  })),
  fc.integer({ min: 1, max: 5 }).map((value) => ({
    name: "draft field",
    allowed: true,
    apply: (doc: Y.Doc) => doc.getMap("label").set("accuracy", value),
  })),
  fc.string({ maxLength: 8 }).map((text) => ({
    name: "draft text",
    allowed: true,
    apply: (doc: Y.Doc) => labelText(doc, "critique")?.insert(0, `${text}.`),
  })),
  fc.string({ minLength: 1, maxLength: 8 }).map((text) => ({
    name: "own comment",
    allowed: true,
    apply: (doc: Y.Doc, keys: Keys) => void addComment(doc, { author: keys.own, text }),
  })),
  fc.nat().map((which) => ({
    name: "comment in another's name",
    allowed: false,
    apply: (doc: Y.Doc, keys: Keys) =>
      void addComment(doc, { author: keys.others[which % keys.others.length], text: "forged" }),
  })),
  fc.constant({
    name: "resolve the first comment",
    allowed: true,
    apply: (doc: Y.Doc) => {
      const first = comments(doc).get(0);
      if (first) resolveComment(doc, first.get("id") as string, first.get("resolved") !== true);
      else doc.getMap("label").set("accuracy", 3);
    },
  }),
  fc.constant({
    name: "rewrite the lead's comment",
    allowed: false,
    apply: (doc: Y.Doc) => {
      comments(doc).get(0).set("text", "rewritten");
    },
  }),
  fc.constantFrom("status", "publishedBy", "approvals").map((key) => ({
    name: `meta.${key}`,
    allowed: false,
    apply: (doc: Y.Doc) => doc.getMap("meta").set(key, "forged"),
  })),
  fc.constant({
    name: "a shared type rooms do not have",
    allowed: false,
    apply: (doc: Y.Doc) => doc.getText("notes").insert(0, "10 MB of anything"),
  }),
);

async function storedRoom(itemId: number): Promise<Y.Doc> {
  return server.context.rooms.read(itemRoomName(itemId));
}

describe("what a panel member may write", () => {
  it("stores only the member's own vote and the parts their role allows, whatever they send", async () => {
    const outcomes = { forgedVotes: 0, forgedVotesStored: 0, allowed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(editArbitrary, { minLength: 12, maxLength: 12 }), async (edits) => {
        const { itemId } = await disputedItem(cast);
        await prepareItemRoom(server.context, itemId);
        const docName = itemRoomName(itemId);
        const [member, ...others] = cast.experts;
        const keys: Keys = {
          own: await participantKeyFor(server, itemId, member.id),
          others: await Promise.all(
            others.map((other) => participantKeyFor(server, itemId, other.id)),
          ),
          lead: await participantKeyFor(server, itemId, cast.lead.id),
        };
        await server.context.rooms.applyServerUpdate(docName, (doc) => {
          addComment(doc, { author: keys.lead, text: "Check the INR first." });
        });
        const initial = await storedRoom(itemId);
        const othersVotes: Votes = Object.fromEntries(
          Object.entries(votesToJson(initial)).filter(([key]) => key !== keys.own),
        );
        const meta = readMeta(initial);

        let connection = await MemberConnection.open(docName, member.token);
        let client = initial;
        for (const edit of edits) {
          if (!connection.open) connection = await MemberConnection.open(docName, member.token);
          const before = Y.encodeStateVector(client);
          edit.apply(client, keys);
          const update = Y.encodeStateAsUpdate(client, before);
          const accepted = await connection.deliver(update);
          expect(accepted, edit.name).toBe(edit.allowed);
          outcomes[accepted ? "allowed" : "refused"] += 1;
          if (edit.forgedVote) outcomes.forgedVotes += 1;
          // A refused client starts over from the stored room, as the room page offers.
          if (!accepted) client = await storedRoom(itemId);
        }

        const stored = await storedRoom(itemId);
        const storedOthers = Object.fromEntries(
          Object.entries(votesToJson(stored)).filter(([key]) => key !== keys.own),
        );
        for (const key of new Set([...Object.keys(othersVotes), ...Object.keys(storedOthers)])) {
          if (JSON.stringify(storedOthers[key]) !== JSON.stringify(othersVotes[key])) {
            outcomes.forgedVotesStored += 1;
          }
        }
        expect(storedOthers).toEqual(othersVotes);
        expect(readMeta(stored)).toEqual(meta);
        expect(stored.share.has("notes")).toBe(false);
        const [leadComment, ...rest] = commentsToJson(stored);
        expect(leadComment).toMatchObject({ author: keys.lead, text: "Check the INR first." });
        for (const comment of rest) expect(comment.author).toBe(keys.own);

        // What the others voted is what the published version records for them.
        const published = await cast.lead.api.post(`/items/${itemId}/publish`, {});
        expect(published.status, JSON.stringify(published.body)).toBe(201);
        const version = await server.context.db
          .selectFrom("adjudications")
          .select("votes")
          .where("item_id", "=", itemId)
          .executeTakeFirstOrThrow();
        const votes = version.votes as Votes;
        expect(Object.keys(votes).sort()).toEqual(
          cast.experts.map((expert) => String(expert.id)).sort(),
        );
        others.forEach((other, index) => {
          expect(votes[String(other.id)]).toEqual(othersVotes[keys.others[index]]);
        });
      }),
      { numRuns: 6, endOnFailure: true },
    );
    expect(outcomes.forgedVotes).toBeGreaterThan(0);
    expect(outcomes.forgedVotesStored).toBe(0);
    expect(outcomes.allowed).toBeGreaterThan(0);
  });

  it("lets a lead who is not on the panel edit the draft and comment, but not vote", async () => {
    const { itemId } = await disputedItem(cast);
    const lead = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), {
        token: cast.lead.token,
        persisted: true,
      }),
    );
    await lead.synced;
    const leadKey = await participantKeyFor(server, itemId, cast.lead.id);
    lead.doc.getMap("label").set("accuracy", 3);
    addComment(lead.doc, { author: leadKey, text: "Accuracy 3: the dose is off." });
    await waitFor(() => lead.saved(), "the lead's draft and comment to be stored");
    setVote(lead.doc, leadKey, "accuracy", 3);
    expect((await within(lead.refused, "the lead's vote to be refused")).code).toBe(
      SyncCloseCode.forbiddenChange,
    );
    const stored = await storedRoom(itemId);
    expect(stored.getMap("label").get("accuracy")).toBe(3);
    expect(commentsToJson(stored).map((comment) => comment.author)).toEqual([leadKey]);
    expect(Object.keys(votesToJson(stored))).not.toContain(leadKey);
  });
});

describe("text no column can hold", () => {
  it("is removed from the published label and votes: a NUL typed in the room publishes", async () => {
    const { itemId } = await disputedItem(cast);
    const member = cast.experts[0];
    const key = await participantKeyFor(server, itemId, member.id);
    const client = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), { token: member.token, persisted: true }),
    );
    await client.synced;
    labelText(client.doc, "critique")!.insert(0, "Dose\u0000 must\u0007 follow the INR.");
    setVote(client.doc, key, "critique", "mine\u0000");
    await waitFor(() => client.saved(), "the edits to be stored");

    const published = await cast.lead.api.post<{ label: Record<string, unknown> }>(
      `/items/${itemId}/publish`,
      {},
    );
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.label.critique).toBe("Dose must follow the INR.");
    const version = await server.context.db
      .selectFrom("adjudications")
      .select(["label", "votes"])
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    expect((version.label as Record<string, unknown>).critique).toBe("Dose must follow the INR.");
    expect((version.votes as Votes)[String(member.id)].critique).toBe("mine");
    // The room shows the label as published.
    await waitFor(
      () => labelText(client.doc, "critique")?.toString() === "Dose must follow the INR.",
      "the published label to reach the room",
    );
  });
});
