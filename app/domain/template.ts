import { z } from "zod";
import { withCleanText } from "./clean-text.ts";
import {
  CodePointOffsets,
  MAX_QUOTE_LIMIT,
  quoteLimit,
  quoteLimitMessage,
  spanOffsetProblems,
} from "./span-offsets.ts";

/**
 * A project's label template: the fields an annotator fills in for every item. A label is a
 * JSON object `{ [fieldId]: value }` whose values are checked by `labelSchemaFor`.
 */

const MAX_TEXT_LENGTH = 100_000;

const fieldIdSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,62}$/,
    "must start with a lowercase letter and contain only lowercase letters, digits, - and _ (at most 63 characters)",
  );

const optionNameSchema = z.string().trim().min(1).max(200);

function uniqueList(what: string) {
  return z
    .array(optionNameSchema)
    .min(1, `must list at least one ${what}`)
    .max(200)
    .refine((values) => new Set(values).size === values.length, `${what}s must be unique`);
}

const commonFieldProperties = {
  id: fieldIdSchema,
  label: z.string().trim().min(1).max(200),
  description: z.string().max(5_000).optional(),
  required: z.boolean().default(false),
};

export const ratingFieldSchema = z
  .object({
    ...commonFieldProperties,
    type: z.literal("rating"),
    min: z.number().int(),
    max: z.number().int(),
    /** How agreement is measured: ranks only (ordinal) or distances between points (interval). */
    level: z.enum(["ordinal", "interval"]).default("ordinal"),
  })
  .refine((field) => field.min < field.max, { message: "min must be below max", path: ["max"] });

export const preferenceFieldSchema = z.object({
  ...commonFieldProperties,
  type: z.literal("preference"),
  /** 1: first, tie or second; 2 adds "slightly" and "clearly" on each side. */
  scale: z.union([z.literal(1), z.literal(2)]).default(2),
});

export const rankingFieldSchema = z.object({
  ...commonFieldProperties,
  type: z.literal("ranking"),
});

export const choiceFieldSchema = z.object({
  ...commonFieldProperties,
  type: z.literal("choice"),
  options: uniqueList("option"),
  multiple: z.boolean().default(false),
});

export const spansFieldSchema = z.object({
  ...commonFieldProperties,
  type: z.literal("spans"),
  categories: uniqueList("category"),
  severities: uniqueList("severity").default(["minor", "major", "critical"]),
});

export const textFieldSchema = z.object({
  ...commonFieldProperties,
  type: z.literal("text"),
});

export const rewriteFieldSchema = z.object({
  ...commonFieldProperties,
  type: z.literal("rewrite"),
});

export const templateFieldSchema = z.discriminatedUnion("type", [
  ratingFieldSchema,
  preferenceFieldSchema,
  rankingFieldSchema,
  choiceFieldSchema,
  spansFieldSchema,
  textFieldSchema,
  rewriteFieldSchema,
]);

export const templateSchema = z.object({
  fields: z
    .array(templateFieldSchema)
    .min(1, "a template needs at least one field")
    .max(100)
    .superRefine((fields, context) => {
      const seen = new Set<string>();
      fields.forEach((field, index) => {
        if (seen.has(field.id)) {
          context.addIssue({
            code: "custom",
            message: `duplicate field id "${field.id}"`,
            path: [index, "id"],
          });
        }
        seen.add(field.id);
      });
    }),
});

export type TemplateField = z.infer<typeof templateFieldSchema>;
export type TemplateFieldType = TemplateField["type"];
export type Template = z.infer<typeof templateSchema>;
/** A template as written by a person, before defaults are filled in. */
export type TemplateInput = z.input<typeof templateSchema>;

/** The part of an item's response that labels refer to. */
export interface ResponseRef {
  id: string;
  text: string;
}

/**
 * An error span: `[start, end)` in UTF-16 code units of the response text, and `text` the quoted
 * span, `responseText.slice(start, end)` (span-offsets.ts says what offsets are). A label
 * validated with its item's responses always has `text`; a client may leave it out.
 */
export interface SpanAnnotation {
  id?: string;
  responseId: string;
  start: number;
  end: number;
  text?: string;
  category: string;
  severity: string;
  note?: string;
}

export type LabelValue = number | string | string[] | SpanAnnotation[];
export type Label = Record<string, LabelValue>;

function spanSchema(
  field: z.infer<typeof spansFieldSchema>,
  responses: ReadonlyArray<ResponseRef> | undefined,
) {
  const texts = responses && new Map(responses.map((r) => [r.id, r.text]));
  const codePoints = new Map<string, CodePointOffsets>();
  const codePointsOf = (responseId: string, text: string) => () => {
    let offsets = codePoints.get(responseId);
    if (!offsets) codePoints.set(responseId, (offsets = new CodePointOffsets(text)));
    return offsets;
  };
  return z
    .object({
      id: z.string().min(1).max(100).optional(),
      responseId: z.string().min(1),
      start: z.number().int().min(0),
      end: z.number().int().min(1),
      text: z.string().max(MAX_TEXT_LENGTH).optional(),
      category: z.enum(field.categories as [string, ...string[]]),
      severity: z.enum(field.severities as [string, ...string[]]),
      note: z.string().max(5_000).optional(),
    })
    .strict()
    .superRefine((span, context) => {
      // An offset that is not a count at all has been reported by its own schema already.
      const counts = [span.start, span.end].every(
        (offset) => Number.isInteger(offset) && offset >= 0,
      );
      if (!counts) return;
      if (!texts) {
        if (span.start >= span.end) {
          context.addIssue({ code: "custom", message: "start must be below end", path: ["end"] });
        }
        return;
      }
      const text = texts.get(span.responseId);
      if (text === undefined) {
        context.addIssue({
          code: "custom",
          message: `no response with id "${span.responseId}"`,
          path: ["responseId"],
        });
        return;
      }
      for (const problem of spanOffsetProblems(text, span, codePointsOf(span.responseId, text))) {
        context.addIssue({ code: "custom", message: problem.message, path: [problem.field] });
      }
    })
    .transform((span): SpanAnnotation => {
      const text = texts?.get(span.responseId);
      if (text === undefined) return span;
      const { id, responseId, start, end, category, severity, note } = span;
      return {
        ...(id === undefined ? {} : { id }),
        responseId,
        start,
        end,
        text: text.slice(start, end),
        category,
        severity,
        ...(note === undefined ? {} : { note }),
      };
    });
}

function rankingSchema(responses: ReadonlyArray<ResponseRef> | undefined) {
  return z
    .array(z.string().min(1))
    .min(1)
    .superRefine((ranking, context) => {
      if (new Set(ranking).size !== ranking.length) {
        context.addIssue({ code: "custom", message: "a response may be ranked only once" });
        return;
      }
      if (!responses) return;
      const expected = new Set(responses.map((response) => response.id));
      const isPermutation =
        ranking.length === expected.size && ranking.every((id) => expected.has(id));
      if (!isPermutation) {
        context.addIssue({
          code: "custom",
          message: `must rank every response exactly once: ${[...expected].join(", ")}`,
        });
      }
    });
}

function textSchema(required: boolean) {
  const text = z.string().max(MAX_TEXT_LENGTH);
  return required ? text.refine((value) => value.trim().length > 0, "must not be empty") : text;
}

function valueSchemaFor(
  field: TemplateField,
  responses: ReadonlyArray<ResponseRef> | undefined,
): z.ZodType<LabelValue> {
  switch (field.type) {
    case "rating":
      return z.number().int().min(field.min).max(field.max);
    case "preference":
      return z.number().int().min(-field.scale).max(field.scale);
    case "ranking":
      return rankingSchema(responses);
    case "choice": {
      const option = z.enum(field.options as [string, ...string[]]);
      if (!field.multiple) return option;
      return z
        .array(option)
        .min(field.required ? 1 : 0)
        .refine((values) => new Set(values).size === values.length, "options must not repeat");
    }
    case "spans":
      return z.array(spanSchema(field, responses)).max(1_000);
    case "text":
    case "rewrite":
      return textSchema(field.required);
  }
}

/**
 * Refuses a label whose spans, all fields together, quote more than `limit` code units
 * (span-offsets.ts says why), naming the spans field in which they pass it. The length of a
 * span is `end - start`, which is what it quotes once its offsets are checked, so the sum is
 * taken without reading a quote. The issue ends the parse: the clean-text check that follows
 * would otherwise read every quote of a label refused for holding too many.
 */
function quoteLimitCheck(template: Template, limit: number) {
  const spanFields = template.fields.filter((field) => field.type === "spans");
  return (label: Partial<Label>, context: z.RefinementCtx) => {
    let quoted = 0;
    let passedIn: string | undefined;
    for (const field of spanFields) {
      const spans = ownEntry(label, field.id);
      if (!Array.isArray(spans)) continue;
      for (const span of spans as SpanAnnotation[]) quoted += span.end - span.start;
      if (passedIn === undefined && quoted > limit) passedIn = field.id;
    }
    if (passedIn === undefined) return;
    context.addIssue({
      code: "custom",
      message: quoteLimitMessage(quoted, limit),
      path: [passedIn],
      continue: false,
    });
  };
}

/**
 * The entry of an object keyed by field id, if the object holds one. A field id may be a word
 * every plain object answers to (`constructor`): read as `record[fieldId]`, an object that lacks
 * the entry would give `Object` instead of nothing.
 */
export function ownEntry<Value>(
  record: Readonly<Record<string, Value>>,
  fieldId: string,
): Value | undefined {
  return Object.hasOwn(record, fieldId) ? record[fieldId] : undefined;
}

/**
 * Keys that name parts of JavaScript's object machinery. `JSON.parse` keeps them as ordinary
 * keys, but most ways of copying an object do not: `z.record` and `copy[key] = value` leave
 * `__proto__` out (or make its value the copy's prototype), and `constructor` and `prototype`
 * read as something on every plain object that lacks them. A label holding one is refused by
 * name, wherever it enters, rather than stored without it.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export interface LabelKeyIssue {
  path: PropertyKey[];
  message: string;
}

/** Enough to name the problem; a label made of nothing else costs no more to refuse. */
const MAX_RESERVED_KEY_ISSUES = 100;

/**
 * Places in `value` (a label as sent: an object of any depth) where a reserved key is used, at
 * any depth, the first `MAX_RESERVED_KEY_ISSUES` of them. A template's field ids are lowercase
 * words and may be `constructor` or `prototype`, so those are data as the label's own keys;
 * never `__proto__`, and never inside a value. The walk keeps its own queue and its paths as
 * links to the parent, so a deep value costs its size, not its depth squared.
 */
export function reservedKeyIssues(value: unknown, fieldIds: ReadonlySet<string>): LabelKeyIssue[] {
  interface Step {
    value: unknown;
    key: PropertyKey;
    parent: Step | null;
  }
  const pathOf = (step: Step): PropertyKey[] => {
    const path: PropertyKey[] = [];
    for (let at: Step | null = step; at !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const issues: LabelKeyIssue[] = [];
  const pending: Step[] = [{ value, key: "", parent: null }];
  // Breadth first, so that issues come in a fixed order: shallower first, then as written.
  for (let next = 0; next < pending.length; next++) {
    const container = pending[next]!;
    if (typeof container.value !== "object" || container.value === null) continue;
    const parent = next === 0 ? null : container;
    for (const key of Object.keys(container.value)) {
      const step: Step = {
        value: (container.value as Record<string, unknown>)[key],
        key: Array.isArray(container.value) ? Number(key) : key,
        parent,
      };
      const isField = parent === null && fieldIds.has(key);
      if (RESERVED_KEYS.has(key) && !isField) {
        issues.push({
          path: pathOf(step),
          message: `"${key}" is not accepted as a key in a label`,
        });
        if (issues.length === MAX_RESERVED_KEY_ISSUES) return issues;
      } else {
        pending.push(step);
      }
    }
  }
  return issues;
}

/**
 * A label as a request carries it, before the template is known: a JSON object, kept as the
 * object `JSON.parse` made. `z.record` would copy it and drop a `__proto__` key without a word;
 * kept whole, the key reaches `labelSchemaFor` (or a draft's check), which refuses it by name.
 * Its JSON Schema, for the OpenAPI document, is the one `z.record` gives.
 */
export function labelInputSchema() {
  return z
    .unknown()
    .transform((value, context): Record<string, unknown> => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        context.addIssue({ code: "custom", message: "expected an object" });
        return z.NEVER;
      }
      return value as Record<string, unknown>;
    })
    .meta({ type: "object", propertyNames: { type: "string" }, additionalProperties: {} });
}

/**
 * A label's own keys in an object that inherits nothing, for the template check: an object
 * schema reads each field as `label[fieldId]`, and a field named `constructor` (a valid id) would
 * read `Object` from a plain label that leaves it out, refusing the label for a value it does
 * not hold. Anything but a plain object is left for the schema to refuse.
 */
function withoutPrototype(label: unknown): unknown {
  if (typeof label !== "object" || label === null || Array.isArray(label)) return label;
  return Object.assign(Object.create(null) as Record<string, unknown>, label);
}

/**
 * The schema a label must satisfy under a template. With the item's responses it also checks
 * what depends on them: rankings are permutations of the response ids, spans point inside an
 * existing response without splitting a character and quote it (`text`, filled in when left
 * out: the parsed label always has it), and all spans together quote at most `quoteLimit` of
 * the responses (without them, `MAX_QUOTE_LIMIT`). Unknown field ids are refused so that typos
 * do not pass silently, and reserved keys (`reservedKeyIssues`) by name before anything else.
 */
export function labelSchemaFor(
  template: Template,
  responses?: ReadonlyArray<ResponseRef>,
): z.ZodType<Label> {
  const shape: Record<string, z.ZodType<LabelValue | undefined>> = {};
  for (const field of template.fields) {
    const value = valueSchemaFor(field, responses);
    shape[field.id] = field.required ? value : value.optional();
  }
  const limit = responses ? quoteLimit(responses) : MAX_QUOTE_LIMIT;
  const fieldIds = new Set(template.fields.map((field) => field.id));
  return z
    .unknown()
    .superRefine((label, context) => {
      for (const issue of reservedKeyIssues(label, fieldIds)) {
        context.addIssue({ code: "custom", ...issue });
      }
    })
    .transform(withoutPrototype)
    .pipe(
      withCleanText(z.strictObject(shape).superRefine(quoteLimitCheck(template, limit))),
    ) as unknown as z.ZodType<Label>;
}
