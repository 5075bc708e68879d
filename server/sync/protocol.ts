import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

/**
 * The y-websocket wire protocol: each binary frame is a varUint message type followed by its
 * payload. Frames are decoded and validated completely here, before anything touches a room,
 * so a malformed frame can be refused without a half-applied effect.
 *
 * One message is ours: `persisted` (type 100), `[100][varUint n]`, tells a client that the
 * document changes in the first `n` binary frames it sent on this connection (counting every
 * frame it sent, from 1) are stored durably, or needed storing not at all. It is sent after each
 * commit that held changes of that client, and after a frame whose changes the server already
 * had. A client that counts its frames can show saved / saving / not saved truthfully. The stock
 * provider logs an error for message types it does not know, so the server sends `persisted`
 * only to connections that ask for it with the query parameter `persisted=1`, and never to
 * observers, whose changes are not stored.
 */
export const messageSync = 0;
export const messageAwareness = 1;
export const messageQueryAwareness = 3;
export const messagePersisted = 100;

export type ClientMessage =
  | { type: "sync-step-1"; stateVector: Uint8Array }
  | { type: "sync-step-2"; update: Uint8Array }
  | { type: "update"; update: Uint8Array }
  | { type: "awareness"; update: Uint8Array; changes: RawAwarenessChange[] }
  | { type: "query-awareness" };

export interface AwarenessChange {
  clientId: number;
  clock: number;
  /** null when the client announces it has left. */
  state: unknown;
}

/**
 * A presence change as a client sent it, its state still JSON bytes: the server decides whether
 * to take a state (whose client id it is, how large) before it spends time parsing it.
 */
export interface RawAwarenessChange {
  clientId: number;
  clock: number;
  stateJson: Uint8Array;
  /** The state is JSON `null`: the client announces it has left. */
  removes: boolean;
}

export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedMessageError";
  }
}

export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(frame);
    const message = readMessage(decoder);
    if (decoding.hasContent(decoder))
      throw new MalformedMessageError("Trailing bytes after the message");
    return message;
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError(error instanceof Error ? error.message : String(error));
  }
}

function readMessage(decoder: decoding.Decoder): ClientMessage {
  const messageType = decoding.readVarUint(decoder);
  switch (messageType) {
    case messageSync:
      return readSyncMessage(decoder);
    case messageAwareness: {
      const update = decoding.readVarUint8Array(decoder);
      return { type: "awareness", update, changes: readAwarenessChanges(update) };
    }
    case messageQueryAwareness:
      return { type: "query-awareness" };
    default:
      throw new MalformedMessageError(`Unknown message type ${messageType}`);
  }
}

function readSyncMessage(decoder: decoding.Decoder): ClientMessage {
  const syncType = decoding.readVarUint(decoder);
  const payload = decoding.readVarUint8Array(decoder);
  switch (syncType) {
    case syncProtocol.messageYjsSyncStep1:
      Y.decodeStateVector(payload);
      return { type: "sync-step-1", stateVector: payload };
    case syncProtocol.messageYjsSyncStep2:
      Y.decodeUpdate(payload);
      return { type: "sync-step-2", update: payload };
    case syncProtocol.messageYjsUpdate:
      Y.decodeUpdate(payload);
      return { type: "update", update: payload };
    default:
      throw new MalformedMessageError(`Unknown sync message type ${syncType}`);
  }
}

const jsonNull = new TextEncoder().encode("null");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The layout of y-protocols' awareness update: count, then (clientID, clock, JSON state), the
 * state as a varUint length and its UTF-8 bytes. The states are not parsed here.
 */
export function readAwarenessChanges(update: Uint8Array): RawAwarenessChange[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const changes: RawAwarenessChange[] = [];
  for (let index = 0; index < count; index++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const stateJson = decoding.readVarUint8Array(decoder);
    const removes =
      stateJson.length === jsonNull.length &&
      stateJson.every((byte, position) => byte === jsonNull[position]);
    changes.push({ clientId, clock, stateJson, removes });
  }
  if (decoding.hasContent(decoder)) throw new MalformedMessageError("Trailing bytes in awareness");
  return changes;
}

/** Parses the state of a presence change; throws MalformedMessageError for bad JSON. */
export function parseAwarenessChange(change: RawAwarenessChange): AwarenessChange {
  let state: unknown;
  try {
    state = JSON.parse(utf8.decode(change.stateJson));
  } catch (error) {
    throw new MalformedMessageError(
      `A presence state is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { clientId: change.clientId, clock: change.clock, state };
}

/** An awareness update with every state parsed (from another instance, which checked it). */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessChange[] {
  return readAwarenessChanges(update).map(parseAwarenessChange);
}

/** Sync step 1 for a document given as an encoded update: its state vector. */
export function encodeSyncStep1(state: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep1);
  encoding.writeVarUint8Array(encoder, Y.encodeStateVectorFromUpdate(state));
  return encoding.toUint8Array(encoder);
}

/** Sync step 2 for a document given as an encoded update: what the other side's vector lacks. */
export function encodeSyncStep2(state: Uint8Array, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
  encoding.writeVarUint8Array(encoder, Y.diffUpdate(state, stateVector));
  return encoding.toUint8Array(encoder);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** An awareness update in y-protocols' layout, from changes the server has checked. */
export function encodeAwarenessChanges(changes: AwarenessChange[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, changes.length);
  for (const change of changes) {
    encoding.writeVarUint(encoder, change.clientId);
    encoding.writeVarUint(encoder, change.clock);
    encoding.writeVarString(encoder, JSON.stringify(change.state));
  }
  return encoding.toUint8Array(encoder);
}

/** Wraps an awareness update (as y-protocols encodes it) in an awareness message. */
export function encodeAwarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageAwareness);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodePersisted(frameCount: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messagePersisted);
  encoding.writeVarUint(encoder, frameCount);
  return encoding.toUint8Array(encoder);
}
