import { kendallTau } from "./aggregation.ts";
import { spanF1 } from "./spans.ts";
import {
  ownEntry,
  type Label,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "./template.ts";

export interface GoldScoringOptions {
  /** Ratings within this distance of the gold value count as correct. */
  ratingTolerance: number;
}

/**
 * How well one value matches the gold value, from 0 to 1: exact for choices, within a tolerance
 * for ratings, the direction for preferences, overlap F1 for spans, rank correlation (rescaled
 * to 0–1) for rankings. Free text has no gold score: undefined.
 */
export function scoreFieldAgainstGold(
  field: TemplateField,
  gold: unknown,
  given: unknown,
  options: GoldScoringOptions,
): number | undefined {
  if (gold === undefined || gold === null) return undefined;
  // A list left out is the empty list (the labeling form leaves out an optional one nobody
  // filled, decision 018): "no errors" is an answer, right when the gold marks none.
  const listField = field.type === "spans" || (field.type === "choice" && field.multiple);
  if (given === undefined || given === null) {
    if (!listField) return 0;
    given = [];
  }
  switch (field.type) {
    case "rating":
      return Math.abs((given as number) - (gold as number)) <= options.ratingTolerance ? 1 : 0;
    case "preference":
      return Math.sign(given as number) === Math.sign(gold as number) ? 1 : 0;
    case "choice": {
      if (!field.multiple) return given === gold ? 1 : 0;
      const key = (value: unknown) => [...(value as string[])].sort().join("\u0000");
      return key(given) === key(gold) ? 1 : 0;
    }
    case "spans":
      return spanF1(gold as SpanAnnotation[], given as SpanAnnotation[], "overlap");
    case "ranking":
      return (kendallTau(gold as string[], given as string[]) + 1) / 2;
    case "text":
    case "rewrite":
      return undefined;
  }
}

/** Scores every gold-scored field of a label: field id → score from 0 to 1. */
export function scoreLabelAgainstGold(
  template: Template,
  gold: Label,
  given: Label,
  options: GoldScoringOptions,
): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const field of template.fields) {
    const score = scoreFieldAgainstGold(
      field,
      ownEntry(gold, field.id),
      ownEntry(given, field.id),
      options,
    );
    if (score !== undefined) scores[field.id] = score;
  }
  return scores;
}
