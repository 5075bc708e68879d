/**
 * Accuracy against the final label: how often an annotator's independent label agrees with
 * what the item finally settled on (its consensus, or its latest published version), judged
 * field by field by the rule dispute detection uses for that field type, with leave-one-out
 * wherever the final rests on the annotator's own label (docs/decisions/024-quality-and-cost.md).
 * Also each label's answers on gold items. Pure: data in, counts and `Estimate`s out; nothing
 * here returns NaN or throws on data it cannot measure.
 */
import { kendallTau } from "./aggregation.ts";
import {
  defaultFieldPolicy,
  defaultSpreadAtLeast,
  settleField,
  type DisputePolicy,
  type FieldPolicy,
} from "./disputes.ts";
import { estimated, notEstimable, type Estimate, type UndefinedReason } from "./estimate.ts";
import { scoreLabelAgainstGold } from "./gold.ts";
import { wilsonInterval, type Interval } from "./intervals.ts";
import { compareSpans, spanF1 } from "./spans.ts";
import {
  ownEntry,
  type Label,
  type LabelValue,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "./template.ts";

/** Whoever gave a label or a vote: a user id, or any other stable key. */
export type PersonId = string | number;

/** The field types an answer can be right or wrong on; free text and rewrites are not scored. */
export type ScoredField = Exclude<TemplateField, { type: "text" } | { type: "rewrite" }>;

export function isScoredField(field: TemplateField): field is ScoredField {
  return field.type !== "text" && field.type !== "rewrite";
}

export interface IndependentLabel<Person extends PersonId> {
  person: Person;
  label: Label;
  /**
   * Rejected in review: the label is still scored (a rejection is itself a sign of the accuracy
   * measured), but it is not one of the labels the item's aggregate is made of.
   */
  rejected?: boolean;
}

export interface FinalLabel<Person extends PersonId> {
  /** The consensus the item settled on, or its latest published version's label. */
  label: Label;
  /**
   * A published version's recorded votes: each panel member's final position in the room (for a
   * consensus published automatically, the independent labels). Absent for a consensus.
   */
  votes?: ReadonlyArray<{ person: Person; label: Label }>;
}

export interface SettledItem<Person extends PersonId> {
  /** Every independent label of the item, rejected ones included (flagged). */
  labels: ReadonlyArray<IndependentLabel<Person>>;
  final: FinalLabel<Person>;
}

export interface AccuracyOptions {
  /**
   * Ratings this close to the reference or closer agree. By default the dispute policy's: a
   * spread below `spreadAtLeast` is agreement, so the tolerance is `spreadAtLeast − 1` (1 on a
   * 1–5 scale by default, 29 on 0–100).
   */
  ratingTolerance?: number;
}

/**
 * One answer (one scored field of one label) against the final label: it agrees, it does not
 * (a label that leaves out a field the final has a value for does not agree, as on gold items),
 * or it is not scored because the final rests on this label alone (`self-decided`).
 */
export type AnswerOutcome = "correct" | "wrong" | "self-decided";

type RatingField = Extract<TemplateField, { type: "rating" }>;

/** Spans and multiple choice: a missing value is the empty set (nothing marked or chosen). */
function isSetValued(field: TemplateField): boolean {
  return field.type === "spans" || (field.type === "choice" && field.multiple);
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === "string");

function isSpan(value: unknown): value is SpanAnnotation {
  if (value === null || typeof value !== "object") return false;
  const span = value as Record<string, unknown>;
  return (
    typeof span.responseId === "string" &&
    typeof span.category === "string" &&
    typeof span.severity === "string" &&
    Number.isFinite(span.start) &&
    Number.isFinite(span.end)
  );
}

/**
 * A label's value for a field as the comparisons read it: undefined where there is none, the
 * empty set for a set-valued field left out. A value of the wrong shape (which label validation
 * refuses) counts as missing, so that no comparison meets data it cannot read.
 */
export function fieldValue(field: TemplateField, raw: unknown): LabelValue | undefined {
  let value: LabelValue | undefined;
  switch (field.type) {
    case "rating":
    case "preference":
      value = typeof raw === "number" && Number.isFinite(raw) ? raw : undefined;
      break;
    case "choice":
      value = field.multiple
        ? isStringArray(raw)
          ? raw
          : undefined
        : typeof raw === "string"
          ? raw
          : undefined;
      break;
    case "ranking":
      value = isStringArray(raw) ? raw : undefined;
      break;
    case "spans":
      value = Array.isArray(raw) && raw.every(isSpan) ? raw : undefined;
      break;
    case "text":
    case "rewrite":
      value = typeof raw === "string" ? raw : undefined;
      break;
  }
  return value === undefined && isSetValued(field) ? [] : value;
}

function ratingTolerance(field: RatingField, policy: FieldPolicy, options: AccuracyOptions) {
  return options.ratingTolerance ?? (policy.spreadAtLeast ?? defaultSpreadAtLeast(field)) - 1;
}

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => {
  const first = new Set(a);
  const second = new Set(b);
  return first.size === second.size && [...first].every((entry) => second.has(entry));
};

/**
 * Whether an answer agrees with a reference value, by the rule dispute detection applies to the
 * field type (`settleField`), with the project's policy for the field:
 *
 * - rating: within the tolerance (`AccuracyOptions.ratingTolerance`; by default `spreadAtLeast
 *   − 1`, so two ratings the dispute rule lets stand together agree);
 * - preference: the same direction (the same sign; a tie only with a tie), or the same value when
 *   the policy compares values (`compare: "value"`);
 * - choice: the same option; a multiple choice the same set of options;
 * - ranking: Kendall's tau between the two orders at least the policy's `minKendallTau` (default
 *   0.5); the same order is tau 1;
 * - spans: F1 under the maximum matching of `spans.ts` at least the policy's `minF1` (default
 *   0.5), in its `spanMatch` mode (default overlap); two empty sets agree.
 */
export function answerAgrees(
  field: ScoredField,
  policy: FieldPolicy,
  given: LabelValue,
  reference: LabelValue,
  options: AccuracyOptions = {},
): boolean {
  switch (field.type) {
    case "rating":
      return (
        Math.abs((given as number) - (reference as number)) <=
        ratingTolerance(field, policy, options)
      );
    case "preference":
      return (policy.compare ?? defaultFieldPolicy.compare) === "direction"
        ? Math.sign(given as number) === Math.sign(reference as number)
        : given === reference;
    case "choice":
      return field.multiple
        ? sameSet(given as string[], reference as string[])
        : given === reference;
    case "ranking":
      return (
        kendallTau(given as string[], reference as string[]) >=
        (policy.minKendallTau ?? defaultFieldPolicy.minKendallTau)
      );
    case "spans":
      return (
        spanF1(
          given as SpanAnnotation[],
          reference as SpanAnnotation[],
          policy.spanMatch ?? defaultFieldPolicy.spanMatch,
        ) >= (policy.minF1 ?? defaultFieldPolicy.minF1)
      );
  }
}

const spanKey = (span: SpanAnnotation) =>
  JSON.stringify([span.responseId, span.start, span.end, span.category, span.severity]);

/**
 * Whether two values are the same value of the field: what "the final equals the aggregate"
 * means. Spans are compared by what they mark (response, offsets, category, severity), not by
 * quoted text, id or note; multiple choices as sets; rankings in order.
 */
export function sameFieldValue(field: TemplateField, a: LabelValue, b: LabelValue): boolean {
  switch (field.type) {
    case "choice":
      return field.multiple ? sameSet(a as string[], b as string[]) : a === b;
    case "ranking": {
      const first = a as string[];
      const second = b as string[];
      return first.length === second.length && first.every((id, index) => id === second[index]);
    }
    case "spans": {
      const first = [...(a as SpanAnnotation[])].sort(compareSpans).map(spanKey);
      const second = [...(b as SpanAnnotation[])].sort(compareSpans).map(spanKey);
      return first.length === second.length && first.every((key, index) => key === second[index]);
    }
    default:
      return a === b;
  }
}

/**
 * Labels an aggregate can be made of: who gave each, their values for one field, and whether
 * their aggregate by `settleField` is the final value.
 */
interface Basis<Person extends PersonId> {
  people: Person[];
  values: Array<LabelValue | undefined>;
  madeTheFinal: boolean;
}

function basesOf<Person extends PersonId>(
  field: ScoredField,
  policy: FieldPolicy,
  item: SettledItem<Person>,
  finalValue: LabelValue,
): Array<Basis<Person>> {
  const sets: Array<ReadonlyArray<{ person: Person; label: Label }>> = [
    item.labels.filter((entry) => !entry.rejected),
  ];
  if (item.final.votes && item.final.votes.length > 0) sets.push(item.final.votes);
  return sets.map((entries) => {
    const values = entries.map((entry) => fieldValue(field, ownEntry(entry.label, field.id)));
    const aggregate = settleField(field, policy, values).value;
    return {
      people: entries.map((entry) => entry.person),
      values,
      madeTheFinal: aggregate !== undefined && sameFieldValue(field, aggregate, finalValue),
    };
  });
}

function referenceFrom<Person extends PersonId>(
  field: ScoredField,
  policy: FieldPolicy,
  bases: ReadonlyArray<Basis<Person>>,
  person: Person,
  finalValue: LabelValue,
): Reference {
  const setValued = isSetValued(field);
  for (const basis of bases) {
    if (!basis.madeTheFinal) continue;
    const contributes = basis.people.some(
      (member, index) => member === person && (setValued || basis.values[index] !== undefined),
    );
    if (!contributes) continue;
    const others = settleField(
      field,
      policy,
      basis.values.filter((_, index) => basis.people[index] !== person),
    );
    return { kind: "leave-one-out", value: others.disputed ? undefined : others.value };
  }
  return { kind: "final", value: finalValue };
}

/**
 * What an answer is compared with. `final`: the final value itself, which does not rest on the
 * person's label. `leave-one-out`: the final rests on the person's label (below), so what the
 * others' labels settle on by the same rule stands in for it; `value` is undefined when they
 * settle on nothing, and the answer is then not scored.
 */
export type Reference =
  { kind: "final"; value: LabelValue } | { kind: "leave-one-out"; value: LabelValue | undefined };

/**
 * The reference for one person's answer on one field of a settled item.
 *
 * **"Decided"**: the final value of a field rests on a person's label when the person has a
 * value in a set of labels whose aggregate by `settleField` (the rule that settles and
 * suggests, with the project's policy for the field) is the final value (`sameFieldValue`). Two
 * sets are looked at, in this order:
 * 1. the item's independent labels that count (not rejected in review): a consensus is always
 *    their aggregate, and a published label equal to it adopted it (a lead who published the
 *    room's suggestion unchanged is taken to have adopted it, not to have judged it
 *    independently; so is an automatic publication);
 * 2. a published version's recorded votes (each panel member's final position in the room),
 *    when the published label is their aggregate.
 * "Has a value" follows `settleField`: for spans and multiple choice everyone in the set has one
 * (nothing marked is a value), for the other types only those who gave one. A person whose
 * value is part of neither is compared with the final value. Otherwise the first set that
 * matches is taken without every label or vote of theirs, and the reference is what the rest
 * settle on by `settleField`: its aggregate when it does not dispute the field. When the rest
 * dispute it (they disagree under the policy, tie on an option or a span, have no median) or
 * are nobody, they settle on nothing and the answer is not scored (`self-decided`). So no
 * answer is ever compared with a value computed from itself.
 */
export function referenceFor<Person extends PersonId>(
  field: ScoredField,
  policy: FieldPolicy,
  item: SettledItem<Person>,
  person: Person,
  finalValue: LabelValue,
): Reference {
  return referenceFrom(field, policy, basesOf(field, policy, item, finalValue), person, finalValue);
}

/**
 * Each label's answers on a settled item, field by field (scored fields only): per label in the
 * order given, field id → outcome. A field the final label has no value for (a rating left
 * empty, say) is not scored and is left out; for spans and multiple choice an absent value is
 * the empty set, on either side.
 */
export function outcomesAgainstFinal<Person extends PersonId>(
  template: Template,
  policy: DisputePolicy,
  item: SettledItem<Person>,
  options: AccuracyOptions = {},
): Array<{ person: Person; outcomes: Record<string, AnswerOutcome> }> {
  const results = item.labels.map((entry) => ({
    person: entry.person,
    outcomes: {} as Record<string, AnswerOutcome>,
  }));
  for (const field of template.fields) {
    if (!isScoredField(field)) continue;
    const finalValue = fieldValue(field, ownEntry(item.final.label, field.id));
    if (finalValue === undefined) continue;
    const fieldPolicy = ownEntry(policy, field.id) ?? {};
    const bases = basesOf(field, fieldPolicy, item, finalValue);
    item.labels.forEach((entry, index) => {
      const given = fieldValue(field, ownEntry(entry.label, field.id));
      let outcome: AnswerOutcome;
      if (given === undefined) {
        outcome = "wrong";
      } else {
        const reference = referenceFrom(field, fieldPolicy, bases, entry.person, finalValue);
        outcome =
          reference.value === undefined
            ? "self-decided"
            : answerAgrees(field, fieldPolicy, given, reference.value, options)
              ? "correct"
              : "wrong";
      }
      results[index]!.outcomes[field.id] = outcome;
    });
  }
  return results;
}

export interface GoldOptions {
  /** The project's `goldRatingTolerance`: ratings this close to the gold value are correct. */
  ratingTolerance: number;
}

/**
 * A label's answers on a gold item, field by field, scored by `scoreLabelAgainstGold` (the gold
 * accuracy the quality page shows) and made right or wrong by the thresholds the comparison
 * with a final label uses: ratings, preferences and choices are right when they score 1; spans
 * when their F1 (overlap, as gold scoring matches) reaches the policy's `minF1`; rankings when
 * their rescaled tau, (τ + 1)/2, reaches that of `minKendallTau`. Only fields the gold label has
 * a value for are scored. Before scoring, a spans or multiple-choice field the label leaves out
 * is the empty set, as everywhere else (gold scoring alone would count it wrong even where the
 * gold label is empty too).
 */
export function outcomesAgainstGold(
  template: Template,
  policy: DisputePolicy,
  gold: Label,
  label: Label,
  options: GoldOptions,
): Record<string, "correct" | "wrong"> {
  const cleanGold: Label = {};
  const cleanGiven: Label = {};
  for (const field of template.fields) {
    if (!isScoredField(field)) continue;
    const goldEntry = ownEntry(gold, field.id);
    if (goldEntry === undefined || goldEntry === null) continue;
    const goldValue = fieldValue(field, goldEntry);
    if (goldValue === undefined) continue;
    cleanGold[field.id] = goldValue;
    const given = fieldValue(field, ownEntry(label, field.id));
    if (given !== undefined) cleanGiven[field.id] = given;
  }
  const scores = scoreLabelAgainstGold(template, cleanGold, cleanGiven, options);
  const outcomes: Record<string, "correct" | "wrong"> = {};
  for (const field of template.fields) {
    const score = ownEntry(scores, field.id);
    if (score === undefined || !isScoredField(field)) continue;
    const fieldPolicy = ownEntry(policy, field.id) ?? {};
    const needed =
      field.type === "spans"
        ? (fieldPolicy.minF1 ?? defaultFieldPolicy.minF1)
        : field.type === "ranking"
          ? ((fieldPolicy.minKendallTau ?? defaultFieldPolicy.minKendallTau) + 1) / 2
          : 1;
    // Rescaling tau can lose the last bit: (1/3 + 1)/2 against (1/3 + 1)/2 computed elsewhere.
    outcomes[field.id] = Number.isFinite(score) && score >= needed - 1e-12 ? "correct" : "wrong";
  }
  return outcomes;
}

/** A share of answers that are right, with Wilson's 95 % interval. */
export interface AccuracyFigure {
  correct: number;
  scored: number;
  /** correct / scored; null (with the reason) when nothing was scored. */
  value: Estimate<number>;
  /** Wilson's 95 % score interval; null when `value` is. */
  ci: Interval | null;
}

/** Accuracy against final labels: also how many answers were left out as self-decided. */
export interface FinalAccuracyFigure extends AccuracyFigure {
  /** Answers not scored: the final rests on them and the other labels settle on nothing. */
  selfDecided: number;
}

/**
 * The figure for `correct` of `scored` answers. With nothing scored the value is null with
 * `emptyReason`; counts that are not whole numbers with 0 ≤ correct ≤ scored are
 * `invalid-options`.
 */
export function accuracyFigure(
  correct: number,
  scored: number,
  emptyReason: UndefinedReason = "no-data",
): AccuracyFigure {
  const valid =
    Number.isSafeInteger(correct) &&
    Number.isSafeInteger(scored) &&
    correct >= 0 &&
    correct <= scored;
  if (!valid) return { correct, scored, value: notEstimable("invalid-options"), ci: null };
  if (scored === 0) return { correct, scored, value: notEstimable(emptyReason), ci: null };
  return {
    correct,
    scored,
    value: estimated(correct / scored),
    ci: wilsonInterval(correct, scored).value,
  };
}

export function finalAccuracyFigure(
  correct: number,
  scored: number,
  selfDecided: number,
): FinalAccuracyFigure {
  return {
    ...accuracyFigure(correct, scored, selfDecided > 0 ? "self-decided" : "no-data"),
    selfDecided,
  };
}

/** Counts of answers against final labels, which add up across fields, people and groups. */
export interface AnswerCounts {
  correct: number;
  scored: number;
  selfDecided: number;
}

export const noAnswers = (): AnswerCounts => ({ correct: 0, scored: 0, selfDecided: 0 });

export function countOutcome(counts: AnswerCounts, outcome: AnswerOutcome): void {
  if (outcome === "self-decided") {
    counts.selfDecided++;
  } else {
    counts.scored++;
    if (outcome === "correct") counts.correct++;
  }
}

export interface FieldAccuracy extends FinalAccuracyFigure {
  fieldId: string;
}

export interface AnnotatorAccuracy<Person extends PersonId> {
  person: Person;
  /** Every scored field pooled: each answer counts once. */
  overall: FinalAccuracyFigure;
  /** Per scored field, in template order (free-text fields are not listed). */
  fields: FieldAccuracy[];
}

export function compareIds(a: PersonId, b: PersonId): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === "number" ? -1 : 1;
}

/**
 * Each annotator's accuracy against the final labels of settled items, per scored field and
 * overall: of their answers that were scored, the share that agree (`outcomesAgainstFinal`).
 * Annotators are listed by id; everyone with a label on a settled item is listed, with null
 * figures (and the reason) where nothing of theirs could be scored.
 */
export function accuracyAgainstFinal<Person extends PersonId>(
  template: Template,
  policy: DisputePolicy,
  items: ReadonlyArray<SettledItem<Person>>,
  options: AccuracyOptions = {},
): Array<AnnotatorAccuracy<Person>> {
  const scored = template.fields.filter(isScoredField);
  const byPerson = new Map<Person, Map<string, AnswerCounts>>();
  for (const item of items) {
    for (const { person, outcomes } of outcomesAgainstFinal(template, policy, item, options)) {
      let counts = byPerson.get(person);
      if (!counts) {
        counts = new Map(scored.map((field) => [field.id, noAnswers()]));
        byPerson.set(person, counts);
      }
      for (const [fieldId, outcome] of Object.entries(outcomes)) {
        countOutcome(counts.get(fieldId)!, outcome);
      }
    }
  }
  return [...byPerson.entries()]
    .sort(([a], [b]) => compareIds(a, b))
    .map(([person, counts]) => {
      const total = noAnswers();
      const fields = scored.map((field) => {
        const { correct, scored: count, selfDecided } = counts.get(field.id)!;
        total.correct += correct;
        total.scored += count;
        total.selfDecided += selfDecided;
        return { fieldId: field.id, ...finalAccuracyFigure(correct, count, selfDecided) };
      });
      return {
        person,
        overall: finalAccuracyFigure(total.correct, total.scored, total.selfDecided),
        fields,
      };
    });
}
