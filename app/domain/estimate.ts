/**
 * The one shape every quality statistic returns: a value, or `null` with the reason the data
 * cannot give one. No statistic returns NaN or throws on data it cannot measure.
 */

export const undefinedReasons = {
  "no-data": "nobody gave a value",
  "single-annotator": "only one annotator gave values",
  "no-overlap": "no item has values from two annotators",
  "no-variation": "every value is the same, so agreement beyond chance is undefined",
  "non-numeric-values": "this level of measurement needs numbers",
  "negative-values": "the ratio level needs values of zero or more",
  "incomplete-data": "this estimator needs a value from every rater on every item",
  "invalid-options": "the options are out of range",
  "missing-rate": "the person has no hourly rate",
  "no-time":
    "the server measured no working time for this work (imported, or recorded before time was measured)",
  "self-decided":
    "the final label rests on this annotator's own label, and the other labels settle on nothing without it",
  "no-correct":
    "no label agreed with the final label or the gold label, so there is nothing to divide by",
  "not-scored": "free text is not compared with the final label",
  "other-metric":
    "this statistic is not defined for the field's type; its agreement is measured by the metric named beside it",
} as const;

export type UndefinedReason = keyof typeof undefinedReasons;

export type Estimate<Value> =
  { value: Value; reason: null } | { value: null; reason: UndefinedReason };

export function estimated<Value>(value: Value): Estimate<Value> {
  return { value, reason: null };
}

export function notEstimable<Value>(reason: UndefinedReason): Estimate<Value> {
  return { value: null, reason };
}
