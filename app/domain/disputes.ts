import { z } from "zod";
import { aggregateField, kendallTau } from "./aggregation.ts";
import { meanPairwiseSpanF1 } from "./spans.ts";
import type { Label, SpanAnnotation, Template, TemplateField } from "./template.ts";

/**
 * A project's dispute policy: per field, when the independent labels count as disagreeing. Every
 * key is optional; an absent field uses the defaults below, which follow common practice for
 * expert review (a two-point spread on a five-point scale is a real disagreement; opposite
 * preferences always are).
 */
export const fieldPolicySchema = z
  .object({
    /** Leave the field out of dispute detection. */
    ignore: z.boolean().optional(),
    /** rating: disputed when max − min reaches this. */
    spreadAtLeast: z.number().int().positive().optional(),
    /** preference: "direction" disputes opposite or tie-vs-preference; "value" any difference. */
    compare: z.enum(["direction", "value"]).optional(),
    /** choice: the share of annotators that must agree (1 = unanimous). */
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
  spreadAtLeast: 2,
  compare: "direction",
  minShare: 1,
  minF1: 0.5,
  spanMatch: "overlap",
  minKendallTau: 0.5,
} as const;

export interface FieldAgreement {
  fieldId: string;
  disputed: boolean;
  /** Why, in words a lead reads in the dispute list. */
  reason: string;
}

export interface AgreementCheck {
  disputed: boolean;
  fields: FieldAgreement[];
  /** The aggregated label, for consensus items (fields with no aggregate are left out). */
  aggregated: Label;
}

function checkField(field: TemplateField, policy: FieldPolicy, values: unknown[]): FieldAgreement {
  const verdict = (disputed: boolean, reason: string) => ({ fieldId: field.id, disputed, reason });
  if (policy.ignore) return verdict(false, "not checked (policy)");
  if (values.length < 2) return verdict(false, "fewer than two values");
  switch (field.type) {
    case "rating": {
      const numbers = values as number[];
      const spread = Math.max(...numbers) - Math.min(...numbers);
      const limit = policy.spreadAtLeast ?? defaultFieldPolicy.spreadAtLeast;
      return verdict(spread >= limit, `ratings ${numbers.join(", ")} spread ${spread}`);
    }
    case "preference": {
      const numbers = values as number[];
      const compared =
        (policy.compare ?? defaultFieldPolicy.compare) === "direction"
          ? numbers.map(Math.sign)
          : numbers;
      const distinct = new Set(compared).size;
      return verdict(distinct > 1, `preferences ${numbers.join(", ")}`);
    }
    case "choice": {
      const keys = values.map((value) =>
        Array.isArray(value) ? [...value].sort().join("|") : String(value),
      );
      const counts = new Map<string, number>();
      for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
      const top = Math.max(...counts.values());
      const share = top / keys.length;
      const required = policy.minShare ?? defaultFieldPolicy.minShare;
      return verdict(share < required, `${top} of ${keys.length} chose the same`);
    }
    case "spans": {
      const f1 = meanPairwiseSpanF1(
        values as SpanAnnotation[][],
        policy.spanMatch ?? defaultFieldPolicy.spanMatch,
      )!;
      const minimum = policy.minF1 ?? defaultFieldPolicy.minF1;
      return verdict(f1 < minimum, `mean pairwise span F1 ${f1.toFixed(2)}`);
    }
    case "ranking": {
      const rankings = values as string[][];
      let total = 0;
      let pairs = 0;
      for (let i = 0; i < rankings.length; i++) {
        for (let j = i + 1; j < rankings.length; j++) {
          total += kendallTau(rankings[i], rankings[j]);
          pairs++;
        }
      }
      const tau = total / pairs;
      const minimum = policy.minKendallTau ?? defaultFieldPolicy.minKendallTau;
      return verdict(tau < minimum, `mean pairwise Kendall tau ${tau.toFixed(2)}`);
    }
    case "text":
    case "rewrite":
      return verdict(false, "free text is not compared");
  }
}

/**
 * Checks an item's independent labels field by field against the project's dispute policy.
 * An item is disputed when any checked field is; otherwise it is consensus, with the aggregated
 * label its annotators' labels imply.
 */
export function checkAgreement(
  template: Template,
  policy: DisputePolicy,
  labels: ReadonlyArray<Label>,
): AgreementCheck {
  const fields: FieldAgreement[] = [];
  const aggregated: Label = {};
  for (const field of template.fields) {
    const values = labels.map((label) => label[field.id]).filter((value) => value !== undefined);
    fields.push(checkField(field, policy[field.id] ?? {}, values));
    const value = aggregateField(field, values);
    if (value !== undefined) aggregated[field.id] = value as Label[string];
  }
  return { disputed: fields.some((field) => field.disputed), fields, aggregated };
}
