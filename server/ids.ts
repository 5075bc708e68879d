import { z } from "zod";

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
