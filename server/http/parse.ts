import { z } from "zod";
import { badRequest, fieldErrors, validationFailed } from "../errors.ts";

/** The largest value of PostgreSQL's int4, the type of every id column. */
export const MAX_ID = 2_147_483_647;

/**
 * A string of decimal digits written the one way Quorum writes numbers (no sign, leading zero,
 * point, exponent, hex prefix or spaces, all of which `Number()` would take) as that number;
 * anything else is left as it is, for the number schema that follows to refuse.
 */
function canonicalInteger(value: unknown): unknown {
  return typeof value === "string" && /^(0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : value;
}

/**
 * A positive int4 id as a path or query parameter writes it. Documented as the integer it is: the
 * preprocessing step is invisible in the OpenAPI document.
 */
export const idParameter = z.preprocess(
  canonicalInteger,
  z.number({ error: "must be a positive integer" }).int().positive().max(MAX_ID),
);

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
