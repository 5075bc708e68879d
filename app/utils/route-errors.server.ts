import { data } from "@remix-run/node";
import { AppError } from "../../server/errors.ts";

/**
 * Lets an AppError thrown by a service reach the error boundary as a response with its own
 * status and message, rather than as an unexpected 500. Use as `.catch(throwAsRouteError)`.
 */
export function throwAsRouteError(error: unknown): never {
  if (error instanceof AppError) throw data(error.toBody(), { status: error.status });
  throw error;
}
