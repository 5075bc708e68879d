import type { FieldPolicy } from "~/domain/disputes.ts";
import type { TemplateFieldType } from "~/domain/template.ts";

/**
 * A template as the builder edits it: every input as typed (numbers as text, lists one item a
 * line), so that a half-typed value stays on screen while the messages say what is wrong. The
 * template sent to the server is derived from it (`draftToTemplate`), and so is the JSON view;
 * JSON edited by hand comes back through `templateToDraft`.
 */
export interface DraftField {
  /** Stable across edits and moves, for React. */
  key: string;
  id: string;
  /** Whether the id was set by hand (or loaded), rather than derived from the label. */
  idFixed: boolean;
  type: TemplateFieldType;
  label: string;
  description: string;
  required: boolean;
  min: string;
  max: string;
  level: "ordinal" | "interval";
  scale: "1" | "2";
  options: string;
  multiple: boolean;
  categories: string;
  severities: string;
}

export const fieldTypes: ReadonlyArray<{ type: TemplateFieldType; name: string; hint: string }> = [
  { type: "rating", name: "Rating", hint: "a score on a scale, e.g. 1 to 5" },
  { type: "preference", name: "Preference", hint: "which of two responses is better" },
  { type: "ranking", name: "Ranking", hint: "every response ordered, best first" },
  { type: "choice", name: "Choice", hint: "one option (or several) from a list" },
  { type: "spans", name: "Error spans", hint: "passages marked in a response, by category" },
  { type: "text", name: "Free text", hint: "a critique or note" },
  { type: "rewrite", name: "Rewrite", hint: "the response, corrected" },
];

const DEFAULT_SEVERITIES = "minor\nmajor\ncritical";

let keyCounter = 0;
function newKey(): string {
  keyCounter += 1;
  return `field-${keyCounter}`;
}

/** An id from a label: "Clinical accuracy (A)" → "clinical_accuracy_a". */
export function idFromLabel(label: string): string {
  const slug = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 50)
    .replace(/_+$/, "");
  if (slug === "") return "field";
  return /^[a-z]/.test(slug) ? slug : `f_${slug}`;
}

/** The label's id, made unique among the other fields' ids by a number. */
function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
  }
}

export function newDraftField(
  type: TemplateFieldType,
  existing: ReadonlyArray<DraftField>,
): DraftField {
  const label = fieldTypes.find((entry) => entry.type === type)?.name ?? "Field";
  return {
    key: newKey(),
    id: uniqueId(idFromLabel(label), new Set(existing.map((field) => field.id))),
    idFixed: false,
    type,
    label,
    description: "",
    required: false,
    min: "1",
    max: "5",
    level: "ordinal",
    scale: "2",
    options: type === "choice" ? "yes\nno" : "",
    multiple: false,
    categories: type === "spans" ? "factual error\nunsupported claim" : "",
    severities: DEFAULT_SEVERITIES,
  };
}

/** A change to one field; an id not set by hand follows the label. */
export function updateDraftField(
  fields: ReadonlyArray<DraftField>,
  index: number,
  change: Partial<DraftField>,
): DraftField[] {
  return fields.map((field, position) => {
    if (position !== index) return field;
    const next = { ...field, ...change };
    if ("id" in change) next.idFixed = true;
    else if ("label" in change && !field.idFixed) {
      const taken = new Set(fields.filter((_, at) => at !== index).map((other) => other.id));
      next.id = uniqueId(idFromLabel(next.label), taken);
    }
    return next;
  });
}

export function moveDraftField(
  fields: ReadonlyArray<DraftField>,
  index: number,
  by: -1 | 1,
): DraftField[] {
  const target = index + by;
  if (target < 0 || target >= fields.length) return [...fields];
  const next = [...fields];
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** A number when the text is one, else the text itself, so that the check can say what is wrong. */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** The template the draft stands for, as the server will check it. */
export function draftToTemplate(fields: ReadonlyArray<DraftField>): { fields: unknown[] } {
  return {
    fields: fields.map((field) => {
      const common = {
        id: field.id,
        type: field.type,
        label: field.label,
        ...(field.description.trim() === "" ? {} : { description: field.description }),
        required: field.required,
      };
      switch (field.type) {
        case "rating":
          return {
            ...common,
            min: numberOrText(field.min),
            max: numberOrText(field.max),
            level: field.level,
          };
        case "preference":
          return { ...common, scale: Number(field.scale) };
        case "choice":
          return { ...common, options: lines(field.options), multiple: field.multiple };
        case "spans":
          return {
            ...common,
            categories: lines(field.categories),
            severities: lines(field.severities),
          };
        case "ranking":
        case "text":
        case "rewrite":
          return common;
      }
    }),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown, fallback = "") =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : fallback;
const list = (value: unknown) =>
  Array.isArray(value) ? value.map((entry) => text(entry)).join("\n") : "";

/**
 * A template (from a preset, the project, or JSON typed in the advanced view) as the builder
 * edits it; null when it is not even a list of fields. Ids are kept as they are: labels and
 * policies refer to them.
 */
export function templateToDraft(input: unknown): DraftField[] | null {
  if (!isRecord(input) || !Array.isArray(input.fields)) return null;
  return input.fields.map((raw) => {
    const field = isRecord(raw) ? raw : {};
    const type = fieldTypes.some((entry) => entry.type === field.type)
      ? (field.type as TemplateFieldType)
      : "text";
    return {
      key: newKey(),
      id: text(field.id),
      idFixed: true,
      type,
      label: text(field.label),
      description: text(field.description),
      required: field.required === true,
      min: text(field.min, type === "rating" ? "" : "1"),
      max: text(field.max, type === "rating" ? "" : "5"),
      level: field.level === "interval" ? "interval" : "ordinal",
      scale: field.scale === 1 ? "1" : "2",
      options: list(field.options),
      multiple: field.multiple === true,
      categories: list(field.categories),
      severities: "severities" in field ? list(field.severities) : DEFAULT_SEVERITIES,
    };
  });
}

/** One field's dispute rule as the policy form edits it: empty means the default. */
export interface DraftPolicy {
  ignore: boolean;
  spreadAtLeast: string;
  compare: "" | "direction" | "value";
  minShare: string;
  minF1: string;
  spanMatch: "" | "exact" | "overlap";
  minKendallTau: string;
}

export const emptyDraftPolicy: DraftPolicy = {
  ignore: false,
  spreadAtLeast: "",
  compare: "",
  minShare: "",
  minF1: "",
  spanMatch: "",
  minKendallTau: "",
};

export function policyToDraft(policy: FieldPolicy | undefined): DraftPolicy {
  if (!policy) return emptyDraftPolicy;
  const number = (value: number | undefined) => (value === undefined ? "" : String(value));
  return {
    ignore: policy.ignore === true,
    spreadAtLeast: number(policy.spreadAtLeast),
    compare: policy.compare ?? "",
    minShare: number(policy.minShare),
    minF1: number(policy.minF1),
    spanMatch: policy.spanMatch ?? "",
    minKendallTau: number(policy.minKendallTau),
  };
}

/** The policy entry for a field of this type: only what applies to it and differs from the default. */
export function draftToPolicy(
  draft: DraftPolicy,
  type: TemplateFieldType,
): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  if (draft.ignore) entry.ignore = true;
  const put = (key: string, value: string) => {
    const parsed = numberOrText(value);
    if (parsed !== undefined) entry[key] = parsed;
  };
  switch (type) {
    case "rating":
      put("spreadAtLeast", draft.spreadAtLeast);
      break;
    case "preference":
      if (draft.compare) entry.compare = draft.compare;
      break;
    case "choice":
      put("minShare", draft.minShare);
      break;
    case "spans":
      put("minF1", draft.minF1);
      if (draft.spanMatch) entry.spanMatch = draft.spanMatch;
      break;
    case "ranking":
      put("minKendallTau", draft.minKendallTau);
      break;
    case "text":
    case "rewrite":
      break;
  }
  return entry;
}
