import { data } from "@remix-run/node";
import { AppError, databaseAppError, RETRY_AFTER_SECONDS } from "../../server/errors.ts";

/**
 * Lets an AppError thrown by a service reach the error boundary as a response with its own
 * status and message, rather than as an unexpected 500; so does a database that is out of reach
 * (503) or refused text (422). Use as `.catch(throwAsRouteError)`.
 */
export function throwAsRouteError(error: unknown): never {
  const appError = error instanceof AppError ? error : databaseAppError(error);
  if (appError) {
    const headers: HeadersInit =
      appError.code === "unavailable" ? { "Retry-After": String(RETRY_AFTER_SECONDS) } : {};
    throw data(appError.toBody(), { status: appError.status, headers });
  }
  throw error;
}
