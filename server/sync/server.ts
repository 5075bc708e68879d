import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { QuorumContext } from "../context.ts";

// Placeholder until the sync server lands in this directory.
export function createSyncServer(_context: QuorumContext) {
  return {
    handleUpgrade(_request: IncomingMessage, socket: Duplex, _head: Buffer) {
      socket.destroy();
    },
    async close() {},
  };
}
