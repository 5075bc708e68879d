import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { z } from "zod";
import type { User } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import {
  AppError,
  badRequest,
  databaseAppError,
  forbidden,
  RETRY_AFTER_SECONDS,
  unauthorized,
} from "../errors.ts";
import { authenticate, SESSION_COOKIE_NAME, type CredentialKind } from "../http/credentials.ts";
import type { CredentialRef } from "../services/auth.ts";
import { parseDocumentName, type DocumentName } from "./document-name.ts";
import { authorizeDocument, type DocumentGrant } from "./permissions.ts";

/** Who is connecting to which document, with which access: settled before the upgrade. */
export interface SyncPeer {
  user: User;
  via: CredentialKind;
  /** What the connection was opened with; the server checks now and then that it still holds. */
  credential: CredentialRef;
  document: DocumentName;
  grant: DocumentGrant;
  /** The client asked for `persisted` acknowledgements (protocol.ts) with `?persisted=1`. */
  wantsPersisted: boolean;
}

const syncPath = /^\/sync\/([^/]+)$/;
const querySchema = z.object({
  token: z.string().max(512).optional(),
  persisted: z.enum(["0", "1"]).optional(),
});

/**
 * The authenticate stage. It runs on the raw upgrade request, before `ws` accepts the socket,
 * so nothing is read from or buffered for a peer that may not connect. Throws an AppError.
 */
export async function authenticateUpgrade(
  context: QuorumContext,
  request: IncomingMessage,
): Promise<SyncPeer> {
  const url = new URL(request.url ?? "/", "http://upgrade.invalid");
  const match = syncPath.exec(url.pathname);
  if (!match) throw badRequest("Connect to /sync/<docName>");
  const document = parseDocumentName(match[1]);
  const query = querySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    throw badRequest("The token is at most 512 characters and persisted is 0 or 1");
  }

  const cookieHeader = request.headers.cookie ?? null;
  const authorizationHeader = request.headers.authorization ?? null;
  const queryToken = query.data.token ?? null;
  if (carriesSession(cookieHeader) && queryToken === null && authorizationHeader === null) {
    requireSameOrigin(request);
  }
  const credentials = await authenticate(context.db, context.sessionCookie, {
    cookieHeader,
    authorizationHeader,
    queryToken,
  });
  if (!credentials) throw unauthorized("Sign in, or pass an API token as ?token=");
  const grant = await authorizeDocument(context, credentials.user, document);
  return {
    user: credentials.user,
    via: credentials.via,
    credential: credentials.credential,
    document,
    grant,
    wantsPersisted: query.data.persisted === "1",
  };
}

function carriesSession(cookieHeader: string | null): boolean {
  return cookieHeader?.includes(`${SESSION_COOKIE_NAME}=`) ?? false;
}

/**
 * A browser attaches the session cookie to a WebSocket opened by any site, and WebSockets are
 * not bound by CORS, so a cookie-authenticated upgrade must come from one of our own pages.
 */
function requireSameOrigin(request: IncomingMessage): void {
  const origin = request.headers.origin;
  let originHost: string | null = null;
  try {
    originHost = origin ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (originHost === null || originHost !== request.headers.host) {
    throw forbidden("Cross-origin WebSocket refused");
  }
}

/**
 * Answers a refused upgrade on the raw socket with the contract's error shape, then drops the
 * connection: the peer never gets a WebSocket.
 */
export function refuseUpgrade(socket: Duplex, error: AppError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(error.toBody());
  const headers = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? "Error"}`,
    "Connection: close",
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(error.status === 401 ? ['WWW-Authenticate: Bearer realm="quorum"'] : []),
    ...(error.code === "unavailable" ? [`Retry-After: ${RETRY_AFTER_SECONDS}`] : []),
  ];
  socket.end(`${headers.join("\r\n")}\r\n\r\n${body}`, () => socket.destroy());
}

/**
 * Turns whatever the authenticate stage threw into the error the peer is told: a database out
 * of reach is a 503 the client may retry, anything else unexpected a 500.
 */
export function upgradeError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return (
    databaseAppError(error) ??
    new AppError("internal", "The sync server could not admit the connection")
  );
}
