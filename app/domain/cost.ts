/**
 * What labels cost and what a correct answer costs (docs/decisions/024-quality-and-cost.md).
 * Cost is a person's hourly rate when the work was recorded (decision 034) times the working
 * time the server measured (decision 021): their active time on a label, on an adjudication
 * room, on a review. Money is in whole cents:
 * each piece of work (a label; one person's time on one published version or one review) is
 * rounded to the nearest cent once, halves up, and every total is a sum of those whole cents, so
 * totals add up exactly across people, groups and fields. Pure: data in, counts and `Estimate`s
 * out; no figure is NaN or Infinity, and nothing throws on data it cannot measure.
 */
import {
  accuracyFigure,
  compareIds,
  finalAccuracyFigure,
  isScoredField,
  noAnswers,
  outcomesAgainstFinal,
  outcomesAgainstGold,
  type AccuracyFigure,
  type AccuracyOptions,
  type AnswerCounts,
  type AnswerOutcome,
  type FieldAccuracy,
  type FinalAccuracyFigure,
  type FinalLabel,
  type GoldOptions,
  type IndependentLabel,
  type PersonId,
} from "./accuracy.ts";
import type { DisputePolicy } from "./disputes.ts";
import { estimated, notEstimable, type Estimate, type UndefinedReason } from "./estimate.ts";
import type { Label, Template, TemplateField } from "./template.ts";

export const MS_PER_HOUR = 3_600_000;

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * numerator ÷ denominator rounded to the nearest whole number, halves up, for whole numbers
 * numerator ≥ 0 and denominator > 0 (exact: the remainder decides, not a floating quotient).
 */
export function roundedQuotient(numerator: number, denominator: number): number {
  let quotient = Math.floor(numerator / denominator);
  let remainder = numerator - quotient * denominator;
  // The floating quotient of two large integers can be one off either way.
  if (remainder < 0) {
    quotient -= 1;
    remainder += denominator;
  } else if (remainder >= denominator) {
    quotient += 1;
    remainder -= denominator;
  }
  return 2 * remainder >= denominator ? quotient + 1 : quotient;
}

/**
 * The cost of one piece of work in whole cents: rate (cents per hour) × active time (ms) ÷
 * 3,600,000, rounded to the nearest cent, halves up. `no-time` when no time was measured (null,
 * or not a whole number ≥ 0), else `missing-rate` when the person has no rate (likewise): a
 * missing time is reported first, since no rate would give it a cost. A rate of 0 costs 0.
 */
export function workCostCents(
  rateCentsPerHour: number | null | undefined,
  activeMs: number | null | undefined,
): Estimate<number> {
  if (!isCount(activeMs)) return notEstimable("no-time");
  if (!isCount(rateCentsPerHour)) return notEstimable("missing-rate");
  const product = rateCentsPerHour * activeMs;
  if (Number.isSafeInteger(product)) return estimated(roundedQuotient(product, MS_PER_HOUR));
  const hour = BigInt(MS_PER_HOUR);
  const cents = Number((2n * BigInt(rateCentsPerHour) * BigInt(activeMs) + hour) / (2n * hour));
  return Number.isSafeInteger(cents) ? estimated(cents) : notEstimable("invalid-options");
}

/**
 * Whole cents split into `parts` whole shares that add up to them exactly: each share is the
 * quotient, and the remainder goes one cent each to the first shares (template order, for
 * fields). Empty for a count of parts that is not a whole number > 0 or cents that are not a
 * whole number ≥ 0.
 */
export function splitCents(cents: number, parts: number): number[] {
  if (!(Number.isSafeInteger(parts) && parts > 0) || !isCount(cents)) return [];
  const share = Math.floor(cents / parts);
  const rest = cents - share * parts;
  return Array.from({ length: parts }, (_, index) => share + (index < rest ? 1 : 0));
}

/**
 * The hourly rate in cents a piece of work was recorded at (decision 034): the person's rate when
 * they submitted the label, when the version was published, when the review was decided. Absent
 * or null (they had no rate then, or the label was imported): their rate now, so that a rate set
 * late still costs the work done before it.
 */
interface RecordedRate {
  rateCentsPerHour?: number | null;
}

/** One person's measured time on a piece of work; null where none was measured. */
export interface PersonTime<Person extends PersonId> extends RecordedRate {
  person: Person;
  activeMs: number | null;
}

export interface CostedLabel<Person extends PersonId>
  extends IndependentLabel<Person>, RecordedRate {
  /** The working time the server measured (`annotations.active_ms`); null for imports. */
  activeMs: number | null;
}

export interface CostedItem<Person extends PersonId> {
  /** Every label given on the item: rejected ones too (flagged), since they were paid for. */
  labels: ReadonlyArray<CostedLabel<Person>>;
  /** A gold item's label; its labels are judged against it. */
  gold?: Label | null;
  /**
   * A settled item's final label (ignored on a gold item): its consensus, or its latest
   * published version. Only `published` items count in the cost per published item.
   */
  final?: (FinalLabel<Person> & { source: "consensus" | "published" }) | null;
  /**
   * Every published version's adjudication work: each panel member's time on the room
   * (`adjudication_time`); `panel` null for a version that kept only a wall-clock time.
   */
  versions?: ReadonlyArray<{ panel: ReadonlyArray<PersonTime<Person>> | null }>;
  /**
   * Decided reviews of the item's labels: each person's time on the review (`review_time`);
   * `people` null for a review decided before time was measured per person.
   */
  reviews?: ReadonlyArray<{ people: ReadonlyArray<PersonTime<Person>> | null }>;
}

export interface EconomicsInput<Person extends PersonId> {
  template: Template;
  policy: DisputePolicy;
  /**
   * Hourly rates in cents now (`users.hourly_rate_cents`), one entry per person; absent is none.
   * They cost the work that recorded no rate of its own.
   */
  rates: ReadonlyArray<{ person: Person; rateCentsPerHour: number | null }>;
  items: ReadonlyArray<CostedItem<Person>>;
  accuracy?: AccuracyOptions;
  gold: GoldOptions;
  /**
   * The outcomes of a settled item's labels against its final label, for a caller that keeps
   * them per item between computations (the same template, policy and options): exactly what
   * `outcomesAgainstFinal` gives, which is used when this is absent.
   */
  againstFinal?: (
    item: CostedItem<Person>,
    judge: () => Array<Record<string, AnswerOutcome>>,
  ) => Array<Record<string, AnswerOutcome>>;
}

/**
 * Counts behind the figures. Every entry is a count or a sum, so the tallies of people add up
 * to those of a group or of the whole project, and the figures are then derived from the sums
 * (`figuresOf`), never averaged.
 */
export interface Tally {
  /** Labels given: on any item, gold answers and labels rejected in review included. */
  labels: number;
  /** Labels with a measured time, and that time. */
  timedLabels: number;
  activeMs: number;
  /** Cost of the labels that have one. */
  labelCostCents: number;
  /** Measured time on adjudication rooms of published versions, and its cost. */
  panelMs: number;
  panelCostCents: number;
  /** Measured time on decided reviews, and its cost. */
  reviewMs: number;
  reviewCostCents: number;
  /** Pieces of work (labels; one person's time on a version or a review) with a cost. */
  costedWork: number;
  /** Pieces of work without a cost: no measured time; a measured time but no rate. */
  workWithoutTime: number;
  workWithoutRate: number;
  /** Answers against the final labels of settled items (see accuracy.ts). */
  finalCorrect: number;
  finalScored: number;
  selfDecided: number;
  /** Answers on gold items. */
  goldCorrect: number;
  goldScored: number;
  /**
   * Labels on judged items (settled, or gold) and the part of them that has a cost: their cost
   * and their answers. Cost per correct answer divides the one by the other.
   */
  judgedLabels: number;
  judgedCostedLabels: number;
  judgedWithoutRate: number;
  judgedCostCents: number;
  judgedCorrect: number;
  judgedScored: number;
  judgedSelfDecided: number;
}

export function emptyTally(): Tally {
  return {
    labels: 0,
    timedLabels: 0,
    activeMs: 0,
    labelCostCents: 0,
    panelMs: 0,
    panelCostCents: 0,
    reviewMs: 0,
    reviewCostCents: 0,
    costedWork: 0,
    workWithoutTime: 0,
    workWithoutRate: 0,
    finalCorrect: 0,
    finalScored: 0,
    selfDecided: 0,
    goldCorrect: 0,
    goldScored: 0,
    judgedLabels: 0,
    judgedCostedLabels: 0,
    judgedWithoutRate: 0,
    judgedCostCents: 0,
    judgedCorrect: 0,
    judgedScored: 0,
    judgedSelfDecided: 0,
  };
}

const tallyKeys = Object.keys(emptyTally()) as Array<keyof Tally>;

/** The sum of tallies, entry by entry. */
export function addTallies(tallies: ReadonlyArray<Tally>): Tally {
  const sum = emptyTally();
  for (const tally of tallies) for (const key of tallyKeys) sum[key] += tally[key];
  return sum;
}

/** The figures a person, a group or the project is judged by, all derived from a tally. */
export interface Figures {
  labels: number;
  /** Measured labelling time. */
  activeMs: number;
  /**
   * All the work's cost in cents: labels, adjudication and review, over the pieces that have a
   * cost (the tally counts those that have none). Null when no piece has one: `no-data` without
   * work, `missing-rate` when some had a time but no rate, else `no-time`.
   */
  costCents: Estimate<number>;
  accuracyVsFinal: FinalAccuracyFigure;
  goldAccuracy: AccuracyFigure;
  /**
   * Cost per correct answer, in cents to the hundredth (halves up): the cost of the labels on
   * judged items (settled or gold) that have a cost, divided by how many of their answers are
   * correct. Not whole cents: quick answers cost fractions of a cent each, and 6 ¢ over 15
   * correct answers would read as nothing.
   */
  costPerCorrectCents: Estimate<number>;
}

function uncostedReason(pieces: number, withoutRate: number): UndefinedReason {
  if (pieces === 0) return "no-data";
  return withoutRate > 0 ? "missing-rate" : "no-time";
}

function costPerCorrect(
  costCents: number,
  correct: number,
  scored: number,
  selfDecided: number,
  whole: Pick<Tally, "judgedLabels" | "judgedCostedLabels" | "judgedWithoutRate">,
): Estimate<number> {
  if (whole.judgedCostedLabels === 0) {
    return notEstimable(uncostedReason(whole.judgedLabels, whole.judgedWithoutRate));
  }
  if (correct === 0) {
    return notEstimable(scored > 0 ? "no-correct" : selfDecided > 0 ? "self-decided" : "no-data");
  }
  return estimated(roundedQuotient(costCents * 100, correct) / 100);
}

export function figuresOf(tally: Tally): Figures {
  const pieces = tally.costedWork + tally.workWithoutTime + tally.workWithoutRate;
  return {
    labels: tally.labels,
    activeMs: tally.activeMs,
    costCents:
      tally.costedWork > 0
        ? estimated(tally.labelCostCents + tally.panelCostCents + tally.reviewCostCents)
        : notEstimable(uncostedReason(pieces, tally.workWithoutRate)),
    accuracyVsFinal: finalAccuracyFigure(tally.finalCorrect, tally.finalScored, tally.selfDecided),
    goldAccuracy: accuracyFigure(tally.goldCorrect, tally.goldScored),
    costPerCorrectCents: costPerCorrect(
      tally.judgedCostCents,
      tally.judgedCorrect,
      tally.judgedScored,
      tally.judgedSelfDecided,
      tally,
    ),
  };
}

export interface PersonEconomics<Person extends PersonId> extends Figures {
  person: Person;
  rateCentsPerHour: number | null;
  tally: Tally;
  /** Accuracy against final labels per scored field, in template order. */
  fields: FieldAccuracy[];
}

/** Sums and means over the published items whose every piece of work has a cost. */
export interface PublishedItemCosts {
  /** Items with a published final label, and those of them whose whole cost is known. */
  items: number;
  costedItems: number;
  /** Sums over the costed items, in cents. */
  sums: { labelsCents: number; adjudicationCents: number; reviewCents: number; totalCents: number };
  /** Means per costed item, each rounded to the nearest cent (so they may not add up by a cent). */
  means: {
    labelsCents: Estimate<number>;
    adjudicationCents: Estimate<number>;
    reviewCents: Estimate<number>;
    totalCents: Estimate<number>;
  };
}

export interface FieldEconomics {
  fieldId: string;
  type: TemplateField["type"];
  /**
   * The field's share of a published item's cost, on average: the costed published items' total
   * split evenly over the template's fields (`splitCents`), divided by their number.
   */
  perPublishedItemCents: Estimate<number>;
  /** Everyone's answers on this field, pooled. */
  accuracyVsFinal: FinalAccuracyFigure;
  goldAccuracy: AccuracyFigure;
  /**
   * The field's even share of the judged labels' cost divided by its correct answers; free-text
   * fields are `not-scored`.
   */
  costPerCorrectCents: Estimate<number>;
}

export interface ProjectEconomics<Person extends PersonId> {
  /** Everyone who gave a label or worked on a room or review, by id. */
  people: Array<PersonEconomics<Person>>;
  /** The whole project: the sum of everyone's tally. */
  whole: Figures & { tally: Tally };
  publishedItems: PublishedItemCosts;
  /** Per template field, in template order. */
  fields: FieldEconomics[];
  /**
   * Work nobody's time was measured on, so it is in no one's tally: versions that kept only a
   * wall-clock time, reviews decided before per-person time (decision 021).
   */
  unmeasured: { versions: number; reviews: number };
}

interface FieldTally {
  final: AnswerCounts;
  goldCorrect: number;
  goldScored: number;
  judged: AnswerCounts;
}

/** Whether all of an item's pieces of one kind have a cost, and their sum. */
interface ComponentCost {
  cents: number;
  withoutTime: number;
  withoutRate: number;
}

const noComponent = (): ComponentCost => ({ cents: 0, withoutTime: 0, withoutRate: 0 });

/** Adds an outcome to counts (`sign` 1) or takes it away (−1). */
function countSigned(counts: AnswerCounts, outcome: AnswerOutcome, sign: 1 | -1): void {
  if (outcome === "self-decided") {
    counts.selfDecided += sign;
  } else {
    counts.scored += sign;
    if (outcome === "correct") counts.correct += sign;
  }
}

/**
 * The sums `projectEconomics` derives its figures from, all whole numbers (counts, milliseconds,
 * cents), kept with a computation for the next one to patch item by item: taking an item away
 * and adding it back leaves them as they were, so patched sums are those of counting anew.
 * They belong to one computation at a time.
 */
export class EconomicsTallies<Person extends PersonId> {
  /** The options and rates the items were counted under; other ones count anew. */
  basis: string | undefined;
  /** Per person: their tally, their answers per scored field, and their pieces of work. */
  readonly people = new Map<Person, { tally: Tally; answers: AnswerCounts[]; pieces: number }>();
  /** Per template field, in template order. */
  fields: FieldTally[] = [];
  readonly unmeasured = { versions: 0, reviews: 0 };
  readonly published = {
    items: 0,
    costedItems: 0,
    withoutRate: 0,
    labelsCents: 0,
    adjudicationCents: 0,
    reviewCents: 0,
  };

  reset(basis: string, fields: number): void {
    this.basis = basis;
    this.people.clear();
    this.fields = Array.from({ length: fields }, () => ({
      final: noAnswers(),
      goldCorrect: 0,
      goldScored: 0,
      judged: noAnswers(),
    }));
    this.unmeasured.versions = 0;
    this.unmeasured.reviews = 0;
    for (const key of Object.keys(this.published) as Array<keyof typeof this.published>) {
      this.published[key] = 0;
    }
  }
}

/**
 * A project's quality economics from its items: each person's tally and figures, the whole
 * project's, the cost per published item and per field.
 *
 * - A label's answers are judged on a gold item against its gold label (`outcomesAgainstGold`),
 *   on a settled item against its final label with leave-one-out (`outcomesAgainstFinal`);
 *   labels of items still open are costed but not judged.
 * - Each piece of work costs `workCostCents` and is charged to the person who did it: labels to
 *   their annotator, adjudication to each panel member by their own time, reviews to each
 *   reviewer. A piece without a cost is counted apart (`workWithoutTime`, `workWithoutRate`).
 * - A published item's cost is that of its labels (rejected ones too), all its versions'
 *   adjudication and its reviews; an item with any piece uncosted is left out of the means and
 *   counted apart (`items` − `costedItems`).
 * - A label's cost is split evenly over the template's fields, free text included: time is not
 *   measured per field, and a critique is paid for whether or not it can be scored.
 */
export function projectEconomics<Person extends PersonId>(
  input: EconomicsInput<Person> & {
    /**
     * Sums kept from an earlier computation, brought to these items by taking away what each
     * changed item added (`before`) and adding what it adds now (`after`), unless they were
     * counted under other options or rates; without `changed`, every item is counted anew.
     */
    tallies?: EconomicsTallies<Person>;
    changed?: Iterable<{ before?: CostedItem<Person>; after?: CostedItem<Person> }>;
  },
): ProjectEconomics<Person> {
  const { template, policy, items } = input;
  const againstFinal = input.againstFinal ?? ((_item, judge) => judge());
  const rates = new Map<Person, number | null>();
  for (const { person, rateCentsPerHour } of input.rates) {
    if (!rates.has(person)) rates.set(person, rateCentsPerHour);
  }
  const scoredFields = template.fields.filter(isScoredField);
  const fieldIndex = new Map(template.fields.map((field, index) => [field.id, index]));
  const scoredIndex = new Map(scoredFields.map((field, index) => [field.id, index]));
  const counted = input.tallies ?? new EconomicsTallies<Person>();
  const ratesInOrder = [...rates].sort(([a], [b]) => compareIds(a, b));
  const basis = JSON.stringify([
    template,
    policy,
    ratesInOrder,
    input.gold,
    input.accuracy ?? null,
  ]);
  const { changed } = input;
  const patching = changed !== undefined && counted.basis === basis;
  if (!patching) counted.reset(basis, template.fields.length);
  const { people: tallies, fields: fieldTallies, unmeasured, published } = counted;
  const tallyOf = (person: Person) => {
    let entry = tallies.get(person);
    if (!entry) {
      entry = { tally: emptyTally(), answers: scoredFields.map(noAnswers), pieces: 0 };
      tallies.set(person, entry);
    }
    return entry;
  };

  /** Charges one piece of work to its person; returns its cost in cents, or null for none. */
  const charge = (
    { person, activeMs, rateCentsPerHour }: PersonTime<Person>,
    component: ComponentCost,
    sign: 1 | -1,
    book: (tally: Tally, ms: number, cents: number | null) => void,
  ): number | null => {
    const entry = tallyOf(person);
    entry.pieces += sign;
    const { tally } = entry;
    const cost = workCostCents(rateCentsPerHour ?? rates.get(person) ?? null, activeMs);
    book(tally, isCount(activeMs) ? sign * activeMs : 0, cost.value);
    if (cost.value !== null) {
      tally.costedWork += sign;
      component.cents += cost.value;
    } else if (cost.reason === "no-time") {
      tally.workWithoutTime += sign;
      component.withoutTime++;
    } else {
      tally.workWithoutRate += sign;
      component.withoutRate++;
    }
    return cost.value;
  };

  /** Adds what an item adds to every sum (`sign` 1), or takes it away (−1). */
  const countItem = (item: CostedItem<Person>, sign: 1 | -1) => {
    const gold = item.gold ?? null;
    const final = gold === null ? (item.final ?? null) : null;
    const labelsCost = noComponent();
    const answers: Array<Record<string, "correct" | "wrong" | "self-decided"> | null> =
      gold !== null
        ? item.labels.map((entry) =>
            outcomesAgainstGold(template, policy, gold, entry.label, input.gold),
          )
        : final !== null
          ? againstFinal(item, () =>
              outcomesAgainstFinal(
                template,
                policy,
                { labels: item.labels, final },
                input.accuracy,
              ).map((entry) => entry.outcomes),
            )
          : item.labels.map(() => null);

    item.labels.forEach((entry, index) => {
      const cents = charge(entry, labelsCost, sign, (tally, ms, cents) => {
        tally.labels += sign;
        if (isCount(entry.activeMs)) {
          tally.timedLabels += sign;
          tally.activeMs += ms;
        }
        if (cents !== null) tally.labelCostCents += sign * cents;
      });
      const outcomes = answers[index];
      if (!outcomes) return;
      const person = tallyOf(entry.person);
      const { tally } = person;
      tally.judgedLabels += sign;
      if (cents !== null) {
        tally.judgedCostedLabels += sign;
        tally.judgedCostCents += sign * cents;
      } else if (isCount(entry.activeMs)) {
        tally.judgedWithoutRate += sign;
      }
      let correct = 0;
      let scored = 0;
      let selfDecided = 0;
      // Half a million labels in a large project: no array of entries per label.
      for (const fieldId in outcomes) {
        const outcome = outcomes[fieldId]!;
        const fieldTally = fieldTallies[fieldIndex.get(fieldId)!]!;
        const right = outcome === "correct" ? sign : 0;
        if (gold !== null) {
          tally.goldScored += sign;
          fieldTally.goldScored += sign;
          tally.goldCorrect += right;
          fieldTally.goldCorrect += right;
        } else {
          countSigned(fieldTally.final, outcome, sign);
          countSigned(person.answers[scoredIndex.get(fieldId)!]!, outcome, sign);
        }
        if (outcome === "self-decided") selfDecided += sign;
        else {
          scored += sign;
          correct += right;
        }
        if (cents !== null) countSigned(fieldTally.judged, outcome, sign);
      }
      if (gold === null) {
        tally.finalCorrect += correct;
        tally.finalScored += scored;
        tally.selfDecided += selfDecided;
      }
      if (cents !== null) {
        tally.judgedCorrect += correct;
        tally.judgedScored += scored;
        tally.judgedSelfDecided += selfDecided;
      }
    });

    const adjudicationCost = noComponent();
    for (const version of item.versions ?? []) {
      if (version.panel === null) {
        unmeasured.versions += sign;
        adjudicationCost.withoutTime++;
        continue;
      }
      for (const member of version.panel) {
        charge(member, adjudicationCost, sign, (tally, ms, cents) => {
          tally.panelMs += ms;
          if (cents !== null) tally.panelCostCents += sign * cents;
        });
      }
    }
    const reviewCost = noComponent();
    for (const review of item.reviews ?? []) {
      if (review.people === null) {
        unmeasured.reviews += sign;
        reviewCost.withoutTime++;
        continue;
      }
      for (const member of review.people) {
        charge(member, reviewCost, sign, (tally, ms, cents) => {
          tally.reviewMs += ms;
          if (cents !== null) tally.reviewCostCents += sign * cents;
        });
      }
    }

    if (final?.source === "published") {
      published.items += sign;
      const parts = [labelsCost, adjudicationCost, reviewCost];
      if (parts.every((part) => part.withoutTime === 0 && part.withoutRate === 0)) {
        published.costedItems += sign;
        published.labelsCents += sign * labelsCost.cents;
        published.adjudicationCents += sign * adjudicationCost.cents;
        published.reviewCents += sign * reviewCost.cents;
      } else if (parts.some((part) => part.withoutRate > 0)) {
        published.withoutRate += sign;
      }
    }
  };

  if (patching) {
    for (const { before, after } of changed) {
      if (before) countItem(before, -1);
      if (after) countItem(after, 1);
    }
    // Someone none of whose work is left is no longer listed, as counting anew would not.
    for (const [person, entry] of tallies) if (entry.pieces === 0) tallies.delete(person);
  } else {
    for (const item of items) countItem(item, 1);
  }

  // Copies: the sums go on to the next computation, these figures stay as they are.
  const people = [...tallies.entries()]
    .sort(([a], [b]) => compareIds(a, b))
    .map(([person, { tally, answers }]): PersonEconomics<Person> => ({
      person,
      rateCentsPerHour: rates.get(person) ?? null,
      ...figuresOf(tally),
      tally: { ...tally },
      fields: scoredFields.map((field, index) => {
        const { correct, scored, selfDecided } = answers[index]!;
        return { fieldId: field.id, ...finalAccuracyFigure(correct, scored, selfDecided) };
      }),
    }));
  const whole = addTallies(people.map((entry) => entry.tally));

  const publishedTotal =
    published.labelsCents + published.adjudicationCents + published.reviewCents;
  const publishedReason = uncostedReason(published.items, published.withoutRate);
  const mean = (cents: number): Estimate<number> =>
    published.costedItems === 0
      ? notEstimable(publishedReason)
      : estimated(roundedQuotient(cents, published.costedItems));
  const publishedShares = splitCents(publishedTotal, template.fields.length);
  const judgedShares = splitCents(whole.judgedCostCents, template.fields.length);

  return {
    people,
    whole: { ...figuresOf(whole), tally: whole },
    publishedItems: {
      items: published.items,
      costedItems: published.costedItems,
      sums: {
        labelsCents: published.labelsCents,
        adjudicationCents: published.adjudicationCents,
        reviewCents: published.reviewCents,
        totalCents: publishedTotal,
      },
      means: {
        labelsCents: mean(published.labelsCents),
        adjudicationCents: mean(published.adjudicationCents),
        reviewCents: mean(published.reviewCents),
        totalCents: mean(publishedTotal),
      },
    },
    fields: template.fields.map((field, index) => {
      const tally = fieldTallies[index]!;
      return {
        fieldId: field.id,
        type: field.type,
        perPublishedItemCents: mean(publishedShares[index] ?? 0),
        accuracyVsFinal: finalAccuracyFigure(
          tally.final.correct,
          tally.final.scored,
          tally.final.selfDecided,
        ),
        goldAccuracy: accuracyFigure(tally.goldCorrect, tally.goldScored),
        costPerCorrectCents: isScoredField(field)
          ? costPerCorrect(
              judgedShares[index] ?? 0,
              tally.judged.correct,
              tally.judged.scored,
              tally.judged.selfDecided,
              whole,
            )
          : notEstimable("not-scored"),
      };
    }),
    unmeasured: { ...unmeasured },
  };
}

/** A person's tally with what groups them: their level and their domains. */
export interface GroupMember {
  tally: Tally;
  level: string | null;
  domains: ReadonlyArray<string>;
}

export interface GroupEconomics extends Figures {
  /** The level or domain; null for the people without one. */
  key: string | null;
  /** People in the group. */
  people: number;
  tally: Tally;
}

function groupsOf(
  members: ReadonlyArray<GroupMember>,
  keysOf: (member: GroupMember) => Array<string | null>,
): GroupEconomics[] {
  const groups = new Map<string | null, Tally[]>();
  for (const member of members) {
    for (const key of keysOf(member)) groups.set(key, [...(groups.get(key) ?? []), member.tally]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([key, tallies]) => {
      const tally = addTallies(tallies);
      return { key, people: tallies.length, ...figuresOf(tally), tally };
    });
}

/**
 * Rolls people's tallies up by level and by domain, summing counts and deriving each group's
 * figures from the sums (a group's accuracy is its correct answers over its scored answers, not
 * a mean of its members' accuracies). By level every person is in exactly one group (null: no
 * level, such as a lead), so the groups add up to the whole. By domain a person is in the group
 * of each of their domains (null: none), so a person with two domains counts in both and the
 * domain groups overlap.
 */
export function rollUp(members: ReadonlyArray<GroupMember>): {
  byLevel: GroupEconomics[];
  byDomain: GroupEconomics[];
} {
  return {
    byLevel: groupsOf(members, (member) => [member.level]),
    byDomain: groupsOf(members, (member) =>
      member.domains.length === 0 ? [null] : [...new Set(member.domains)],
    ),
  };
}
