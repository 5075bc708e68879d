import type { z } from "zod";
import {
  describeInvalidCharacter,
  escapeInvalidCharacters,
  findInvalidCharacter,
  findInvalidText,
  type InvalidText,
} from "./clean-text.ts";
import { disputePolicySchema } from "./disputes.ts";
import { templateSchema, type Template } from "./template.ts";

/**
 * What is wrong with a template, in the words of the form that builds it: "Field 2 (Accuracy):
 * the scale's maximum must be above its minimum" rather than zod's `fields.1.max: min must be
 * below max`. The project forms show these; the API keeps its paths (`details[].field`), which
 * scripts rely on.
 */
export interface TemplateProblem {
  /** The field's position from 0, or null for the template as a whole. */
  fieldIndex: number | null;
  /** The property of the field the problem is about (`max`, `options` …), when there is one. */
  property: string | null;
  message: string;
}

export type TemplateCheck =
  { ok: true; template: Template; problems: [] } | { ok: false; problems: TemplateProblem[] };

const typeNames = "rating, preference, ranking, choice, spans, text or rewrite";

const listNames: Record<string, { one: string; many: string }> = {
  options: { one: "option", many: "options" },
  categories: { one: "category", many: "categories" },
  severities: { one: "severity", many: "severities" },
};

const propertyNames: Record<string, string> = {
  id: "its id",
  label: "its label",
  description: "its help text",
  required: "“required”",
  min: "the scale's minimum",
  max: "the scale's maximum",
  level: "the agreement level",
  scale: "the preference scale",
  multiple: "“several may be chosen”",
  options: "its options",
  categories: "its categories",
  severities: "its severities",
  type: "its type",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rawFields(input: unknown): unknown[] {
  return isRecord(input) && Array.isArray(input.fields) ? input.fields : [];
}

/** "Field 2 (Accuracy)": by position from 1, with the label when it has one. */
export function fieldName(input: unknown, index: number): string {
  const field = rawFields(input)[index];
  // A character that cannot be stored is shown as its escape, so the name can be shown anywhere.
  const label =
    isRecord(field) && typeof field.label === "string"
      ? escapeInvalidCharacters(field.label.trim())
      : "";
  const shown = label.length > 40 ? `${label.slice(0, 39)}…` : label;
  return shown ? `Field ${index + 1} (${shown})` : `Field ${index + 1}`;
}

function tooLong(issue: z.core.$ZodIssue): string {
  const maximum = "maximum" in issue ? Number(issue.maximum) : NaN;
  return Number.isFinite(maximum) ? `at most ${maximum.toLocaleString("en")}` : "shorter";
}

/** The message for one issue of a field's own property (path `[property, ...rest]`). */
function describeProperty(
  issue: z.core.$ZodIssue,
  property: string,
  rest: ReadonlyArray<PropertyKey>,
  rawField: unknown,
): string {
  const value = isRecord(rawField) ? rawField[property] : undefined;
  const missing = value === undefined || value === null;
  const list = listNames[property];
  switch (property) {
    case "type":
      return `choose its type: ${typeNames}`;
    case "id":
      if (missing) return "give it an id";
      if (issue.code === "too_small") return "give it an id";
      return "its id must start with a lowercase letter and use only lowercase letters, digits, - and _ (at most 63 characters)";
    case "label":
      if (missing || issue.code === "too_small") return "give it a label";
      if (issue.code === "too_big") return `its label must be ${tooLong(issue)} characters`;
      return "its label must be text";
    case "description":
      if (issue.code === "too_big") return `its help text must be ${tooLong(issue)} characters`;
      return "its help text must be text";
    case "min":
    case "max": {
      const which = property === "min" ? "minimum" : "maximum";
      if (issue.code === "custom") return "the scale's maximum must be above its minimum";
      if (missing) return `give the scale a ${which}`;
      return `the scale's ${which} must be a whole number`;
    }
    case "level":
      return "the agreement level must be ordinal or interval";
    case "scale":
      return "the preference scale must be 1 (A, tie, B) or 2 (adds “slightly” and “clearly”)";
    case "required":
      return "“required” must be yes or no";
    case "multiple":
      return "“several may be chosen” must be yes or no";
  }
  if (list) {
    if (rest.length > 0 && typeof rest[0] === "number") {
      const position = rest[0] + 1;
      if (issue.code === "too_small") return `${list.one} ${position} is empty`;
      if (issue.code === "too_big")
        return `${list.one} ${position} must be ${tooLong(issue)} characters`;
      return `${list.one} ${position} must be text`;
    }
    if (issue.code === "custom") return `its ${list.many} must be different from one another`;
    if (issue.code === "too_small" || missing) return `list at least one ${list.one}`;
    if (issue.code === "too_big")
      return `it may list at most ${tooLong(issue).replace("at most ", "")} ${list.many}`;
    return `its ${list.many} must be a list`;
  }
  return `${propertyNames[property] ?? property}: ${issue.message}`;
}

function describeIssue(input: unknown, issue: z.core.$ZodIssue): TemplateProblem {
  const [head, index, property, ...rest] = issue.path;
  if (head !== "fields" || typeof index !== "number") {
    if (head === "fields" && issue.code === "too_small") {
      return { fieldIndex: null, property: null, message: "Add at least one field." };
    }
    if (head === "fields" && issue.code === "too_big") {
      return { fieldIndex: null, property: null, message: "A template has at most 100 fields." };
    }
    return {
      fieldIndex: null,
      property: null,
      message: "A template is a list of fields, each with an id, a type and a label.",
    };
  }
  const name = fieldName(input, index);
  const rawField = rawFields(input)[index];
  if (property === undefined) {
    return {
      fieldIndex: index,
      property: null,
      message: `${name}: a field needs an id, a type and a label.`,
    };
  }
  const key = String(property);
  return {
    fieldIndex: index,
    property: key,
    message: `${name}: ${describeProperty(issue, key, rest, rawField)}.`,
  };
}

/** Ids used twice, which the schema reports only once every field is otherwise valid. */
function duplicateIds(input: unknown): TemplateProblem[] {
  const firstUse = new Map<string, number>();
  const problems: TemplateProblem[] = [];
  rawFields(input).forEach((field, index) => {
    if (!isRecord(field) || typeof field.id !== "string" || field.id === "") return;
    const earlier = firstUse.get(field.id);
    if (earlier === undefined) {
      firstUse.set(field.id, index);
      return;
    }
    problems.push({
      fieldIndex: index,
      property: "id",
      message: `${fieldName(input, index)}: its id “${field.id}” is already used by field ${earlier + 1}.`,
    });
  });
  return problems;
}

/** The string a clean-text problem is about: the key its path ends with, or the value there. */
function textOf(input: unknown, problem: InvalidText): string {
  if (problem.inKey) return String(problem.path.at(-1));
  let value = input;
  for (const step of problem.path) value = (value as Record<string | number, unknown>)[step];
  return String(value);
}

/** What in a field's property holds the text: "its label", "option 2", "its options has a key that". */
function propertySubject(
  property: string,
  rest: ReadonlyArray<string | number>,
  inKey: boolean,
): string {
  const own = propertyNames[property] ?? `its “${escapeInvalidCharacters(property)}”`;
  if (rest.length === 0) return own;
  const list = listNames[property];
  if (list && rest.length === 1 && typeof rest[0] === "number" && !inKey) {
    return `${list.one} ${rest[0] + 1}`;
  }
  return `${own} ${inKey ? "has a key that" : "has text that"}`;
}

/**
 * Text that cannot be stored (a control character, an unpaired surrogate), said of the property
 * that holds it: "Field 1 (Tone): its label contains the control character U+0000 at index 3; …".
 */
function invalidTextProblems(input: unknown): TemplateProblem[] {
  return findInvalidText(input).map((problem) => {
    const invalid = findInvalidCharacter(textOf(input, problem));
    const description = invalid ? describeInvalidCharacter(invalid) : problem.message;
    const [head, index, property, ...rest] = problem.path;
    if (head !== "fields" || typeof index !== "number") {
      const where = problem.inKey ? "A key in the template" : "Text in the template";
      return { fieldIndex: null, property: null, message: `${where} ${description}.` };
    }
    const name = fieldName(input, index);
    if (property === undefined) {
      return { fieldIndex: index, property: null, message: `${name}: it ${description}.` };
    }
    const key = String(property);
    if (problem.inKey && rest.length === 0) {
      return {
        fieldIndex: index,
        property: null,
        message: `${name}: a property name ${description}.`,
      };
    }
    return {
      fieldIndex: index,
      property: key,
      message: `${name}: ${propertySubject(key, rest, problem.inKey)} ${description}.`,
    };
  });
}

/** Checks a template as a person wrote it; every problem comes with a sentence naming its field. */
export function checkTemplate(input: unknown): TemplateCheck {
  const parsed = templateSchema.safeParse(input);
  const problems: TemplateProblem[] = [];
  const seen = new Set<string>();
  const add = (problem: TemplateProblem) => {
    if (seen.has(problem.message)) return;
    seen.add(problem.message);
    problems.push(problem);
  };
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // The schema's own duplicate-id message is replaced by the one naming the first use.
      if (issue.code === "custom" && issue.path.at(-1) === "id") continue;
      add(describeIssue(input, issue));
    }
  }
  duplicateIds(input).forEach(add);
  invalidTextProblems(input).forEach(add);
  if (parsed.success && problems.length === 0) {
    return { ok: true, template: parsed.data, problems: [] };
  }
  return { ok: false, problems };
}

const policyPropertyMessages: Record<string, string> = {
  ignore: "“leave unchecked” must be yes or no",
  spreadAtLeast: "the spread that disputes must be a whole number of at least 1",
  compare: "compare by direction or by value",
  minShare: "the share the most chosen option needs must be above 0 and at most 1",
  minF1: "the span F1 below which it disputes must be from 0 to 1",
  spanMatch: "spans match by exact offsets or by overlap",
  minKendallTau: "the Kendall τ below which it disputes must be from −1 to 1",
};

/**
 * Checks a dispute policy against its template, in the same words: "Field 2 (Accuracy): the
 * spread that disputes must be a whole number of at least 1".
 */
export function checkDisputePolicy(
  input: unknown,
  template: { fields: ReadonlyArray<{ id: string; label: string }> },
): TemplateProblem[] {
  const parsed = disputePolicySchema.safeParse(input);
  if (parsed.success) return [];
  const problems: TemplateProblem[] = [];
  for (const issue of parsed.error.issues) {
    const [fieldId, property] = issue.path;
    const index = template.fields.findIndex((field) => field.id === fieldId);
    const name =
      index >= 0
        ? fieldName(template, index)
        : fieldId === undefined
          ? ""
          : `Field “${String(fieldId)}”`;
    const what =
      property === undefined
        ? issue.code === "unrecognized_keys"
          ? `has no option ${issue.keys.map((key) => `“${key}”`).join(", ")}`
          : "its rule must be a set of options"
        : (policyPropertyMessages[String(property)] ?? `${String(property)}: ${issue.message}`);
    problems.push({
      fieldIndex: index >= 0 ? index : null,
      property: property === undefined ? null : String(property),
      message: name ? `${name}: ${what}.` : "A dispute policy maps field ids to their rules.",
    });
  }
  return problems;
}
