import type { ExportItem } from "./export.ts";
import type { Label, SpanAnnotation, Template, TemplateField } from "./template.ts";

/**
 * Label Studio's JSON export, written from Quorum's final labels: one task per item,
 * `{ data, annotations: [{ result, completed_by, was_cancelled, ground_truth }], meta }`, each
 * result `{ id, from_name, to_name, type, value }` as Label Studio's control tags write them.
 * `from_name` is the template field's id and `to_name` the response (or, for a pairwise
 * comparison, the two responses) it is about, so a labeling config whose control tags are named
 * after the fields and whose Text tags are named after the response ids shows the labels, and
 * Quorum's Label Studio import reads the file back to the same labels.
 *
 * - preference: `pairwise`, `{ selected: "left" | "right" }`, for a slight preference (±1), which is
 *   all a Pairwise tag says; a tie or a clear preference, which it cannot say, is a `choices`
 *   result with one of `preferenceChoices`.
 * - ranking: `ranker` against a List tag named `responses` (`<List name="responses"
 *   value="$responses"/>`), `{ ranker: { responses: [responseId, …] } }`, best first: what
 *   Label Studio's Ranker saves, a dict from the List's name to the ids in their new order.
 * - choice: `choices`, `{ choices: [option, …] }`.
 * - rating: `rating`, `{ rating }`.
 * - text, rewrite: `textarea`, `{ text: [text] }`.
 * - spans: one `labels` result per span, `{ start, end, text, labels: [category, severity] }`,
 *   offsets in UTF-16 code units of the response as Label Studio's browser editor counts them;
 *   a span's note is the region's `meta: { text: [note] }`.
 *
 * Each independent label is an annotation by its annotator; the final label is one more
 * annotation marked `ground_truth: true` (which the import takes as an item's gold label).
 */

/** The name of the List tag a Ranker ranks: the task's `responses`, which the List shows. */
const RANKED_LIST = "responses";

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
  const allResponses = responseIds.join(",");
  switch (field.type) {
    case "preference": {
      if (typeof value !== "number") return [];
      const pair = responseIds.slice(0, 2).join(",");
      if (value === -1 || value === 1) {
        return [
          {
            ...base,
            to_name: pair,
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
        : [{ ...base, to_name: pair, type: "choices", value: { choices: [choice] } }];
    }
    case "ranking":
      return Array.isArray(value)
        ? [
            {
              ...base,
              to_name: RANKED_LIST,
              type: "ranker",
              value: { ranker: { [RANKED_LIST]: value } },
            },
          ]
        : [];
    case "choice":
      if (value === undefined) return [];
      return [
        {
          ...base,
          to_name: allResponses,
          type: "choices",
          value: { choices: Array.isArray(value) ? value : [value] },
        },
      ];
    case "rating":
      return typeof value === "number"
        ? [{ ...base, to_name: allResponses, type: "rating", value: { rating: value } }]
        : [];
    case "text":
    case "rewrite":
      return typeof value === "string"
        ? [{ ...base, to_name: allResponses, type: "textarea", value: { text: [value] } }]
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
    .flatMap((field) => fieldResults(field, label[field.id], responseIds))
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
      responses: item.responses,
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
