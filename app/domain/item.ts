import { z } from "zod";
import { MAX_CLAIMED_DURATION_MS } from "./work-time.ts";

/** Expertise areas shared by annotator profiles and items. */
export const domainSchema = z
  .string()
  .regex(
    /^(medical|legal|code|science|finance|general|language:[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*)$/,
    "must be medical, legal, code, science, finance, general or language:<bcp47>",
  );

export const conversationTurnSchema = z
  .object({
    role: z.string().trim().min(1).max(50),
    content: z.string().max(200_000),
  })
  .strict();

export const promptSchema = z.union([
  z.string().max(200_000),
  z.array(conversationTurnSchema).min(1).max(500),
]);

export const responseSchema = z
  .object({
    id: z.string().trim().min(1).max(100),
    model: z.string().max(200).optional(),
    text: z.string().max(200_000),
  })
  .strict();

/**
 * How deep the free JSON of an item (its metadata, gold label and imported labels) may nest, the
 * object itself being level 1. Real metadata nests a few levels. Without a bound, a value nested
 * thousands deep passes validation and then overflows the call stack of what walks it
 * recursively (`JSON.stringify` on the way to the database, among others), a 500 rather than a
 * row error; PostgreSQL's jsonb parser gives up further on.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The key of `object` under which it nests deeper than `MAX_JSON_DEPTH`, or undefined. The walk
 * keeps its own stack: the depth it checks is what would overflow a recursive one.
 */
export function keyNestedTooDeep(object: Record<string, unknown>): string | undefined {
  const pending: Array<{ value: unknown; depth: number; key: string }> = [];
  for (const [key, value] of Object.entries(object)) pending.push({ value, depth: 2, key });
  while (pending.length > 0) {
    const { value, depth, key } = pending.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth > MAX_JSON_DEPTH) return key;
    for (const child of Object.values(value)) pending.push({ value: child, depth: depth + 1, key });
  }
  return undefined;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A JSON object of any keys, nested at most `MAX_JSON_DEPTH` deep. It is the parsed object itself,
 * not a copy: `z.record` builds a copy and leaves `__proto__` out of it (assigning that key would
 * set the copy's prototype), though JSON.parse and jsonb hold it as an ordinary key. Kept as the
 * own property JSON.parse made, the key is data like any other and never an object's prototype.
 * Its JSON Schema, for the OpenAPI document, is the one `z.record` gives.
 */
function jsonObjectSchema() {
  return z
    .unknown()
    .transform((value, context) => {
      if (!isJsonObject(value)) {
        context.addIssue({ code: "custom", message: "expected an object" });
        return z.NEVER;
      }
      const tooDeep = keyNestedTooDeep(value);
      if (tooDeep !== undefined) {
        context.addIssue({
          code: "custom",
          path: [tooDeep],
          message: `nests deeper than ${MAX_JSON_DEPTH} levels (the object being level 1)`,
        });
        return z.NEVER;
      }
      return value;
    })
    .meta({ type: "object", propertyNames: { type: "string" }, additionalProperties: {} });
}

/**
 * The instants an imported `submittedAt` may name, in milliseconds since the epoch: 1970 to the
 * end of 9999 in UTC. `timestamptz` holds 4713 BC to 294276 AD, but an instant outside four-digit
 * years is written by `toISOString` with a sign (`+010000-…`) that PostgreSQL refuses, and no
 * label was submitted before 1970.
 */
export const SUBMITTED_AT_RANGE = {
  earliest: Date.UTC(1970, 0, 1),
  latest: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
} as const;

export const importedAnnotationSchema = z
  .object({
    annotator: z.email().transform((email) => email.toLowerCase()),
    label: jsonObjectSchema(),
    submittedAt: z.iso
      .datetime({ offset: true })
      .refine((text) => {
        const instant = Date.parse(text);
        return instant >= SUBMITTED_AT_RANGE.earliest && instant <= SUBMITTED_AT_RANGE.latest;
      }, "must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (UTC)")
      .optional(),
    // As long as a label made here may claim (the submission API refuses more), well within what
    // the int4 column holds (2,147,483,647 ms, under 25 days).
    durationMs: z
      .number()
      .int()
      .nonnegative()
      .max(MAX_CLAIMED_DURATION_MS, `must be at most ${MAX_CLAIMED_DURATION_MS} ms (24 hours)`)
      .optional(),
  })
  .strict();

/**
 * An item as users import it (DESIGN.md): labels in `gold` and `annotations` are checked against
 * the project's template separately, since that depends on the project.
 */
export const itemInputSchema = z
  .object({
    externalId: z.string().trim().min(1).max(500),
    prompt: promptSchema,
    responses: z
      .array(responseSchema)
      .min(1)
      .max(20)
      .refine(
        (responses) => new Set(responses.map((response) => response.id)).size === responses.length,
        "response ids must be unique",
      ),
    domain: domainSchema.optional(),
    metadata: jsonObjectSchema().optional(),
    gold: z.object({ label: jsonObjectSchema() }).strict().optional(),
    annotations: z.array(importedAnnotationSchema).max(100).optional(),
  })
  .strict();

export type ConversationTurn = z.infer<typeof conversationTurnSchema>;
export type Prompt = z.infer<typeof promptSchema>;
export type ItemResponse = z.infer<typeof responseSchema>;
export type ItemInput = z.infer<typeof itemInputSchema>;
export type ImportedAnnotation = z.infer<typeof importedAnnotationSchema>;
