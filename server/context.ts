import type { Cookie } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { DatabaseKind } from "../db/client.ts";
import type { Database } from "../db/schema.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import type { RoomDocuments } from "./sync/room-documents.ts";

/** What every request handler, route loader and sync connection is given: no globals. */
export interface QuorumContext {
  db: Kysely<Database>;
  dbKind: DatabaseKind;
  config: Config;
  log: Logger;
  sessionCookie: Cookie;
  version: string;
  /** The sync server's room documents, for services that read or write them as the server. */
  rooms: RoomDocuments;
  /** Aborted when the server starts shutting down: long-lived responses (event streams) end. */
  closing: AbortSignal;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    quorum: QuorumContext;
    requestId: string;
    /** The client's address (from X-Forwarded-For only when TRUST_PROXY is set). */
    clientIp: string | null;
  }
}
