/**
 * WebSocket close codes of the sync endpoint, shared by the server and the browser client.
 *
 * Codes 4000–4999 are for private use (RFC 6455). The stock y-websocket provider stops
 * reconnecting on 4400–4499, so a code there means "this connection cannot work, retrying will
 * not help", mirroring the HTTP 4xx statuses; every other code is transient and the provider
 * reconnects with backoff.
 *
 * Refusals decided at the upgrade (400 bad document name, 401 no valid credentials, 403 not
 * allowed, 404 no such document) are plain HTTP responses rather than close codes, so nothing is
 * ever read from a peer that may not connect. A browser sees those as close code 1006.
 *
 * An editor's update that the server refuses closes its connection with a 44xx code, since the
 * stock client would otherwise resend the refused change on every reconnect; an observer's
 * updates are dropped silently instead, and its connection stays open.
 */
export const SyncCloseCode = {
  /** The server is shutting down; reconnecting reaches it (or another instance) again. */
  goingAway: 1001,
  /** A frame exceeded the server's maxPayload (`ws` closes with this code by itself). */
  messageTooBig: 1009,
  /** The server failed, e.g. the document could not be loaded; reconnecting may succeed. */
  internalError: 1011,
  /** The connection sent more frames than the server buffers while its document loads. */
  tryAgainLater: 1013,
  /**
   * A frame could not be decoded, or its update does not apply cleanly: it fails to integrate,
   * or it depends on changes the server does not have. The client is broken.
   */
  malformedMessage: 4400,
  /**
   * The session or API token the connection was opened with has ended (logged out, expired,
   * revoked, user disabled), or the user has left the document's project or has another role there
   * (or lost or gained the admin right) than the connection was opened under. Sign in again, or
   * open the room again.
   */
  accessRevoked: 4401,
  /**
   * The update changes a part of the document the participant may not write (write-rules.ts):
   * `meta`, which only the server writes, another member's vote, another's comment, or a shared
   * type a room does not have. Nothing of it was stored.
   */
  forbiddenChange: 4403,
  /** The update would take the stored document past its size cap. Nothing of it was stored. */
  documentTooLarge: 4413,
  /** The document is published and read-only until it is reopened. Nothing was stored. */
  documentPublished: 4423,
} as const;

export type SyncCloseCode = (typeof SyncCloseCode)[keyof typeof SyncCloseCode];
