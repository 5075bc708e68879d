import type { Cookie } from "@remix-run/node";
import type { PreparedContent } from "../app/components/markdown/content-formats.ts";
import type { Kysely } from "kysely";
import type { DatabaseKind } from "../db/client.ts";
import type { Database } from "../db/schema.ts";
import type { AccessChanges } from "./access-changes.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import type { MarkdownRenderer } from "./rendering/markdown-pool.ts";
import type { Mailer } from "./services/mail.ts";
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
  /** Formats item content in worker threads, so that no page parses markdown on the event loop. */
  markdown: MarkdownRenderer;
  /** Tells open sync connections and event streams to recheck their access now. */
  accessChanges: AccessChanges;
  /** Sends invite and password-reset links by email, when SMTP is configured. */
  mailer: Mailer;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    quorum: QuorumContext;
    requestId: string;
    /** The client's address (from X-Forwarded-For only when TRUST_PROXY is set). */
    clientIp: string | null;
    /** This response's Content-Security-Policy nonce, for the page's inline scripts. */
    cspNonce: string;
    /**
     * Item content this request's loaders had formatted, by its text: what the page's server
     * rendering shows (app/components/markdown/prepared-markdown.tsx).
     */
    preparedContent: Map<string, PreparedContent>;
  }
}
