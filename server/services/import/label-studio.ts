import type { Template, TemplateField } from "../../../app/domain/template.ts";
import { isRecord, type ImportRow, type ParsedImport, type RowError } from "./rows.ts";

/**
 * Label Studio's JSON export: an array of tasks `{ id, data, annotations: [{ result,
 * completed_by, created_username, created_at, lead_time, was_cancelled, ground_truth }] }`.
 */
export function isLabelStudioTask(value: unknown): boolean {
  return isRecord(value) && isRecord(value.data) && !("prompt" in value);
}

const promptKeys = ["prompt", "question", "instruction", "input", "query"] as const;
const conversationKeys = ["messages", "conversation", "dialogue"] as const;
const responseKey = /^(answer|response|completion|output|text)[_-]?([0-9]+|[a-z])$/i;

interface TaskResponse {
  id: string;
  text: string;
}

function taskPrompt(data: Record<string, unknown>): unknown {
  for (const key of conversationKeys) if (Array.isArray(data[key])) return data[key];
  for (const key of promptKeys) if (data[key] !== undefined) return data[key];
  return undefined;
}

/** Responses in `data.responses`, or in keys such as answer1/answer2 or response_a/response_b. */
function taskResponses(data: Record<string, unknown>): TaskResponse[] | unknown {
  if (data.responses !== undefined) return data.responses;
  return Object.keys(data)
    .filter((key) => responseKey.test(key) && typeof data[key] === "string")
    .sort((left, right) => left.localeCompare(right, "en", { numeric: true }))
    .map((key) => ({ id: key, text: data[key] as string }));
}

function externalIdOf(task: Record<string, unknown>, data: Record<string, unknown>): unknown {
  const own = data.externalId ?? data.external_id;
  if (own !== undefined) return typeof own === "number" ? String(own) : own;
  return task.id === undefined ? undefined : `label-studio-${String(task.id)}`;
}

/**
 * Label Studio exports name the annotator as an expanded user (`completed_by: { id, email }`), or
 * as a numeric id with `created_username: "email, id"`; only an email identifies a Quorum user.
 */
function annotatorEmail(annotation: Record<string, unknown>): string | undefined {
  const completedBy = annotation.completed_by;
  if (isRecord(completedBy) && typeof completedBy.email === "string") return completedBy.email;
  if (typeof completedBy === "string" && completedBy.includes("@")) return completedBy;
  if (typeof annotation.created_username === "string") {
    const email = annotation.created_username.split(",")[0]?.trim() ?? "";
    if (email.includes("@")) return email;
  }
  return undefined;
}

function fieldForResult(template: Template, fromName: unknown, types: TemplateField["type"][]) {
  const named = template.fields.find((field) => field.id === fromName);
  if (named) return types.includes(named.type) ? named : undefined;
  const candidates = template.fields.filter((field) => types.includes(field.type));
  return candidates.length === 1 ? candidates[0] : undefined;
}

type ResultValue = { fieldId: string; value: unknown } | { error: string };

/** Maps one Label Studio result onto a template field and its value. */
function resultValue(
  template: Template,
  result: Record<string, unknown>,
  responses: TaskResponse[],
): ResultValue {
  const value = isRecord(result.value) ? result.value : {};
  const fromName = result.from_name;
  const type = result.type;
  const noField = (kind: string) => ({
    error: `a "${String(type)}" result from "${String(fromName)}" needs a ${kind} field in the template named "${String(fromName)}"`,
  });
  switch (type) {
    case "pairwise": {
      if (value.selected !== "left" && value.selected !== "right") {
        return { error: 'a pairwise result must select "left" or "right"' };
      }
      const field = fieldForResult(template, fromName, ["preference", "ranking"]);
      if (!field) return noField("preference or ranking");
      const pair = pairOf(result.to_name, responses);
      if (!pair) return { error: "a pairwise result compares two responses; this task has fewer" };
      // A pairwise pick says which response is better, not by how much: the weakest preference.
      if (field.type === "preference") {
        const wantsFirst = (value.selected === "left") === (pair[0] === responses[0]?.id);
        return { fieldId: field.id, value: wantsFirst ? -1 : 1 };
      }
      return {
        fieldId: field.id,
        value: value.selected === "left" ? pair : [pair[1], pair[0]],
      };
    }
    case "choices": {
      const field = fieldForResult(template, fromName, ["choice"]);
      if (!field || field.type !== "choice") return noField("choice");
      const choices = Array.isArray(value.choices) ? value.choices : [];
      return { fieldId: field.id, value: field.multiple ? choices : choices[0] };
    }
    case "rating":
    case "number": {
      const field = fieldForResult(template, fromName, ["rating"]);
      if (!field) return noField("rating");
      return { fieldId: field.id, value: value[type] };
    }
    case "textarea": {
      const field = fieldForResult(template, fromName, ["text", "rewrite"]);
      if (!field) return noField("text or rewrite");
      const text = Array.isArray(value.text) ? value.text.join("\n") : value.text;
      return { fieldId: field.id, value: text };
    }
    default:
      return {
        error: `Label Studio results of type "${String(type)}" cannot be imported (supported: pairwise, choices, rating, number, textarea)`,
      };
  }
}

/** The two response ids a pairwise result compares, left first, from its `to_name`. */
function pairOf(toName: unknown, responses: TaskResponse[]): [string, string] | undefined {
  const ids = new Set(responses.map((response) => response.id));
  const named = typeof toName === "string" ? toName.split(",").map((name) => name.trim()) : [];
  if (named.length === 2 && named.every((name) => ids.has(name))) {
    return [named[0]!, named[1]!];
  }
  const [left, right] = responses;
  return left && right ? [left.id, right.id] : undefined;
}

function labelOf(
  template: Template,
  annotation: Record<string, unknown>,
  responses: TaskResponse[],
  field: string,
  row: number,
  errors: RowError[],
): Record<string, unknown> {
  const label: Record<string, unknown> = {};
  const results = Array.isArray(annotation.result) ? annotation.result : [];
  results.forEach((result: unknown, index) => {
    const mapped = isRecord(result)
      ? resultValue(template, result, responses)
      : { error: "must be an object" };
    if ("error" in mapped) {
      errors.push({ row, field: `${field}.result.${index}`, message: mapped.error });
    } else if (mapped.fieldId in label) {
      errors.push({
        row,
        field: `${field}.result.${index}`,
        message: `a second result for the field "${mapped.fieldId}"`,
      });
    } else {
      label[mapped.fieldId] = mapped.value;
    }
  });
  return label;
}

/**
 * Turns a task into an item: `data` gives the prompt and responses, each submitted annotation
 * becomes an imported annotation by its annotator's email, and a `ground_truth` annotation
 * becomes the item's gold label. Cancelled (skipped) annotations carry no label and are left out.
 */
export function labelStudioTaskToItem(
  task: unknown,
  row: number,
  template: Template,
  errors: RowError[],
): Record<string, unknown> | undefined {
  if (!isLabelStudioTask(task)) {
    errors.push({ row, field: "data", message: "a Label Studio task needs a data object" });
    return undefined;
  }
  const taskRecord = task as Record<string, unknown>;
  const data = taskRecord.data as Record<string, unknown>;
  const prompt = taskPrompt(data);
  if (prompt === undefined) {
    errors.push({
      row,
      field: "data",
      message: `no prompt: expected one of data.${[...conversationKeys, ...promptKeys].join(", data.")}`,
    });
  }
  const responses = taskResponses(data);
  const responseRefs = Array.isArray(responses)
    ? responses.filter(
        (response): response is TaskResponse =>
          isRecord(response) &&
          typeof response.id === "string" &&
          typeof response.text === "string",
      )
    : [];

  const annotations: Array<Record<string, unknown>> = [];
  let gold: Record<string, unknown> | undefined;
  const taskAnnotations = Array.isArray(taskRecord.annotations) ? taskRecord.annotations : [];
  taskAnnotations.forEach((annotation: unknown, index) => {
    const field = `annotations.${index}`;
    if (!isRecord(annotation)) {
      errors.push({ row, field, message: "must be an object" });
      return;
    }
    if (annotation.was_cancelled === true) return;
    const label = labelOf(template, annotation, responseRefs, field, row, errors);
    if (annotation.ground_truth === true) {
      gold = { label };
      return;
    }
    const email = annotatorEmail(annotation);
    if (!email) {
      errors.push({
        row,
        field: `${field}.completed_by`,
        message:
          "names no annotator email: export from Label Studio with user details (completed_by.email) or created_username",
      });
      return;
    }
    const submittedAt = annotation.created_at ?? annotation.updated_at;
    const leadTime = annotation.lead_time;
    annotations.push({
      annotator: email,
      label,
      ...(typeof submittedAt === "string" ? { submittedAt } : {}),
      ...(typeof leadTime === "number" && leadTime >= 0
        ? { durationMs: Math.round(leadTime * 1000) }
        : {}),
    });
  });

  const metadata = isRecord(data.metadata) ? { ...data.metadata } : {};
  return {
    externalId: externalIdOf(taskRecord, data),
    prompt,
    responses,
    ...(data.domain === undefined ? {} : { domain: data.domain }),
    metadata: {
      ...metadata,
      ...(taskRecord.id === undefined ? {} : { labelStudioTaskId: taskRecord.id }),
    },
    ...(gold ? { gold } : {}),
    ...(annotations.length > 0 ? { annotations } : {}),
  };
}

export function readLabelStudio(tasks: ImportRow[], template: Template): ParsedImport {
  const errors: RowError[] = [];
  const rows = tasks.map(({ row, value }) => ({
    row,
    value: labelStudioTaskToItem(value, row, template, errors),
  }));
  return { rows: rows.filter((entry) => entry.value !== undefined), errors };
}
