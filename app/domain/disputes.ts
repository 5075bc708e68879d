import { z } from "zod";
import { bordaRanking, centralMedian, kendallTau, uniqueMostChosen } from "./aggregation.ts";
import { validateFinalLabel } from "./final-label.ts";
import { clusterSpan, compareSpans, meanPairwiseSpanF1, spanClusters } from "./spans.ts";
import {
  ownEntry,
  type Label,
  type LabelValue,
  type ResponseRef,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "./template.ts";
import { pairwiseMean } from "./pairwise-mean.ts";

/**
 * A project's dispute policy: per field, when the independent labels count as disagreeing. Every
 * key is optional; an absent key uses the defaults below, chosen by the simulation in
 * `bench/label-truth.ts` (docs/decisions/018-label-truth.md).
 */
export const fieldPolicySchema = z
  .object({
    /**
     * Leave the field out of dispute detection: its aggregate settles it whatever the spread.
     * A required field still needs an aggregate, so a tie still disputes it.
     */
    ignore: z.boolean().optional(),
    /** rating: disputed when max − min reaches this (default: a share of the scale's range). */
    spreadAtLeast: z.number().int().positive().optional(),
    /** preference: "direction" disputes opposite or tie-vs-preference; "value" any difference. */
    compare: z.enum(["direction", "value"]).optional(),
    /**
     * choice: the share of annotators the most chosen option needs (1 = unanimous); it must also
     * be chosen more often than any other. Default: more than half.
     */
    minShare: z.number().gt(0).max(1).optional(),
    /** spans: disputed when mean pairwise F1 falls below this. */
    minF1: z.number().min(0).max(1).optional(),
    spanMatch: z.enum(["exact", "overlap"]).optional(),
    /** ranking: disputed when mean pairwise Kendall tau falls below this. */
    minKendallTau: z.number().min(-1).max(1).optional(),
  })
  .strict();

export const disputePolicySchema = z.record(z.string(), fieldPolicySchema);

export type FieldPolicy = z.infer<typeof fieldPolicySchema>;
export type DisputePolicy = z.infer<typeof disputePolicySchema>;

export const defaultFieldPolicy = {
  compare: "direction",
  minF1: 0.5,
  spanMatch: "overlap",
  minKendallTau: 0.5,
} as const;

/**
 * The default rating spread that disputes, as a share of the scale's range: a spread of at
 * least this share, and at least one step, is a disagreement (2 on 1–5 and on 1–7, 1 on 1–3, 30
 * on 0–100).
 */
export const DEFAULT_SPREAD_SHARE = 0.3;

export function defaultSpreadAtLeast(field: { min: number; max: number }): number {
  // 10 × 0.3 is 3.0000000000000004 in floating point; the tolerance keeps it 3.
  return Math.max(1, Math.ceil((field.max - field.min) * DEFAULT_SPREAD_SHARE - 1e-9));
}

export interface FieldAgreement {
  fieldId: string;
  disputed: boolean;
  /** Why, in words a lead reads in the dispute list. */
  reason: string;
}

export interface AgreementCheck {
  disputed: boolean;
  fields: FieldAgreement[];
  /**
   * For a consensus item, the label it settles on: complete, accepted field by field by the
   * policy, and valid under `validateFinalLabel`. For a disputed item, the suggestion a room
   * opens with: each field's aggregate where the rule yields one (fields without are left out).
   */
  aggregated: Label;
}

/** One field's verdict and aggregate, from one rule. */
export interface FieldRuling {
  disputed: boolean;
  reason: string;
  value: LabelValue | undefined;
}

type SpansField = Extract<TemplateField, { type: "spans" }>;
type ChoiceField = Extract<TemplateField, { type: "choice" }>;
type RatingField = Extract<TemplateField, { type: "rating" }>;

const ruling = (disputed: boolean, reason: string, value: LabelValue | undefined) => ({
  disputed,
  reason,
  value,
});

const quoted = (values: ReadonlyArray<string>) => values.map((value) => `"${value}"`).join(", ");

function settleRating(field: RatingField, policy: FieldPolicy, values: number[]): FieldRuling {
  const value = centralMedian(values, (field.min + field.max) / 2);
  const spread = Math.max(...values) - Math.min(...values);
  const limit = policy.spreadAtLeast ?? defaultSpreadAtLeast(field);
  const listed = `ratings ${values.join(", ")}`;
  if (spread >= limit) {
    return ruling(true, `${listed}: spread ${spread}, a dispute from ${limit}`, value);
  }
  if (value === undefined) {
    return ruling(true, `${listed}: the middle two lie either side of the scale's centre`, value);
  }
  return ruling(false, `${listed}: spread ${spread}, median ${value}`, value);
}

function settlePreference(policy: FieldPolicy, values: number[]): FieldRuling {
  const value = centralMedian(values, 0);
  const byDirection = (policy.compare ?? defaultFieldPolicy.compare) === "direction";
  const compared = byDirection ? values.map(Math.sign) : values;
  const listed = `preferences ${values.join(", ")}`;
  if (new Set(compared).size > 1) {
    return ruling(true, `${listed}: ${byDirection ? "directions" : "values"} differ`, value);
  }
  return ruling(false, `${listed}: median ${value}`, value);
}

/** Whether the most chosen side holds the share the policy asks (default: more than half). */
function holdsShare(policy: FieldPolicy, count: number, total: number): boolean {
  return policy.minShare === undefined ? count * 2 > total : count / total >= policy.minShare;
}

function settleSingleChoice(policy: FieldPolicy, values: string[]): FieldRuling {
  const top = uniqueMostChosen(values);
  if (!top) return ruling(true, `no option chosen more often than all others`, undefined);
  const reason = `${top.count} of ${values.length} chose "${top.value}"`;
  return ruling(!holdsShare(policy, top.count, values.length), reason, top.value);
}

/** Each option is a yes/no question of its own, settled by the same share as a single choice. */
function settleMultipleChoice(field: ChoiceField, policy: FieldPolicy, values: string[][]) {
  const chosen: string[] = [];
  const open: string[] = [];
  for (const option of field.options) {
    const yes = values.filter((choice) => choice.includes(option)).length;
    const no = values.length - yes;
    if (yes !== no && holdsShare(policy, Math.max(yes, no), values.length)) {
      if (yes > no) chosen.push(option);
    } else {
      open.push(option);
    }
  }
  if (open.length > 0) return ruling(true, `no settled answer on ${quoted(open)}`, chosen);
  const reason =
    chosen.length === 0 ? "no option chosen by the share asked" : `chosen: ${quoted(chosen)}`;
  return ruling(false, reason, chosen);
}

function settleRanking(policy: FieldPolicy, rankings: string[][]): FieldRuling {
  const { ranking, tied } = bordaRanking(rankings);
  const tau = pairwiseMean(rankings, kendallTau) ?? 1;
  const minimum = policy.minKendallTau ?? defaultFieldPolicy.minKendallTau;
  const reason = `mean pairwise Kendall tau ${tau.toFixed(2)}`;
  if (tau < minimum) return ruling(true, reason, ranking);
  if (!ranking) return ruling(true, `${reason}; Borda points tie for ${quoted(tied)}`, ranking);
  return ruling(false, reason, ranking);
}

/**
 * Spans by clusters (`spanClusters`): a cluster marked by more than half the annotators becomes
 * one aggregate span (`clusterSpan`); one marked by exactly half is a tie, and a dispute; one
 * marked by fewer is left out. Agreement is mean pairwise F1 under the same matching.
 */
function settleSpans(
  field: SpansField,
  policy: FieldPolicy,
  spanSets: SpanAnnotation[][],
  responses: ReadonlyArray<ResponseRef> | undefined,
): FieldRuling {
  const mode = policy.spanMatch ?? defaultFieldPolicy.spanMatch;
  const clusters = spanClusters(spanSets, mode);
  const annotators = spanSets.length;
  const textOf = new Map(responses?.map((response) => [response.id, response.text]));
  const value = clusters
    .filter((cluster) => cluster.length * 2 > annotators)
    .map((cluster) =>
      clusterSpan(cluster, field.severities, textOf.get(cluster[0]!.span.responseId)),
    )
    .sort(compareSpans);
  const tied = clusters.filter((cluster) => cluster.length * 2 === annotators).length;
  const f1 = meanPairwiseSpanF1(spanSets, mode);
  const minimum = policy.minF1 ?? defaultFieldPolicy.minF1;
  const reason = f1 === null ? "one annotator" : `mean pairwise span F1 ${f1.toFixed(2)}`;
  if (f1 !== null && f1 < minimum) return ruling(true, reason, value);
  if (tied > 0) {
    const what = tied === 1 ? "1 span is" : `${tied} spans are`;
    return ruling(true, `${reason}; ${what} marked by exactly half`, value);
  }
  return ruling(false, `${reason}; ${value.length} marked by a majority`, value);
}

/**
 * The one rule for a field: whether the annotators' values agree under the policy, and the
 * aggregate they settle on, decided together so that a consensus never lacks its value.
 * `values` has one entry per annotator, undefined where a label has no value. Rating,
 * preference, single choice, ranking and text count the annotators who gave a value; spans and
 * multiple choice count everyone, a missing value being the empty set (nothing marked, nothing
 * chosen). Free text is not compared: it settles only when every annotator wrote the same.
 */
export function settleField(
  field: TemplateField,
  policy: FieldPolicy,
  values: ReadonlyArray<LabelValue | undefined>,
  responses?: ReadonlyArray<ResponseRef>,
): FieldRuling {
  const given = values.filter((value) => value !== undefined && value !== null);
  if (given.length === 0) return ruling(false, "no value given", undefined);
  const settled = settleGiven(field, policy, values, given, responses);
  if (policy.ignore) return { ...settled, disputed: false, reason: "not checked (policy)" };
  return settled;
}

function settleGiven(
  field: TemplateField,
  policy: FieldPolicy,
  values: ReadonlyArray<LabelValue | undefined>,
  given: LabelValue[],
  responses: ReadonlyArray<ResponseRef> | undefined,
): FieldRuling {
  switch (field.type) {
    case "rating":
      return settleRating(field, policy, given as number[]);
    case "preference":
      return settlePreference(policy, given as number[]);
    case "choice":
      return field.multiple
        ? settleMultipleChoice(
            field,
            policy,
            values.map((value) => (value ?? []) as string[]),
          )
        : settleSingleChoice(policy, given as string[]);
    case "ranking":
      return settleRanking(policy, given as string[][]);
    case "spans":
      return settleSpans(
        field,
        policy,
        values.map((value) => (value ?? []) as SpanAnnotation[]),
        responses,
      );
    case "text":
    case "rewrite": {
      const same = given.length === values.length && given.every((text) => text === given[0]);
      return same
        ? ruling(false, "every annotator wrote the same", given[0])
        : ruling(false, "free text is not compared", undefined);
    }
  }
}

/**
 * Checks an item's independent labels field by field under the project's dispute policy and
 * settles them, by one rule per field type (`settleField`). The item is consensus only when
 * every field is accepted, every required field has an aggregate, and the aggregated label
 * passes `validateFinalLabel` with the item's responses, the check a lead's publish runs; the
 * fields that fail any of these are disputed, with the reason. Without `responses` (the room's
 * live view of votes) what depends on them is not checked.
 */
export function checkAgreement(
  template: Template,
  policy: DisputePolicy,
  labels: ReadonlyArray<Record<string, LabelValue | undefined>>,
  responses?: ReadonlyArray<ResponseRef>,
): AgreementCheck {
  const fields: FieldAgreement[] = [];
  const aggregated: Label = {};
  for (const field of template.fields) {
    const values = labels.map((label) => ownEntry(label, field.id));
    const { disputed, reason, value } = settleField(
      field,
      ownEntry(policy, field.id) ?? {},
      values,
      responses,
    );
    if (value !== undefined) aggregated[field.id] = value;
    const unsettled = field.required && value === undefined;
    fields.push({
      fieldId: field.id,
      disputed: disputed || unsettled,
      reason: unsettled && !disputed ? `${reason}; a required field needs a value` : reason,
    });
  }
  if (fields.some((field) => field.disputed)) return { disputed: true, fields, aggregated };

  const check = validateFinalLabel(template, responses, aggregated);
  if (check.valid) return { disputed: false, fields, aggregated: check.label };
  for (const issue of check.issues) {
    const field = fields.find((entry) => entry.fieldId === issue.path[0]) ?? fields[0]!;
    const where = issue.path.slice(1).map(String).join(".");
    field.disputed = true;
    field.reason = `${field.reason}; the aggregate is not valid${where ? ` at ${where}` : ""}: ${issue.message}`;
  }
  return { disputed: true, fields, aggregated };
}
