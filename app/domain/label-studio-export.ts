import type { ExportItem } from "./export.ts";
import {
  ownEntry,
  type Label,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "./template.ts";

/**
 * Label Studio's JSON export, written from Quorum's final labels: one task per item,
 * `{ data, annotations: [{ result, completed_by, was_cancelled, ground_truth }], meta }`, each
 * result `{ id, from_name, to_name, type, value }` as Label Studio's control tags write them:
 * `from_name` is the control tag (named after the template field) and `to_name` the object tag it
 * labels. Label Studio's editor drops every result whose `from_name` or `to_name` is not a tag of
 * the labeling config, so each `to_name` is one tag's name, as the tag itself would write it, and
 * the labeling config in docs/data-formats.md (Text tags named after the response ids, a List
 * named `responses`) shows every result. Quorum's Label Studio import reads the file back to the
 * same labels.
 *
 * - preference: `pairwise`, `{ selected: "left" | "right" }`, for a slight preference (±1), which is
 *   all a Pairwise tag says; its `to_name` is its own name, as the Pairwise tag writes it. A tie or
 *   a clear preference, which it cannot say, is a `choices` result with one of
 *   `preferenceChoices`, from a Choices tag of its own (`preferenceChoicesName`).
 * - ranking: `ranker` against a List tag named `responses` (`<List name="responses"
 *   value="$responses"/>`), `{ ranker: { [fieldId]: [responseId, …] } }`, best first: what Label
 *   Studio's Ranker saves, a dict from the Ranker's own name to the ids in their new order.
 * - choice: `choices`, `{ choices: [option, …] }`.
 * - rating: `rating`, `{ rating }`.
 * - text, rewrite: `textarea`, `{ text: [text] }`.
 * - spans: one `labels` result per span on the response's Text tag,
 *   `{ start, end, text, labels: [category, severity] }`, offsets in UTF-16 code units of the
 *   response as Label Studio's browser editor counts them; a span's note is the region's
 *   `meta: { text: [note] }`.
 *
 * Choices, ratings and texts judge the whole item; a Label Studio control tag names one object
 * tag, so they are written against the first response's Text tag.
 *
 * Each independent label is an annotation by its annotator; the final label is one more
 * annotation marked `ground_truth: true` (which the import takes as an item's gold label).
 */

/** The name of the List tag a Ranker ranks: the task's `responses`, which the List shows. */
const RANKED_LIST = "responses";

/**
 * The name of the Choices tag a preference field's tie or clear preference is written from: apart
 * from the Pairwise tag named after the field, since one tag cannot write both kinds of result,
 * and with a colon, which no field id has, so that it names no other field.
 */
export function preferenceChoicesName(fieldId: string): string {
  return `${fieldId}:choices`;
}

/** The `choices` values a preference field is written as when Pairwise cannot say it. */
export const preferenceChoices: Readonly<Record<string, number>> = {
  "left, clearly": -2,
  tie: 0,
  "right, clearly": 2,
};

export interface LabelStudioResult {
  id: string;
  from_name: string;
  to_name: string;
  type: string;
  origin: "manual";
  value: Record<string, unknown>;
  meta?: { text: string[] };
}

export interface LabelStudioAnnotation {
  result: LabelStudioResult[];
  completed_by?: { email: string };
  created_username?: string;
  was_cancelled: false;
  ground_truth: boolean;
  created_at?: string;
}

export interface LabelStudioTask {
  data: Record<string, unknown>;
  annotations: LabelStudioAnnotation[];
  meta: Record<string, unknown>;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Result ids are `A-Za-z0-9_-` in Label Studio; these are unique within an annotation. */
function resultId(fieldId: string, index: number): string {
  return `${fieldId.replace(/[^A-Za-z0-9_-]/g, "_")}_${index}`;
}

function fieldResults(
  field: TemplateField,
  value: unknown,
  responseIds: ReadonlyArray<string>,
): Array<Omit<LabelStudioResult, "id">> {
  const base = { from_name: field.id, origin: "manual" as const };
  const firstResponse = responseIds[0] ?? "";
  switch (field.type) {
    case "preference": {
      if (typeof value !== "number") return [];
      if (value === -1 || value === 1) {
        return [
          {
            ...base,
            to_name: field.id,
            type: "pairwise",
            value: { selected: value < 0 ? "left" : "right" },
          },
        ];
      }
      const choice = Object.keys(preferenceChoices).find(
        (name) => preferenceChoices[name] === value,
      );
      return choice === undefined
        ? []
        : [
            {
              ...base,
              from_name: preferenceChoicesName(field.id),
              to_name: firstResponse,
              type: "choices",
              value: { choices: [choice] },
            },
          ];
    }
    case "ranking":
      return Array.isArray(value)
        ? [
            {
              ...base,
              to_name: RANKED_LIST,
              type: "ranker",
              value: { ranker: { [field.id]: value } },
            },
          ]
        : [];
    case "choice":
      if (value === undefined) return [];
      return [
        {
          ...base,
          to_name: firstResponse,
          type: "choices",
          value: { choices: Array.isArray(value) ? value : [value] },
        },
      ];
    case "rating":
      return typeof value === "number"
        ? [{ ...base, to_name: firstResponse, type: "rating", value: { rating: value } }]
        : [];
    case "text":
    case "rewrite":
      return typeof value === "string"
        ? [{ ...base, to_name: firstResponse, type: "textarea", value: { text: [value] } }]
        : [];
    case "spans":
      return Array.isArray(value)
        ? (value as SpanAnnotation[]).map((span) => ({
            ...base,
            to_name: span.responseId,
            type: "labels",
            value: {
              start: span.start,
              end: span.end,
              ...(span.text === undefined ? {} : { text: span.text }),
              labels: [span.category, span.severity],
            },
            ...(span.note === undefined ? {} : { meta: { text: [span.note] } }),
          }))
        : [];
  }
}

/** The results of one label, field by field in template order. */
export function labelStudioResults(
  template: Template,
  label: Label,
  responseIds: ReadonlyArray<string>,
): LabelStudioResult[] {
  return template.fields
    .flatMap((field) => fieldResults(field, ownEntry(label, field.id), responseIds))
    .map((result, index) => ({ id: resultId(result.from_name, index), ...result }));
}

/** One item as a Label Studio task. */
export function labelStudioTask(template: Template, item: ExportItem): LabelStudioTask {
  const responseIds = item.responses.map((response) => response.id);
  const annotations: LabelStudioAnnotation[] = item.annotations.map((annotation) => ({
    result: labelStudioResults(template, annotation.label as Label, responseIds),
    // Only leads and the operator see emails; others see names or pseudonyms, which Label
    // Studio keeps as the annotator's display name.
    ...(EMAIL.test(annotation.annotator)
      ? { completed_by: { email: annotation.annotator } }
      : { created_username: annotation.annotator }),
    was_cancelled: false,
    ground_truth: false,
  }));
  annotations.push({
    result: labelStudioResults(template, item.label, responseIds),
    was_cancelled: false,
    ground_truth: true,
    ...(item.publishedAt === undefined ? {} : { created_at: item.publishedAt }),
  });
  return {
    data: {
      externalId: item.externalId,
      ...(typeof item.prompt === "string" ? { prompt: item.prompt } : { messages: item.prompt }),
      // A List tag shows each item's `title` and `body` (and nothing else), so that a Ranker
      // shows the responses it ranks; `id` and `text` are what Quorum's import reads.
      responses: item.responses.map((response) => ({
        ...response,
        title: response.id,
        body: response.text,
      })),
      ...(Object.keys(item.metadata).length > 0 ? { metadata: item.metadata } : {}),
    },
    annotations,
    meta: {
      source: item.source,
      ...(item.version === undefined ? {} : { version: item.version }),
      ...(item.rationale === undefined || item.rationale === null
        ? {}
        : { rationale: item.rationale }),
    },
  };
}
