import { findInvalidText, formatTextPath } from "../app/domain/clean-text.ts";
import { classifyDatabaseError } from "../db/errors.ts";

/**
 * The one error shape of Quorum: every failure that reaches a client is an AppError, serialised
 * as `{ error: { code, message, details? } }` with the status that goes with its code.
 */
export const errorStatus = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError("bad_request", message, details);
export const unauthorized = (message = "Authentication required") =>
  new AppError("unauthorized", message);
export const forbidden = (message = "You do not have permission to do this") =>
  new AppError("forbidden", message);
export const notFound = (message = "Not found") => new AppError("not_found", message);
export const conflict = (message: string, details?: unknown) =>
  new AppError("conflict", message, details);
export const validationFailed = (message: string, details?: unknown) =>
  new AppError("validation_failed", message, details);

/** How long a client is asked to wait (`Retry-After`, in seconds) after a 503 `unavailable`. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The AppError a failed database call stands for, or null when the failure is not the client's
 * concern (a bug, which stays a 500): 503 while the database is out of reach, 422 when it
 * refused text that input checks should already have refused.
 */
export function databaseAppError(error: unknown): AppError | null {
  switch (classifyDatabaseError(error)) {
    case "unavailable":
      return new AppError("unavailable", "The database is unavailable; try again shortly");
    case "untranslatable_text":
      return validationFailed(
        "The request contains text that cannot be stored: no U+0000, other control characters than tab, line feed and carriage return, or unpaired surrogates",
      );
    default:
      return null;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/** Turns zod issues into the `details` list of a 422. */
export function fieldErrors(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) {
  return issues.map((issue): FieldError => ({
    field: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

/** The clean-text rule (app/domain/clean-text.ts) as error details: one per string, by path. */
export function cleanTextErrors(value: unknown, prefix = ""): FieldError[] {
  return findInvalidText(value).map((problem) => ({
    field: formatTextPath(problem.path, prefix),
    message: problem.message,
  }));
}

/** Throws a 422 naming every field of `value` that holds text Quorum does not accept. */
export function assertCleanText(value: unknown, what = "request"): void {
  const details = cleanTextErrors(value);
  if (details.length > 0) {
    throw validationFailed(`The ${what} contains text that cannot be accepted`, details);
  }
}
