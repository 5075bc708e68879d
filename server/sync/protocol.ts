import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

/**
 * The y-websocket wire protocol: each binary frame is a varUint message type followed by its
 * payload. Frames are decoded and validated completely here, before anything touches a room,
 * so a malformed frame can be refused without a half-applied effect.
 */
export const messageSync = 0;
export const messageAwareness = 1;
export const messageQueryAwareness = 3;

export type ClientMessage =
  | { type: "sync-step-1"; stateVector: Uint8Array }
  | { type: "sync-step-2"; update: Uint8Array }
  | { type: "update"; update: Uint8Array }
  | { type: "awareness"; update: Uint8Array; changes: AwarenessChange[] }
  | { type: "query-awareness" };

export interface AwarenessChange {
  clientId: number;
  /** null when the client announces it has left. */
  state: unknown;
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

/** The layout of y-protocols' awareness update: count, then (clientID, clock, JSON state). */
function readAwarenessChanges(update: Uint8Array): AwarenessChange[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const changes: AwarenessChange[] = [];
  for (let index = 0; index < count; index++) {
    const clientId = decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    const state: unknown = JSON.parse(decoding.readVarString(decoder));
    changes.push({ clientId, state });
  }
  if (decoding.hasContent(decoder)) throw new MalformedMessageError("Trailing bytes in awareness");
  return changes;
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  return encoding.toUint8Array(encoder);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageSync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodeAwareness(
  awareness: awarenessProtocol.Awareness,
  clientIds: number[],
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageAwareness);
  encoding.writeVarUint8Array(
    encoder,
    awarenessProtocol.encodeAwarenessUpdate(awareness, clientIds),
  );
  return encoding.toUint8Array(encoder);
}
