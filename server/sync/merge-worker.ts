import { parentPort } from "node:worker_threads";
import type { MergeReply, MergeRequest } from "./document-merger.ts";
import { mergeThroughDocument } from "./document-merger.ts";

/**
 * A compaction's merge, in a thread of its own: a room's snapshot and log of a few hundred
 * updates take tens of milliseconds to integrate, which on the server's thread would hold up
 * every room's live edits that long.
 */
const port = parentPort;
if (!port) throw new Error("merge-worker.ts runs as a worker thread");

port.on("message", (request: MergeRequest) => {
  let reply: MergeReply;
  try {
    const state = mergeThroughDocument(request.updates);
    reply = { id: request.id, state };
    port.postMessage(reply, [state.buffer as ArrayBuffer]);
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
