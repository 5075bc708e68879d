import fc from "fast-check";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { loadStoredRoom } from "../../server/sync/persistence.ts";
import { decodeClientMessage, messagePersisted } from "../../server/sync/protocol.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { insertLeadRoom, type RoomMember } from "../setup/room-item.ts";
import {
  connectSyncClient,
  openRawSyncSocket,
  typeInDraft,
  waitFor,
  type RawSyncSocket,
} from "../setup/sync-client.ts";

/** An edit the fuzzer makes to its own document before sending what it changed. */
const editArbitrary = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string() }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.nat({ max: 8 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    map: fc.constantFrom("label", "votes", "meta"),
    key: fc.string({ maxLength: 8 }),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
);

/** How a valid frame is damaged before it is sent. */
const mutationArbitrary = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("flip" as const),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
);

const stepArbitrary = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("random" as const),
      bytes: fc.uint8Array({ maxLength: 64 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("sync-prefixed" as const),
      syncType: fc.integer({ min: 0, max: 3 }),
      bytes: fc.uint8Array({ maxLength: 64 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      edit: editArbitrary,
      mutation: mutationArbitrary,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("presence" as const),
      state: fc.jsonValue({ maxDepth: 2 }),
      mutation: mutationArbitrary,
    }),
  },
);

type Step = typeof stepArbitrary extends fc.Arbitrary<infer T> ? T : never;
type Mutation = typeof mutationArbitrary extends fc.Arbitrary<infer T> ? T : never;

function mutate(frame: Uint8Array, mutation: Mutation): Uint8Array {
  switch (mutation.kind) {
    case "none":
      return frame;
    case "flip": {
      const copy = frame.slice();
      copy[mutation.at % copy.length] = mutation.value;
      return copy;
    }
    case "truncate":
      return frame.slice(0, mutation.at % frame.length);
    case "insert": {
      const at = mutation.at % (frame.length + 1);
      return new Uint8Array([...frame.slice(0, at), ...mutation.bytes, ...frame.slice(at)]);
    }
  }
}

function syncUpdateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/**
 * Applies an edit to the fuzzer's document and returns the update it made, if any. The text is
 * a field of the draft label, which the fuzzer (a lead) may write; `votes` under a key of no one
 * and `meta` it may not, which the server refuses.
 */
function edit(doc: Y.Doc, step: Extract<Step, { kind: "edit" }>["edit"]): Uint8Array | null {
  const before = Y.encodeStateVector(doc);
  const label = doc.getMap("label");
  if (!(label.get("fuzz") instanceof Y.Text)) label.set("fuzz", new Y.Text());
  const body = label.get("fuzz") as Y.Text;
  switch (step.kind) {
    case "insert":
      body.insert(step.at % (body.length + 1), step.text);
      break;
    case "delete":
      body.delete(step.at % (body.length + 1), Math.min(step.length, body.length));
      break;
    case "set":
      doc.getMap(step.map).set(step.key, step.value);
      break;
  }
  const update = Y.encodeStateAsUpdate(doc, before);
  return update.length > 2 ? update : null;
}

function presenceFrame(state: unknown): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, 7_777);
  encoding.writeVarUint(inner, 1);
  encoding.writeVarString(inner, JSON.stringify(state));
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
  return encoding.toUint8Array(encoder);
}

/** A sync update that adds nothing: its acknowledgement means every frame before it is handled. */
const probe = syncUpdateFrame(Y.encodeStateAsUpdate(new Y.Doc()));

/** A raw connection that knows how many frames it sent, for `persisted` acknowledgements. */
class FuzzConnection {
  private framesSent = 0;
  private constructor(readonly raw: RawSyncSocket) {}

  static async open(serverUrl: string, docName: string, token: string): Promise<FuzzConnection> {
    const raw = await openRawSyncSocket(serverUrl, docName, { token, persisted: true });
    return new FuzzConnection(raw);
  }

  get open(): boolean {
    return this.raw.socket.readyState === this.raw.socket.OPEN;
  }

  /** Sends the frame and reports whether the server accepted it or closed the connection. */
  async deliver(frame: Uint8Array): Promise<boolean> {
    this.raw.socket.send(frame);
    this.raw.socket.send(probe);
    this.framesSent += 2;
    const expected = this.framesSent;
    const acknowledged = () =>
      this.raw.received.some((received) => {
        const decoder = decoding.createDecoder(received);
        return (
          decoding.readVarUint(decoder) === messagePersisted &&
          decoding.readVarUint(decoder) === expected
        );
      });
    await waitFor(() => acknowledged() || !this.open, "the frame to be handled");
    return acknowledged();
  }
}

let server: TestServer;
let fuzzer: RoomMember;
let steady: RoomMember;
let fuzzerToken: string;
let steadyToken: string;

beforeAll(async () => {
  server = await startTestServer();
  fuzzer = await server.createUserWithToken({ email: "fuzzer@example.com" });
  steady = await server.createUserWithToken({ email: "steady@example.com" });
  ({ token: fuzzerToken } = fuzzer);
  ({ token: steadyToken } = steady);
});
afterAll(() => server.stop());

async function storedDocument(docName: string): Promise<Y.Doc> {
  const stored = await loadStoredRoom(server.context.db, docName);
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const update of stored.updates) Y.applyUpdate(doc, update);
  });
  return doc;
}

function sameDocument(a: Y.Doc, b: Y.Doc): boolean {
  return Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b));
}

describe("the sync server under random and damaged frames", () => {
  it("stays up, keeps other clients syncing, and stores only what valid updates carried", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 50, maxLength: 50 }), async (steps) => {
        const docName = await insertLeadRoom(server, [fuzzer, steady]);
        // What the server may store: the steady client's edits and the fuzz updates it accepted.
        const expected = new Y.Doc();
        const steadyClient = connectSyncClient(server.url, docName, { token: steadyToken });
        steadyClient.doc.on("update", (update: Uint8Array, origin: unknown) => {
          if (origin !== steadyClient.provider) Y.applyUpdate(expected, update);
        });
        await steadyClient.synced;
        let typed = 0;
        const typing = setInterval(() => {
          typeInDraft(steadyClient.doc, 0, `s${typed++} `);
        }, 10);

        // The fuzzer's own document, and what of it the server accepted: after a refusal the
        // fuzzer goes back to the latter, so that its next edits do not all build on a refused one.
        let fuzzDoc = new Y.Doc();
        const acceptedFuzz = new Y.Doc();
        let connection = await FuzzConnection.open(server.url, docName, fuzzerToken);
        try {
          for (const step of steps) {
            if (!connection.open) {
              connection = await FuzzConnection.open(server.url, docName, fuzzerToken);
            }
            let frame: Uint8Array;
            if (step.kind === "random") {
              frame = step.bytes;
            } else if (step.kind === "sync-prefixed") {
              frame = new Uint8Array([0, step.syncType, ...step.bytes]);
            } else if (step.kind === "presence") {
              frame = mutate(presenceFrame(step.state), step.mutation);
            } else {
              const update = edit(fuzzDoc, step.edit);
              if (update === null) continue;
              frame = mutate(syncUpdateFrame(update), step.mutation);
            }
            if (frame.length === 0) continue;
            if (await connection.deliver(frame)) {
              const message = decodeClientMessage(frame);
              if (message.type === "update" || message.type === "sync-step-2") {
                Y.applyUpdate(expected, message.update);
                Y.applyUpdate(acceptedFuzz, message.update);
              }
            } else if (step.kind === "edit") {
              fuzzDoc = new Y.Doc();
              Y.applyUpdate(fuzzDoc, Y.encodeStateAsUpdate(acceptedFuzz));
            }
          }
        } finally {
          clearInterval(typing);
          connection.raw.socket.terminate();
        }

        const health = await fetch(`${server.url}/healthz`);
        expect(health.status).toBe(200);
        await waitFor(
          async () =>
            sameDocument(await storedDocument(docName), expected) &&
            sameDocument(steadyClient.doc, expected),
          "the stored document and the steady client to agree",
        );
        expect(expected.store.pendingStructs).toBeNull();
        const late = connectSyncClient(server.url, docName, { token: steadyToken });
        await late.synced;
        expect(sameDocument(late.doc, expected)).toBe(true);
        late.destroy();
        steadyClient.destroy();
      }),
      // Without shrinking, a failure reports its seed and counterexample within the time limit.
      { numRuns: 4, endOnFailure: true },
    );
  });
});
