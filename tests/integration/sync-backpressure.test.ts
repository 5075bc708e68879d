import type { Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { encodeSyncStep1, messageSync } from "../../server/sync/protocol.ts";
import { createCast, disputedItem, type Cast } from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  draftText,
  openRawSyncSocket,
  typeInDraft,
  waitFor,
} from "../setup/sync-client.ts";

const maxDocumentBytes = 4 * 1024 * 1024;
const maxPayloadBytes = 512 * 1024;
const maxSendBufferBytes = 4 * 1024 * 1024;
const { track, trackRaw } = closeSyncClientsAfterEach();
/** A request for the whole document: the state of a client that has nothing. */
const emptyDocument = Y.encodeStateAsUpdate(new Y.Doc());

/** Sync step 2 frames among what a raw socket received: each is a copy of the document. */
const documentCopies = (frames: Uint8Array[]) =>
  frames.filter((frame) => frame[0] === messageSync && frame[1] === 1).length;

describe("what the server sends a participant that asks too much or reads too little", () => {
  let server: TestServer;
  let cast: Cast;
  let docName: string;

  beforeAll(async () => {
    server = await startTestServer({
      SYNC_MAX_DOCUMENT_BYTES: String(maxDocumentBytes),
      SYNC_MAX_PAYLOAD_BYTES: String(maxPayloadBytes),
      SYNC_MAX_SEND_BUFFER_BYTES: String(maxSendBufferBytes),
    });
    cast = await createCast(server);
    const { itemId } = await disputedItem(cast);
    docName = `item:${itemId}`;
    // About 3 MB of draft text, sent in frames under the payload limit.
    const lead = track(
      connectSyncClient(server.url, docName, { token: cast.lead.token, persisted: true }),
    );
    await lead.synced;
    const chunk = "x".repeat(300 * 1024);
    for (let index = 0; index < 10; index++) {
      typeInDraft(lead.doc, draftText(lead.doc).length, chunk);
      await delay(50);
    }
    await waitFor(() => lead.saved(), "the lead's text to be stored", 30_000);
    lead.destroy();
  }, 120_000);
  afterAll(() => server?.stop());

  it("answers a read-only participant's requests for the document a few times, not each time", async () => {
    // Asked with the state of a client that has the document, so that the answers are small
    // and only their number counts.
    const observer = track(connectSyncClient(server.url, docName, { token: cast.client.token }));
    await observer.synced;
    const held = Y.encodeStateAsUpdate(observer.doc);
    const raw = trackRaw(
      await openRawSyncSocket(server.url, docName, { token: cast.client.token }),
    );
    for (let request = 0; request < 30; request++) raw.socket.send(encodeSyncStep1(held));
    await delay(2_000);
    expect(documentCopies(raw.received)).toBe(3);
    expect(raw.socket.readyState).toBe(raw.socket.OPEN);
  });

  it("drops a participant that does not read what it is sent, and serves the others", async () => {
    const raw = trackRaw(
      await openRawSyncSocket(server.url, docName, { token: cast.client.token }),
    );
    const underlying = (raw.socket as unknown as { _socket: Socket })._socket;
    underlying.pause();
    for (let request = 0; request < 3; request++) raw.socket.send(encodeSyncStep1(emptyDocument));
    const editor = track(
      connectSyncClient(server.url, docName, { token: cast.lead.token, persisted: true }),
    );
    await editor.synced;
    for (let index = 0; index < 2; index++) {
      typeInDraft(editor.doc, 0, "y".repeat(200 * 1024));
      await delay(50);
    }
    await waitFor(() => editor.saved(), "the editor's text to be stored", 30_000);
    await delay(1_000);
    underlying.resume();
    const closed = await Promise.race([raw.closed, delay(10_000).then(() => null)]);
    // Dropped without a close frame: it would have queued behind what the peer did not read.
    expect(closed?.code).toBe(1006);
    expect(editor.provider.wsconnected).toBe(true);
  });
});
