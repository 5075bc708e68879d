import type { z } from "zod";
import { badRequest, fieldErrors, validationFailed } from "../errors.ts";
import { idParameter } from "../ids.ts";

/** A positive integer id from a path or query parameter; 400 otherwise. */
export function parseId(value: unknown, what: string): number {
  const parsed = idParameter.safeParse(value);
  if (!parsed.success) throw badRequest(`${what} must be a positive integer`);
  return parsed.data;
}

/** A request body checked against a schema; 422 with the fields in error otherwise. */
export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw validationFailed("The request body is not valid", fieldErrors(parsed.error.issues));
  }
  return parsed.data;
}

/** Query parameters checked against a schema; 400 with the parameters in error otherwise. */
export function parseQuery<Schema extends z.ZodType>(
  schema: Schema,
  query: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    throw badRequest("The query parameters are not valid", fieldErrors(parsed.error.issues));
  }
  return parsed.data;
}
