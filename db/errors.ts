/**
 * What a failed database call says about the request that made it. Most errors are the
 * caller's or the code's own (a constraint, a bug) and are left as they are; two kinds are not:
 * - `unavailable`: the database could not be reached or went away (refused, terminated, shut
 *   down, not accepting connections, or the embedded database already closed). Nothing is wrong
 *   with the request, and trying again later may well succeed.
 * - `untranslatable_text`: PostgreSQL refused text it cannot store (U+0000 in `text` or `jsonb`,
 *   an unpaired surrogate escape in `jsonb`). Input checks refuse such text first; this is the
 *   net under them.
 */
export type DatabaseFailure = "unavailable" | "untranslatable_text";

/** Node socket errors of a connection that could not be made or was cut. */
const connectionErrnos = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs of a server that is there but will not serve: class 08 (connection exception),
 * 57P01–57P05 (shut down, crashed, starting up, idle-session timeout …), 53300 (too many
 * connections) and 3D000 (the database does not exist, e.g. dropped).
 */
function isUnavailableState(code: string): boolean {
  return code.startsWith("08") || code.startsWith("57P") || code === "53300" || code === "3D000";
}

/** Messages of `pg`, Kysely and PGlite for a connection or database that is gone. */
const unavailableMessages = [
  /^Connection terminated/,
  /^Client has encountered a connection error/,
  /^timeout exceeded when trying to connect/,
  /^Cannot use a pool after calling end/,
  /^PGlite is clos(ed|ing)/,
  /^driver has already been destroyed/,
];

interface ErrorFields {
  code?: unknown;
  severity?: unknown;
  message?: unknown;
  detail?: unknown;
  errors?: unknown;
}

function fieldsOf(error: unknown): ErrorFields | null {
  return typeof error === "object" && error !== null ? (error as ErrorFields) : null;
}

export function classifyDatabaseError(error: unknown): DatabaseFailure | null {
  const fields = fieldsOf(error);
  if (!fields) return null;
  const code = typeof fields.code === "string" ? fields.code : "";
  const message = typeof fields.message === "string" ? fields.message : "";
  const detail = typeof fields.detail === "string" ? fields.detail : "";

  if (code === "22021" || code === "22P05") return "untranslatable_text";
  if (code === "22P02" && /Unicode|surrogate/i.test(`${message} ${detail}`)) {
    return "untranslatable_text";
  }
  // FATAL and PANIC end the session: whatever the state, the connection is gone.
  if (fields.severity === "FATAL" || fields.severity === "PANIC") return "unavailable";
  if (isUnavailableState(code) || connectionErrnos.has(code)) return "unavailable";
  if (unavailableMessages.some((pattern) => pattern.test(message))) return "unavailable";
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  if (Array.isArray(fields.errors) && fields.errors.length > 0) {
    return fields.errors.every((inner) => classifyDatabaseError(inner) === "unavailable")
      ? "unavailable"
      : null;
  }
  return null;
}
