import { z } from "zod";
import {
  preferenceChoices,
  preferenceChoicesName,
} from "../../../app/domain/label-studio-export.ts";
import { CodePointOffsets } from "../../../app/domain/span-offsets.ts";
import type { SpanAnnotation, Template, TemplateField } from "../../../app/domain/template.ts";
import { MAX_CLAIMED_DURATION_MS } from "../../../app/domain/work-time.ts";
import {
  isRecord,
  quoted,
  type AnnotatorMapping,
  type ImportRow,
  type ParsedImport,
  type RowError,
} from "./rows.ts";

/**
 * Label Studio's exports, in both of their JSON layouts:
 *
 * - JSON: an array of tasks `{ id, data, annotations: [{ result, completed_by, created_username,
 *   created_at, lead_time, was_cancelled, ground_truth }] }` (also one task alone, as cloud
 *   storage writes them, and JSON Lines).
 * - JSON-MIN: one flat record per annotation, the task's data with `id`, one key per control tag
 *   (its `from_name`) holding the result's value, and `annotator`, `annotation_id`,
 *   `created_at`, `updated_at`, `lead_time`. A key is read as a result when it is a field of the
 *   template; the records of one task id become one item.
 */

export function isLabelStudioTask(value: unknown): boolean {
  return isRecord(value) && isRecord(value.data) && !("prompt" in value);
}

/** A JSON-MIN record: a flat task with the annotation's bookkeeping beside its data. */
export function isLabelStudioMinRecord(value: unknown): boolean {
  return (
    isRecord(value) &&
    !isRecord(value.data) &&
    !("responses" in value) &&
    ("annotation_id" in value || "annotator" in value)
  );
}

const conversationKeys = ["messages", "conversation", "dialogue"] as const;
const promptKeys = ["prompt", "question", "instruction", "input", "query"] as const;
const responseKey = /^(answer|response|completion|output|text)[_-]?([0-9]+|[a-z])$/i;
const minBookkeeping = new Set([
  "id",
  "annotator",
  "annotation_id",
  "created_at",
  "updated_at",
  "lead_time",
  "agreement",
]);

interface TaskResponse {
  id: string;
  text: string;
}

/** Where `taskResponses` looks, for the message of a task in which it finds none. */
const responsePlaces =
  "data.responses ([{id, text}]), the items of a List tag ([{id, body}], such as data.items), keys such as data.answer1/answer2, text1/text2 or response_a/response_b, or data.text alone";

/** An item of a List tag (`{ id, title?, body }`), which a Label Studio Ranker ranks. */
function isListItem(value: unknown): value is { id: string; body: string } {
  return isRecord(value) && typeof value.id === "string" && typeof value.body === "string";
}

/**
 * A response as Quorum reads it: a List item's `body` is its text, and the `title` and `body` a
 * List shows (which Quorum's own export adds) are left out; any other key stays, for the item's
 * schema to judge.
 */
function asResponse(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const { title: _title, body, ...response } = value;
  return response.text === undefined && typeof body === "string"
    ? { ...response, text: body }
    : response;
}

/**
 * Responses in `data.responses`, in keys such as answer1/answer2 or response_a/response_b, or as
 * the items of a List tag (`data.items` in Label Studio's LLM Ranker template, or any other key
 * holding a list of `{ id, body }`).
 */
function taskResponses(data: Record<string, unknown>): unknown {
  if (data.responses !== undefined) {
    return Array.isArray(data.responses) ? data.responses.map(asResponse) : data.responses;
  }
  const keyed = Object.keys(data)
    .filter((key) => responseKey.test(key) && typeof data[key] === "string")
    .sort((left, right) => left.localeCompare(right, "en", { numeric: true }))
    .map((key) => ({ id: key, text: data[key] as string }));
  if (keyed.length > 0) return keyed;
  const listKey = ["items", ...Object.keys(data)].find(
    (key) =>
      Array.isArray(data[key]) &&
      (data[key] as unknown[]).length > 0 &&
      (data[key] as unknown[]).every(isListItem),
  );
  return listKey === undefined ? [] : (data[listKey] as unknown[]).map(asResponse);
}

/**
 * The prompt and responses of a task. `data.text` is the prompt of a task that has responses;
 * a task whose only text is `data.text` (Label Studio's text classification and NER projects)
 * is that text to judge: one response with id `text`. A task with responses and no prompt
 * (Label Studio's pairwise template compares two texts) has an empty prompt.
 */
function taskContent(data: Record<string, unknown>): { prompt: unknown; responses: unknown } {
  let responses = taskResponses(data);
  let prompt: unknown;
  for (const key of conversationKeys) {
    if (prompt === undefined && Array.isArray(data[key])) prompt = data[key];
  }
  for (const key of promptKeys) {
    if (prompt === undefined && data[key] !== undefined) prompt = data[key];
  }
  const hasResponses = !Array.isArray(responses) || responses.length > 0;
  if (typeof data.text === "string") {
    if (hasResponses) prompt ??= data.text;
    else responses = [{ id: "text", text: data.text }];
  }
  const judged = !Array.isArray(responses) || responses.length > 0;
  return { prompt: prompt ?? (judged ? "" : undefined), responses };
}

function externalIdOf(taskId: unknown, data: Record<string, unknown>): unknown {
  const own = data.externalId ?? data.external_id;
  if (own !== undefined) return typeof own === "number" ? String(own) : own;
  return taskId === undefined ? undefined : `label-studio-${String(taskId)}`;
}

const EMAIL_IN_TEXT = /[^\s,;<>()"']+@[^\s,;<>()"']+/;

/** The emails Quorum accounts have, and so the only ones an annotation can be credited to. */
const accountEmail = z.email();

/**
 * Who an annotation is by, as Label Studio versions write it: an expanded user
 * (`completed_by: { id, email }`), a user id (`completed_by: 3`, the documented form) with
 * `created_username: "Expert One exp1@x.test, 3"` (name, email, id), or a JSON-MIN `annotator`
 * (an email or an id). The user map decides first, by id and then by email.
 */
function annotatorOf(
  annotation: Record<string, unknown>,
  options: AnnotatorMapping,
): { email: string } | { unmapped: string } {
  const completedBy = annotation.completed_by ?? annotation.annotator;
  let id: string | undefined;
  let email: string | undefined;
  if (isRecord(completedBy)) {
    if (typeof completedBy.id === "number" || typeof completedBy.id === "string") {
      id = String(completedBy.id);
    }
    if (typeof completedBy.email === "string" && completedBy.email !== "") {
      email = completedBy.email;
    }
  } else if (typeof completedBy === "number") {
    id = String(completedBy);
  } else if (typeof completedBy === "string") {
    if (completedBy.includes("@")) email = completedBy;
    else if (/^\d+$/.test(completedBy.trim())) id = completedBy.trim();
  }
  if (typeof annotation.created_username === "string") {
    email ??= EMAIL_IN_TEXT.exec(annotation.created_username)?.[0];
    id ??= /,\s*(\d+)\s*$/.exec(annotation.created_username)?.[1];
  }
  const lookUp = (key: string | undefined) =>
    key !== undefined && options.userMap && Object.hasOwn(options.userMap, key)
      ? options.userMap[key]
      : undefined;
  const mapped = lookUp(id) ?? lookUp(email?.toLowerCase());
  if (mapped !== undefined) return { email: mapped };
  // Label Studio accepts addresses no Quorum account can have (its own test users are
  // `…@heartex.e2e`): such an annotator names nobody here, as an id without a map does.
  if (email !== undefined && accountEmail.safeParse(email).success) return { email };
  if (options.unmappedAnnotator !== undefined) return { email: options.unmappedAnnotator };
  if (email !== undefined) {
    const mapExample =
      id === undefined
        ? `{${quoted(email)}: "<email>"}`
        : `{${quoted(email)}: "<email>"} or by its Label Studio user id, {${quoted(String(id))}: "<email>"}`;
    return {
      unmapped: `names the annotator ${quoted(email)}, which is not an email address a Quorum account can have: map it to a Quorum user with userMap ${mapExample} (CLI --user-map), or pass assignUnmapped=importer (CLI --assign-unmapped importer) to credit the importer`,
    };
  }
  return {
    unmapped:
      id === undefined
        ? "names no annotator email (no completed_by, created_username or annotator): export from Label Studio with user details, or pass assignUnmapped=importer (CLI --assign-unmapped importer) to credit the importer"
        : `names no annotator email, and Label Studio user ${id} is not in the user map: map it with userMap {"${id}": "<email>"} (CLI --user-map), or pass assignUnmapped=importer (CLI --assign-unmapped importer) to credit the importer`,
  };
}

function fieldForResult(template: Template, fromName: unknown, types: TemplateField["type"][]) {
  const named = template.fields.find((field) => field.id === fromName);
  if (named) return types.includes(named.type) ? named : undefined;
  const candidates = template.fields.filter((field) => types.includes(field.type));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Label Studio's editor counts span offsets in UTF-16 code units of the text, as Quorum does
 * (decision 020), so they carry over unchanged; files written by Python tools count code points.
 * The quoted `text` decides: the offsets as UTF-16 when they quote it, else as code points
 * translated to UTF-16 when those quote it, else the span is refused.
 */
export function labelStudioSpanOffsets(
  responseText: string,
  start: number,
  end: number,
  quote: string | undefined,
): { start: number; end: number } | { error: string } {
  if (quote === undefined || responseText.slice(start, end) === quote) return { start, end };
  const codePoints = new CodePointOffsets(responseText);
  const from = codePoints.codeUnitOffset(start);
  const to = codePoints.codeUnitOffset(end);
  if (from !== undefined && to !== undefined && responseText.slice(from, to) === quote) {
    return { start: from, end: to };
  }
  return {
    error: `its text ${quoted(quote)} is not what start ${start} and end ${end} mark in the response (${quoted(responseText.slice(start, end))}), in UTF-16 code units or in code points`,
  };
}

/** The response a span result marks: named by `to_name`, else the one its quote is in. */
function spanResponse(
  toName: unknown,
  value: Record<string, unknown>,
  responses: TaskResponse[],
): TaskResponse | undefined {
  const named = responses.find((response) => response.id === toName);
  if (named) return named;
  if (responses.length === 1) return responses[0];
  const { start, end, text } = value;
  if (typeof start !== "number" || typeof end !== "number" || typeof text !== "string") {
    return undefined;
  }
  const quoting = responses.filter(
    (response) => !("error" in labelStudioSpanOffsets(response.text, start, end, text)),
  );
  return quoting.length === 1 ? quoting[0] : undefined;
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

/**
 * Which side a pairwise result picked: `selected` is "left" or "right" as the Pairwise tag
 * writes it, or a custom choice value (the `leftChoiceValue`/`rightChoiceValue` of configs such
 * as Label Studio's RLHF template) that names one of the two compared objects or responses.
 */
function pairwiseSide(
  selected: unknown,
  toName: unknown,
  pair: [string, string],
): "left" | "right" | undefined {
  if (selected === "left" || selected === "right") return selected;
  if (typeof selected !== "string") return undefined;
  const named = typeof toName === "string" ? toName.split(",").map((name) => name.trim()) : [];
  if (selected === pair[0] || selected === named[0]) return "left";
  if (selected === pair[1] || selected === named[1]) return "right";
  return undefined;
}

type ResultValue =
  | { fieldId: string; value: unknown }
  | { fieldId: string; span: SpanAnnotation }
  | { error: string };

const supportedTypes = "pairwise, choices, rating, number, textarea, labels, ranker";

/** Maps one Label Studio result onto a template field and its value. */
function resultValue(
  template: Template,
  result: Record<string, unknown>,
  responses: TaskResponse[],
): ResultValue {
  const value = isRecord(result.value) ? result.value : {};
  const fromName = result.from_name;
  const toName = result.to_name;
  const type = result.type;
  const noField = (kind: string) => ({
    error: `a "${String(type)}" result from "${String(fromName)}" needs a ${kind} field in the template named "${String(fromName)}"`,
  });
  switch (type) {
    case "pairwise": {
      const field = fieldForResult(template, fromName, ["preference", "ranking"]);
      if (!field) return noField("preference or ranking");
      const pair = pairOf(toName, responses);
      if (!pair) return { error: "a pairwise result compares two responses; this task has fewer" };
      const side = pairwiseSide(value.selected, toName, pair);
      if (!side) {
        return {
          error: `a pairwise result must select "left" or "right" (or one of ${pair.join(", ")}), not ${quoted(value.selected)}`,
        };
      }
      const [better, worse] = side === "left" ? pair : [pair[1], pair[0]];
      // A pairwise pick says which response is better, not by how much: the weakest preference.
      if (field.type === "preference") {
        return { fieldId: field.id, value: better === responses[0]?.id ? -1 : 1 };
      }
      return { fieldId: field.id, value: [better, worse] };
    }
    case "choices": {
      // A preference's tie or clear preference comes from its own Choices tag, or (in files
      // written before that tag had a name of its own) from the field's name.
      const named = template.fields.find(
        (candidate) =>
          candidate.id === fromName ||
          (candidate.type === "preference" && preferenceChoicesName(candidate.id) === fromName),
      );
      const field =
        named?.type === "preference" ? named : fieldForResult(template, fromName, ["choice"]);
      const choices = Array.isArray(value.choices) ? (value.choices as unknown[]) : [];
      if (field?.type === "preference") {
        const [choice] = choices;
        const preference =
          typeof choice === "string" && Object.hasOwn(preferenceChoices, choice)
            ? preferenceChoices[choice]
            : undefined;
        if (choices.length !== 1 || preference === undefined) {
          return {
            error: `a "choices" result for the preference field "${field.id}" must be one of ${Object.keys(preferenceChoices).join(", ")}`,
          };
        }
        return { fieldId: field.id, value: preference };
      }
      if (!field || field.type !== "choice") return noField("choice");
      if (field.multiple) return { fieldId: field.id, value: choices };
      if (choices.length > 1) {
        return {
          error: `${quoted(choices)} selects ${choices.length} choices, but the choice field "${field.id}" takes one: make it a multiple-choice field, or keep one choice in the file`,
        };
      }
      return { fieldId: field.id, value: choices[0] };
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
    case "ranker": {
      const field = fieldForResult(template, fromName, ["ranking"]);
      if (!field) return noField("ranking");
      // Label Studio's Ranker keys its order by its own name; files written before Quorum did
      // so key it by the List's name, as the only key.
      const ranker = value.ranker;
      const buckets = isRecord(ranker) ? Object.values(ranker) : [];
      const ranked = Array.isArray(ranker)
        ? ranker
        : isRecord(ranker) && typeof fromName === "string" && Array.isArray(ranker[fromName])
          ? ranker[fromName]
          : buckets.length === 1
            ? buckets[0]
            : undefined;
      if (!Array.isArray(ranked)) {
        const keys = isRecord(ranker) ? Object.keys(ranker) : [];
        return {
          error:
            keys.length > 1
              ? `a ranker result must rank the responses in one list, keyed by the Ranker's name "${String(fromName)}"; this one groups them into buckets (${keys.join(", ")}), which a ranking cannot hold`
              : "a ranker result must rank the responses in one list",
        };
      }
      return { fieldId: field.id, value: ranked };
    }
    case "labels": {
      const field = fieldForResult(template, fromName, ["spans"]);
      if (!field || field.type !== "spans") return noField("spans");
      const labels = Array.isArray(value.labels) ? (value.labels as unknown[]) : [];
      const category = labels.find(
        (label): label is string => typeof label === "string" && field.categories.includes(label),
      );
      if (category === undefined) {
        return {
          error: `a span labelled ${quoted(labels)} needs one of the categories of "${field.id}": ${field.categories.join(", ")}`,
        };
      }
      const severity =
        labels.find(
          (label): label is string =>
            typeof label === "string" && label !== category && field.severities.includes(label),
        ) ?? field.severities[0]!;
      const { start, end, text } = value;
      if (typeof start !== "number" || typeof end !== "number") {
        return { error: "a span needs numeric start and end offsets" };
      }
      const response = spanResponse(toName, value, responses);
      if (!response) {
        return {
          error: `a span on "${String(toName)}" marks no response: to_name must be one of ${responses.map((r) => r.id).join(", ")} (or its text must be in exactly one of them)`,
        };
      }
      const offsets = labelStudioSpanOffsets(
        response.text,
        start,
        end,
        typeof text === "string" ? text : undefined,
      );
      if ("error" in offsets)
        return { error: `a span in response "${response.id}": ${offsets.error}` };
      const meta = isRecord(result.meta) ? result.meta.text : undefined;
      const note = Array.isArray(meta) ? meta.join("\n") : typeof meta === "string" ? meta : "";
      return {
        fieldId: field.id,
        span: {
          responseId: response.id,
          start: offsets.start,
          end: offsets.end,
          category,
          severity,
          ...(note.length > 0 ? { note } : {}),
        },
      };
    }
    default:
      return {
        error: `Label Studio results of type "${String(type)}" cannot be imported (supported: ${supportedTypes})`,
      };
  }
}

function labelOf(
  template: Template,
  annotation: Record<string, unknown>,
  responses: TaskResponse[],
  where: { row: number; field: string; task: string },
  errors: RowError[],
): Record<string, unknown> {
  const label: Record<string, unknown> = {};
  const results = Array.isArray(annotation.result) ? annotation.result : [];
  results.forEach((result: unknown, index) => {
    const field = `${where.field}.result.${index}`;
    const name = isRecord(result) ? ` from "${String(result.from_name)}"` : "";
    const fail = (message: string) =>
      errors.push({
        row: where.row,
        field,
        message: `${where.task}, result ${index}${name}: ${message}`,
      });
    const mapped = isRecord(result)
      ? resultValue(template, result, responses)
      : { error: "must be an object" };
    if ("error" in mapped) {
      fail(mapped.error);
    } else if ("span" in mapped) {
      const spans = label[mapped.fieldId];
      if (Array.isArray(spans)) spans.push(mapped.span);
      else label[mapped.fieldId] = [mapped.span];
    } else if (mapped.fieldId in label) {
      fail(`a second result for the field "${mapped.fieldId}"`);
    } else {
      label[mapped.fieldId] = mapped.value;
    }
  });
  // Label Studio writes no result for a text without spans; a required spans field then holds
  // an empty list, which is what the annotator said.
  for (const field of template.fields) {
    if (field.type === "spans" && field.required && !(field.id in label)) label[field.id] = [];
  }
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
  options: AnnotatorMapping = {},
): Record<string, unknown> | undefined {
  if (!isLabelStudioTask(task)) {
    errors.push({ row, field: "data", message: "a Label Studio task needs a data object" });
    return undefined;
  }
  const taskRecord = task as Record<string, unknown>;
  const data = taskRecord.data as Record<string, unknown>;
  const taskName =
    taskRecord.id === undefined ? `task on row ${row}` : `task ${String(taskRecord.id)}`;
  const { prompt, responses } = taskContent(data);
  if (prompt === undefined) {
    errors.push({
      row,
      field: "data",
      message: `${taskName}: no prompt: expected one of data.${[...conversationKeys, ...promptKeys, "text"].join(", data.")}`,
    });
  }
  if (Array.isArray(responses) && responses.length === 0) {
    errors.push({
      row,
      field: "data",
      message: `${taskName}: no responses to judge: expected ${responsePlaces}`,
    });
  }
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
  const listed = taskRecord.annotations ?? taskRecord.completions;
  const taskAnnotations = Array.isArray(listed) ? listed : [];
  taskAnnotations.forEach((annotation: unknown, index) => {
    const field = `annotations.${index}`;
    if (!isRecord(annotation)) {
      errors.push({ row, field, message: `${taskName}: must be an object` });
      return;
    }
    if (annotation.was_cancelled === true || annotation.skipped === true) return;
    const where = { row, field, task: taskName };
    const label = labelOf(template, annotation, responseRefs, where, errors);
    if (annotation.ground_truth === true) {
      if (gold) {
        errors.push({ row, field, message: `${taskName}: a second ground_truth annotation` });
      }
      gold = { label };
      return;
    }
    const annotator = annotatorOf(annotation, options);
    if ("unmapped" in annotator) {
      errors.push({
        row,
        field: `${field}.completed_by`,
        message: `${taskName}, annotation ${index}: ${annotator.unmapped}`,
      });
      return;
    }
    const submittedAt = annotation.created_at ?? annotation.updated_at;
    const leadTime = annotation.lead_time;
    annotations.push({
      annotator: annotator.email,
      label,
      ...(typeof submittedAt === "string" ? { submittedAt } : {}),
      // Label Studio counts every second its editor was open, idle ones included: a task left
      // open over a weekend is still a label worth keeping, so its time is cut to the most a
      // label may claim, as the labeling page cuts its own clock, rather than refused.
      ...(typeof leadTime === "number" && leadTime >= 0
        ? { durationMs: Math.min(Math.round(leadTime * 1000), MAX_CLAIMED_DURATION_MS) }
        : {}),
    });
  });

  // What the task lacks is said above; the item's own schema would only say it again, less
  // clearly. Its annotations are still read, so that their problems are named as well.
  if (prompt === undefined || (Array.isArray(responses) && responses.length === 0)) {
    return undefined;
  }
  const metadata = isRecord(data.metadata) ? { ...data.metadata } : {};
  return {
    externalId: externalIdOf(taskRecord.id, data),
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

/** Whether a JSON-MIN value looks like a control tag's results rather than task data. */
function looksLikeResults(value: unknown): boolean {
  const resultKeys = ["choices", "text", "rating", "number", "selected", "labels", "ranker"];
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((entry) => isRecord(entry) && resultKeys.some((key) => key in entry))
  );
}

/**
 * The template field a JSON-MIN key holds results of: the field of that name, or the preference
 * field whose tie or clear preference its Choices tag writes.
 */
function fieldOfMinKey(template: Template, key: string): TemplateField | undefined {
  return template.fields.find(
    (field) =>
      field.id === key || (field.type === "preference" && preferenceChoicesName(field.id) === key),
  );
}

/** A JSON-MIN value as the results Label Studio's full export would hold for it. */
function minResults(field: TemplateField, fromName: string, value: unknown): unknown[] {
  const results = (entries: unknown[], type: string) =>
    entries.map((entry) => ({ from_name: fromName, type, value: entry }));
  const entries = Array.isArray(value) ? value : [value];
  switch (field.type) {
    case "choice":
      return results(
        [isRecord(value) ? value : { choices: Array.isArray(value) ? value : [value] }],
        "choices",
      );
    case "text":
    case "rewrite":
      return results([isRecord(value) ? value : { text: [value] }], "textarea");
    case "rating":
      return entries.map((entry) => ({
        from_name: fromName,
        type: isRecord(entry) && "number" in entry ? "number" : "rating",
        value: isRecord(entry) ? entry : { rating: entry },
      }));
    case "preference":
    case "ranking":
      return entries.map((entry) => ({
        from_name: fromName,
        type:
          typeof entry === "string"
            ? "choices"
            : isRecord(entry) && "ranker" in entry
              ? "ranker"
              : "pairwise",
        value: typeof entry === "string" ? { choices: [entry] } : entry,
      }));
    case "spans":
      return results(entries, "labels");
  }
}

/**
 * JSON-MIN records grouped into tasks by task id (a record without one is a task of its own),
 * each record one annotation of its task.
 */
function minRecordsToTasks(
  records: ImportRow[],
  template: Template,
  errors: RowError[],
): ImportRow[] {
  const tasks = new Map<unknown, ImportRow & { value: Record<string, unknown> }>();
  const ordered: Array<ImportRow & { value: Record<string, unknown> }> = [];
  for (const { row, value } of records) {
    if (!isRecord(value)) {
      errors.push({ row, field: "(root)", message: "a JSON-MIN record must be an object" });
      continue;
    }
    const data: Record<string, unknown> = {};
    const result: unknown[] = [];
    for (const [key, entry] of Object.entries(value)) {
      if (minBookkeeping.has(key)) continue;
      const field = fieldOfMinKey(template, key);
      if (field) result.push(...minResults(field, key, entry));
      else if (looksLikeResults(entry)) {
        errors.push({
          row,
          field: key,
          message: `task ${String(value.id ?? `on row ${row}`)}: results from "${key}" need a field in the template named "${key}"`,
        });
      } else data[key] = entry;
    }
    const id = value.id ?? `row-${row}`;
    let task = tasks.get(id);
    if (!task) {
      task = {
        row,
        value: { ...(value.id === undefined ? {} : { id: value.id }), data, annotations: [] },
      };
      tasks.set(id, task);
      ordered.push(task);
    }
    if ("annotator" in value || "annotation_id" in value) {
      (task.value.annotations as unknown[]).push({
        completed_by: value.annotator,
        created_at: value.created_at,
        lead_time: value.lead_time,
        result,
      });
    }
  }
  return ordered;
}

export function readLabelStudio(
  tasks: ImportRow[],
  template: Template,
  options: AnnotatorMapping = {},
): ParsedImport {
  const errors: RowError[] = [];
  const first = tasks[0]?.value;
  const records = isLabelStudioMinRecord(first)
    ? minRecordsToTasks(tasks, template, errors)
    : tasks;
  const rows = records.map(({ row, value }) => ({
    row,
    value: labelStudioTaskToItem(value, row, template, errors, options),
  }));
  return { rows: rows.filter((entry) => entry.value !== undefined), errors };
}
