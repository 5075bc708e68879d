import { fieldValue } from "../../app/domain/accuracy.ts";
import {
  AgreementCounts,
  answerSetKey,
  kendallW,
  krippendorffAlphaIntervalOfCounts,
  krippendorffAlphaOfCounts,
  masiAlphaOfCounts,
  rankingScores,
  type AlphaLevel,
  type KappaWeights,
} from "../../app/domain/agreement.ts";
import {
  estimated,
  notEstimable,
  type Estimate,
  type UndefinedReason,
} from "../../app/domain/estimate.ts";
import { meanPairwiseSpanF1, type SpanMatch } from "../../app/domain/spans.ts";
import {
  ownEntry,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "../../app/domain/template.ts";
import type { QualityLabel } from "./quality-economics.ts";

/**
 * What a field's agreement was measured by: Krippendorff's alpha over its values (`alpha`), over
 * sets of options with the MASI distance (`alpha-masi`), over the ranks each response got
 * (`alpha-ranks`, with Kendall's W per item beside it), or the mean pairwise F1 of span sets
 * (`span-f1`), for which alpha, its interval and the kappas are not defined.
 */
export type AgreementMetric = "alpha" | "alpha-masi" | "alpha-ranks" | "span-f1";

export interface KappaPair {
  a: number;
  b: number;
  /** Items both gave a value on: for rankings, items both ranked (their kappas are over ranks). */
  items: number;
  unweighted: Estimate<number>;
  linear: Estimate<number>;
  quadratic: Estimate<number>;
}

export interface FieldAgreement {
  fieldId: string;
  metric: AgreementMetric;
  level: AlphaLevel | null;
  alpha: Estimate<number>;
  /** Krippendorff's bootstrap 95 % interval (decision 019): seeded, so the same on every call. */
  alphaCi: Estimate<[number, number]>;
  /** Over the items with all `overlap` labels, the estimator needing as many raters everywhere. */
  fleissKappa: Estimate<number>;
  /** Every pair of annotators who labelled a unit in common. */
  cohenKappa: KappaPair[];
  /** Items with at least two values for the field. */
  items: number;
  /** Rankings: the mean of Kendall's W over the items two or more people ranked. */
  kendallW?: Estimate<number>;
  /** Spans: the mean over items of the mean pairwise F1, in either matching mode. */
  spanF1?: { exact: Estimate<number>; overlap: Estimate<number> };
}

type Category = string | number;

/**
 * A unit of reliability data: who gave which value. Its values as a list and its people in order
 * are worked out once, when first asked for: a unit kept with its item's rows serves every
 * computation until the item changes. Nothing is set once they are asked for.
 */
class Unit<Value> extends Map<number, Value> {
  #list: Value[] | undefined;
  #byPerson: { people: number[]; values: Value[] } | undefined;

  /** The values in the order they were given. */
  list(): Value[] {
    return (this.#list ??= [...this.values()]);
  }

  /** The people in increasing order, and their values in that order. */
  byPerson(): { people: number[]; values: Value[] } {
    if (!this.#byPerson) {
      const people = [...this.keys()].sort((x, y) => x - y);
      this.#byPerson = { people, values: people.map((person) => this.get(person)!) };
    }
    return this.#byPerson;
  }
}

/** Why nothing is pairable, as the agreement functions say it: by how many people gave values. */
function unpairableReason(people: number): UndefinedReason {
  return people === 0 ? "no-data" : people === 1 ? "single-annotator" : "no-overlap";
}

const otherMetric = <Value>(): Estimate<Value> => notEstimable("other-metric");

function meanOf(values: number[], emptyReason: UndefinedReason): Estimate<number> {
  return values.length === 0
    ? notEstimable(emptyReason)
    : estimated(values.reduce((sum, value) => sum + value, 0) / values.length);
}

/**
 * Alpha alone per field that it is measured for (not spans), exactly as `fieldAgreements` gives
 * it, without the interval and kappas, over the labels of the items given: for series that need
 * many alphas over parts of the data. Counted from each item's units as kept with its labels
 * (the units agreement and Dawid–Skene are computed from).
 */
export function fieldAlphasOfItems(
  template: Template,
  items: Iterable<ItemLabels>,
): Array<{ fieldId: string; alpha: Estimate<number> }> {
  const tallies = new AlphaTallies(template);
  for (const entry of items) tallies.change(entry, 1);
  return tallies.alphas();
}

/**
 * Alpha's counts per scored field (not spans) over a set of items, to which an item's labels
 * can be added and from which they can be taken away again: whole numbers (decision 033), so
 * the figures are the same however the set was reached.
 */
export class AlphaTallies {
  readonly #fields: TemplateField[];
  readonly #token: object;
  readonly #counts: Array<FieldCounts | null>;

  constructor(template: Template) {
    this.#fields = scoredFields(template);
    this.#token = fieldsToken(this.#fields);
    this.#counts = this.#fields.map((field) =>
      field.type === "spans" ? null : new FieldCounts(field, true),
    );
  }

  change(entry: ItemLabels, sign: 1 | -1): void {
    const units = unitsOfEntry(this.#fields, this.#token, entry);
    for (let index = 0; index < this.#fields.length; index++) {
      const unit = units[index];
      if (unit) this.#counts[index]?.change(unit.item, unit.unit, sign);
    }
  }

  alphas(): Array<{ fieldId: string; alpha: Estimate<number> }> {
    return this.#counts.flatMap((counted) => {
      if (counted === null) return [];
      const { field } = counted;
      let alpha: Estimate<number>;
      if (counted.counts.units === 0) alpha = notEstimable(unpairableReason(counted.people.size));
      else if (field.type === "choice" && field.multiple) {
        alpha = masiAlphaOfCounts(counted.counts as AgreementCounts<ReadonlyArray<Category>>);
      } else {
        alpha = krippendorffAlphaOfCounts(
          counted.counts as AgreementCounts<Category>,
          alphaLevelOf(field),
        );
      }
      return [{ fieldId: field.id, alpha }];
    });
  }
}

/** The level alpha is measured at for a field that is not multiple choice or spans. */
function alphaLevelOf(field: TemplateField): AlphaLevel {
  return field.type === "rating" ? field.level : field.type === "choice" ? "nominal" : "ordinal";
}

/** The fields agreement is measured on: all but free text. */
const scoredFields = (template: Template) =>
  template.fields.filter((field) => field.type !== "text" && field.type !== "rewrite");

/**
 * Inter-annotator agreement per scored field, over the labels that count (not rejected in
 * review) of items that are not gold, as the quality page has always measured it. For spans and
 * multiple choice a label without the field is the empty set (decision 018), so every label
 * has a value; for the other types only those who gave one.
 */
export function fieldAgreements(
  project: { template: Template; overlap: number },
  labels: ReadonlyArray<QualityLabel>,
): FieldAgreement[] {
  return fieldAgreementsOfItems(project, itemsOfLabels(labels));
}

/** Labels grouped by item, each item's in the order given, for what reads items' labels. */
export function itemsOfLabels(labels: ReadonlyArray<QualityLabel>): ItemLabels[] {
  const byItem = new Map<number, { labels: QualityLabel[]; labelIds: number[] }>();
  for (const entry of labels) {
    let item = byItem.get(entry.itemId);
    if (!item) {
      item = { labels: [], labelIds: [] };
      byItem.set(entry.itemId, item);
    }
    item.labels.push(entry);
  }
  return [...byItem.values()];
}

/** One item's labels, in the order of their ids, with those ids. */
export interface ItemLabels {
  labels: ReadonlyArray<QualityLabel>;
  labelIds: ReadonlyArray<number>;
}

/** A field's values on one item, by person, in the order of their labels. */
interface ItemUnit {
  item: number;
  unit: Unit<unknown>;
}

/**
 * Each item's units per scored field, under the fields they were built for: an item kept
 * between two computations is the same object, and only the items read again are built anew.
 */
const unitsOfItem = new WeakMap<ItemLabels, { fields: object; units: Array<ItemUnit | null> }>();

/** One object per serialised list of fields, so that comparing them is comparing references. */
const fieldsTokens = new Map<string, object>();
const FIELDS_TOKENS = 16;

function fieldsToken(fields: ReadonlyArray<TemplateField>): object {
  const key = JSON.stringify(fields);
  const token = fieldsTokens.get(key) ?? {};
  fieldsTokens.delete(key);
  fieldsTokens.set(key, token);
  for (const oldest of fieldsTokens.keys()) {
    if (fieldsTokens.size <= FIELDS_TOKENS) break;
    fieldsTokens.delete(oldest);
  }
  return token;
}

/** An item's unit per field, built as `unitsOf` builds it from the item's labels. */
function itemUnits(
  fields: ReadonlyArray<TemplateField>,
  { labels }: ItemLabels,
): Array<ItemUnit | null> {
  return fields.map((field) => {
    let found: ItemUnit | null = null;
    for (const entry of labels) {
      if (entry.goldLabel !== null || entry.rejected) continue;
      const value = fieldValue(field, ownEntry(entry.label, field.id));
      if (value === undefined) continue;
      found ??= { item: entry.itemId, unit: new Unit() };
      found.unit.set(entry.userId, value);
    }
    return found;
  });
}

function unitsOfEntry(
  fields: ReadonlyArray<TemplateField>,
  token: object,
  entry: ItemLabels,
): Array<ItemUnit | null> {
  let kept = unitsOfItem.get(entry);
  if (kept?.fields !== token) {
    kept = { fields: token, units: itemUnits(fields, entry) };
    unitsOfItem.set(entry, kept);
  }
  return kept.units;
}

/**
 * The scored fields of a template, and for any item the unit each of them has on it (null where
 * nobody gave the field a value), kept with the item's labels as agreement keeps them.
 */
export function scoredFieldUnits(template: Template): {
  fields: TemplateField[];
  unitsOf: (entry: ItemLabels) => ReadonlyArray<{
    item: number;
    unit: { readonly size: number; byPerson(): { people: number[]; values: unknown[] } };
  } | null>;
} {
  const fields = scoredFields(template);
  const token = fieldsToken(fields);
  return { fields, unitsOf: (entry) => unitsOfEntry(fields, token, entry) };
}

/** A ranking's units: one per response, each person's value the rank they gave it. */
function rankUnits(unit: Unit<unknown>): Array<{ people: number[]; ranks: number[] }> {
  const byResponse = new Map<string, { people: number[]; ranks: number[] }>();
  const { people, values } = unit.byPerson();
  people.forEach((person, index) => {
    (values[index] as string[]).forEach((responseId, position) => {
      let response = byResponse.get(responseId);
      if (!response) {
        response = { people: [], ranks: [] };
        byResponse.set(responseId, response);
      }
      response.people.push(person);
      response.ranks.push(position + 1);
    });
  });
  return [...byResponse.values()];
}

/** The pairs of people (lower id first) whose rankings of an item have a response in common. */
function pairsRankingTogether(unit: Unit<unknown>): Array<[number, number]> {
  const { people, values } = unit.byPerson();
  const rankings = values as string[][];
  const ranked = rankings.map((ranking) => new Set(ranking));
  const pairs: Array<[number, number]> = [];
  for (let first = 0; first < people.length; first++) {
    for (let second = first + 1; second < people.length; second++) {
      if (rankings[second]!.some((responseId) => ranked[first]!.has(responseId))) {
        pairs.push([people[first]!, people[second]!]);
      }
    }
  }
  return pairs;
}

/** What is kept per item beside the counts: its Kendall's W, or its spans' mean pairwise F1. */
type ItemFigure = Estimate<number> | { exact: number | null; overlap: number | null };

/**
 * One field's agreement counts over a set of items, with what each person gave and the figures
 * kept per item, all of it changed a unit at a time (decision 033).
 */
class FieldCounts {
  readonly counts: AgreementCounts<unknown>;
  /** Units each person gave a value in, units with a single value included. */
  readonly people = new Map<number, number>();
  /** Items with at least two values. */
  items = 0;
  readonly perItem = new Map<number, ItemFigure>();
  /**
   * Rankings: by person a, then person b > a, the items on which both ranked a response. A
   * pair's kappas are over each response's rank, so its table counts responses, not items.
   */
  readonly #itemsRankedTogether = new Map<number, Map<number, number>>();

  /** With `alphaOnly`, only what alpha needs is counted: no kappas, nothing kept per item. */
  constructor(
    readonly field: TemplateField,
    private readonly alphaOnly = false,
  ) {
    this.counts = new AgreementCounts<unknown>(
      field.type === "choice" && field.multiple
        ? (answer) => answerSetKey(answer as string[])
        : (value) => value as Category,
      { kappas: !alphaOnly },
    );
  }

  change(item: number, unit: Unit<unknown>, sign: 1 | -1): void {
    for (const person of unit.keys()) {
      const count = (this.people.get(person) ?? 0) + sign;
      if (count === 0) this.people.delete(person);
      else this.people.set(person, count);
    }
    if (this.field.type === "ranking") {
      for (const { people, ranks } of rankUnits(unit)) this.counts.change(people, ranks, sign);
      if (!this.alphaOnly) this.#changeItemsRankedTogether(unit, sign);
    }
    if (unit.size < 2) return;
    this.items += sign;
    if (this.field.type === "ranking" || this.field.type === "spans") {
      if (this.alphaOnly) return;
      if (sign < 0) this.perItem.delete(item);
      else if (this.field.type === "ranking") {
        const w = kendallW(rankingScores(unit.list() as string[][]));
        this.perItem.set(item, w.value === null ? w : estimated(w.value.w));
      } else {
        const spans = unit.list() as SpanAnnotation[][];
        this.perItem.set(item, {
          exact: meanPairwiseSpanF1(spans, "exact"),
          overlap: meanPairwiseSpanF1(spans, "overlap"),
        });
      }
      return;
    }
    const { people, values } = unit.byPerson();
    this.counts.change(people, values, sign);
  }

  #changeItemsRankedTogether(unit: Unit<unknown>, sign: 1 | -1): void {
    for (const [a, b] of pairsRankingTogether(unit)) {
      let partners = this.#itemsRankedTogether.get(a);
      if (!partners) {
        partners = new Map();
        this.#itemsRankedTogether.set(a, partners);
      }
      const count = (partners.get(b) ?? 0) + sign;
      if (count !== 0) partners.set(b, count);
      else {
        partners.delete(b);
        if (partners.size === 0) this.#itemsRankedTogether.delete(a);
      }
    }
  }

  /**
   * The items on which people a and b (a < b) both gave a value, from the `units` their
   * contingency table counts: one per item, but for rankings one per response both ranked.
   */
  pairItems(a: number, b: number, units: number): number {
    return this.field.type === "ranking" ? this.#itemsRankedTogether.get(a)!.get(b)! : units;
  }

  /** The figures kept per item, in the order of the items' ids. */
  itemFigures(): ItemFigure[] {
    return [...this.perItem].sort(([a], [b]) => a - b).map(([, figure]) => figure);
  }
}

/**
 * Agreement's counts over a set of items, one `FieldCounts` per scored field. A computation
 * brings them from the items of the computation before it to its own by taking away the units of
 * items that changed or left and adding those of items that changed or came, instead of counting
 * every item again (decision 033). They belong to one computation at a time.
 */
export class AgreementTallies {
  fields: object | undefined;
  counts: FieldCounts[] = [];
  items = new Set<ItemLabels>();
}

/**
 * `fieldAgreements` over the labels of the items given, each item's labels in id order: the
 * same figures, with each item's units kept with its labels and built only for items not seen
 * before (decision 031).
 */
export function fieldAgreementsOfItems(
  project: { template: Template; overlap: number },
  items: Iterable<ItemLabels>,
): FieldAgreement[] {
  return finished(fieldAgreementSteps(project, items));
}

/**
 * Runs steps to their end at once. A computation in steps yields between two pieces of work (a
 * field's figures), so that a caller with time to spare can let other work run between them.
 */
export function finished<Result>(steps: Generator<void, Result, void>): Result {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * `fieldAgreementsOfItems` in steps: one after bringing `tallies` to the items given (patching
 * those of an earlier set of items, or counting from none), then one per field.
 */
export function* fieldAgreementSteps(
  project: { template: Template; overlap: number },
  items: Iterable<ItemLabels>,
  tallies: AgreementTallies = new AgreementTallies(),
): Generator<void, FieldAgreement[], void> {
  const fields = scoredFields(project.template);
  const token = fieldsToken(fields);
  if (tallies.fields !== token) {
    tallies.fields = token;
    tallies.counts = fields.map((field) => new FieldCounts(field));
    tallies.items = new Set();
  }
  const change = (entry: ItemLabels, sign: 1 | -1) => {
    const units = unitsOfEntry(fields, token, entry);
    for (let index = 0; index < fields.length; index++) {
      const unit = units[index];
      if (unit) tallies.counts[index]!.change(unit.item, unit.unit, sign);
    }
  };
  const current = new Set<ItemLabels>();
  const added: ItemLabels[] = [];
  for (const entry of items) {
    current.add(entry);
    if (!tallies.items.has(entry)) added.push(entry);
  }
  // Items that changed are taken away before their new labels are added: both have its id.
  for (const entry of tallies.items) if (!current.has(entry)) change(entry, -1);
  for (const entry of added) change(entry, 1);
  tallies.items = current;
  yield;
  return yield* agreementsOf(project, tallies.counts);
}

const WEIGHTINGS: ReadonlyArray<KappaWeights> = ["unweighted", "linear", "quadratic"];

/** Alpha and its interval from the units counted, or the reason both are undefined. */
function alphaOf(
  counted: FieldCounts,
  level: AlphaLevel,
): Pick<FieldAgreement, "alpha" | "alphaCi"> {
  if (counted.counts.units === 0) {
    const reason = unpairableReason(counted.people.size);
    return { alpha: notEstimable(reason), alphaCi: notEstimable(reason) };
  }
  const interval = krippendorffAlphaIntervalOfCounts(
    counted.counts as AgreementCounts<Category>,
    level,
  );
  return interval.value === null
    ? { alpha: notEstimable(interval.reason), alphaCi: notEstimable(interval.reason) }
    : {
        alpha: estimated(interval.value.alpha),
        alphaCi: estimated([interval.value.lower, interval.value.upper]),
      };
}

/** Fleiss' kappa and every pair's Cohen's kappas from the units counted. */
function kappasOf(
  counted: FieldCounts,
  raters: number,
): Pick<FieldAgreement, "fleissKappa" | "cohenKappa"> {
  if (counted.counts.units === 0) {
    return { fleissKappa: notEstimable(unpairableReason(counted.people.size)), cohenKappa: [] };
  }
  return {
    fleissKappa: counted.counts.fleiss(raters),
    cohenKappa: counted.counts.cohen(WEIGHTINGS).map(({ a, b, items: units, kappas }) => ({
      a,
      b,
      items: counted.pairItems(a, b, units),
      unweighted: kappas[0]!,
      linear: kappas[1]!,
      quadratic: kappas[2]!,
    })),
  };
}

/** Agreement per scored field from its counts, one `FieldCounts` per field of `scoredFields`. */
function* agreementsOf(
  project: { template: Template; overlap: number },
  fieldCounts: ReadonlyArray<FieldCounts>,
): Generator<void, FieldAgreement[], void> {
  const results: FieldAgreement[] = [];
  for (const [index, counted] of fieldCounts.entries()) {
    if (index > 0) yield;
    const { field, items } = counted;
    const people = counted.people.size;
    switch (field.type) {
      case "rating":
      case "preference":
      case "choice": {
        if (field.type === "choice" && field.multiple) {
          const pairable = counted.counts.units > 0;
          const reason = unpairableReason(people);
          results.push({
            fieldId: field.id,
            metric: "alpha-masi",
            level: null,
            alpha: pairable
              ? masiAlphaOfCounts(counted.counts as AgreementCounts<ReadonlyArray<Category>>)
              : notEstimable(reason),
            alphaCi: pairable ? otherMetric() : notEstimable(reason),
            ...kappasOf(counted, project.overlap),
            items,
          });
          break;
        }
        const level = alphaLevelOf(field);
        results.push({
          fieldId: field.id,
          metric: "alpha",
          level,
          ...alphaOf(counted, level),
          ...kappasOf(counted, project.overlap),
          items,
        });
        break;
      }
      case "ranking": {
        const wPerItem: number[] = [];
        let wReason: UndefinedReason | null = null;
        for (const w of counted.itemFigures() as Array<Estimate<number>>) {
          if (w.value === null) wReason ??= w.reason;
          else wPerItem.push(w.value);
        }
        results.push({
          fieldId: field.id,
          metric: "alpha-ranks",
          level: "ordinal",
          ...alphaOf(counted, "ordinal"),
          ...kappasOf(counted, project.overlap),
          items,
          kendallW: meanOf(wPerItem, wReason ?? unpairableReason(people)),
        });
        break;
      }
      case "spans": {
        const figures = counted.itemFigures() as Array<{
          exact: number | null;
          overlap: number | null;
        }>;
        const f1 = (mode: SpanMatch) =>
          meanOf(
            figures.flatMap((figure) => (figure[mode] === null ? [] : [figure[mode]])),
            unpairableReason(people),
          );
        results.push({
          fieldId: field.id,
          metric: "span-f1",
          level: null,
          alpha: otherMetric(),
          alphaCi: otherMetric(),
          fleissKappa: otherMetric(),
          cohenKappa: [],
          items,
          spanF1: { exact: f1("exact"), overlap: f1("overlap") },
        });
        break;
      }
    }
  }
  return results;
}
