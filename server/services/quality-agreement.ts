import { fieldValue } from "../../app/domain/accuracy.ts";
import {
  cohenKappas,
  fleissKappa,
  kendallW,
  krippendorffAlpha,
  krippendorffAlphaInterval,
  masiAlpha,
  rankingScores,
  type AlphaLevel,
} from "../../app/domain/agreement.ts";
import {
  estimated,
  notEstimable,
  type Estimate,
  type UndefinedReason,
} from "../../app/domain/estimate.ts";
import { meanPairwiseSpanF1, type SpanMatch } from "../../app/domain/spans.ts";
import type { SpanAnnotation, Template, TemplateField } from "../../app/domain/template.ts";
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
  /** Units both rated. */
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

/** Fleiss' kappa over the units with `raters` values, or over all when none has that many. */
function fleissOf<Value>(
  pairable: ReadonlyArray<Unit<Value>>,
  raters: number,
  keyOf: (value: Value) => Category,
): Estimate<number> {
  const complete = pairable.filter((unit) => unit.size === raters);
  const units = complete.length > 0 ? complete : pairable;
  const categories = new Map<Category, number>();
  for (const unit of units) {
    for (const value of unit.list()) {
      const key = keyOf(value);
      if (!categories.has(key)) categories.set(key, categories.size);
    }
  }
  return fleissKappa(
    units.map((unit) => {
      const row = new Array<number>(categories.size).fill(0);
      for (const value of unit.list()) row[categories.get(keyOf(value))!]++;
      return row;
    }),
  );
}

const WEIGHTINGS = ["unweighted", "linear", "quadratic"] as const;

/** Cohen's kappa for every pair of people over the units both gave a value for. */
function cohenPairs<Value>(
  pairable: ReadonlyArray<Unit<Value>>,
  keyOf: (value: Value) => Category,
): KappaPair[] {
  // Pairs by person, then by partner: a project has hundreds of thousands of units.
  const byFirst = new Map<
    number,
    Map<number, { a: number; b: number; first: Category[]; second: Category[] }>
  >();
  for (const unit of pairable) {
    const { people, values } = unit.byPerson();
    const keys = values.map(keyOf);
    for (let first = 0; first < people.length; first++) {
      const a = people[first]!;
      let partners = byFirst.get(a);
      if (!partners) {
        partners = new Map();
        byFirst.set(a, partners);
      }
      for (let second = first + 1; second < people.length; second++) {
        const b = people[second]!;
        let pair = partners.get(b);
        if (!pair) {
          pair = { a, b, first: [], second: [] };
          partners.set(b, pair);
        }
        pair.first.push(keys[first]!);
        pair.second.push(keys[second]!);
      }
    }
  }
  const pairs = [...byFirst.values()].flatMap((partners) => [...partners.values()]);
  return pairs
    .sort((x, y) => x.a - y.a || x.b - y.b)
    .map(({ a, b, first, second }) => {
      const [unweighted, linear, quadratic] = cohenKappas(first, second, WEIGHTINGS);
      return {
        a,
        b,
        items: first.length,
        unweighted: unweighted!,
        linear: linear!,
        quadratic: quadratic!,
      };
    });
}

/** Alpha, its interval and the kappas of units of single values (numbers or categories). */
function categoricalAgreement(
  field: TemplateField,
  metric: "alpha" | "alpha-ranks",
  level: AlphaLevel,
  units: Iterable<Unit<Category>>,
  people: number,
  raters: number,
  items: number,
): FieldAgreement {
  const pairable = [...units].filter((unit) => unit.size >= 2);
  const values = pairable.map((unit) => unit.list());
  const identity = (value: Category) => value;
  if (pairable.length === 0) {
    const reason = unpairableReason(people);
    return {
      fieldId: field.id,
      metric,
      level,
      alpha: notEstimable(reason),
      alphaCi: notEstimable(reason),
      fleissKappa: notEstimable(reason),
      cohenKappa: [],
      items,
    };
  }
  const interval = krippendorffAlphaInterval(values, level);
  return {
    fieldId: field.id,
    metric,
    level,
    // The interval carries alpha as `krippendorffAlpha` computes it, from the same tabulation.
    alpha:
      interval.value === null ? krippendorffAlpha(values, level) : estimated(interval.value.alpha),
    alphaCi:
      interval.value === null
        ? notEstimable(interval.reason)
        : estimated([interval.value.lower, interval.value.upper]),
    fleissKappa: fleissOf(pairable, raters, identity),
    cohenKappa: cohenPairs(pairable, identity),
    items,
  };
}

/** The labels agreement is measured over: not rejected in review, of items that are not gold. */
const countedLabels = (labels: ReadonlyArray<QualityLabel>) =>
  labels.filter((entry) => entry.goldLabel === null && !entry.rejected);

/** A field's values by item and person, and everyone who gave one. */
function unitsOf(field: TemplateField, counted: ReadonlyArray<QualityLabel>): FieldUnits {
  const byItem = new Map<number, Unit<unknown>>();
  const people = new Set<number>();
  for (const entry of counted) {
    const value = fieldValue(field, entry.label[field.id]);
    if (value === undefined) continue;
    people.add(entry.userId);
    let unit = byItem.get(entry.itemId);
    if (!unit) {
      unit = new Unit();
      byItem.set(entry.itemId, unit);
    }
    unit.set(entry.userId, value);
  }
  return { byItem, people };
}

/**
 * Alpha alone per field that it is measured for (not spans), exactly as `fieldAgreements` gives
 * it, without the interval and kappas: for series that need many alphas over parts of the data.
 */
export function fieldAlphas(
  template: Template,
  labels: ReadonlyArray<QualityLabel>,
): Array<{ fieldId: string; alpha: Estimate<number> }> {
  const counted = countedLabels(labels);
  const results: Array<{ fieldId: string; alpha: Estimate<number> }> = [];
  for (const field of template.fields) {
    if (field.type === "text" || field.type === "rewrite" || field.type === "spans") continue;
    const { byItem, people } = unitsOf(field, counted);
    let units: Iterable<Unit<unknown>> = byItem.values();
    if (field.type === "ranking") {
      const ranks = new Map<string, Unit<Category>>();
      for (const [itemId, unit] of byItem as Map<number, Unit<string[]>>) {
        for (const [person, ranking] of unit) {
          ranking.forEach((responseId, index) => {
            const key = `${itemId}\u0000${responseId}`;
            const responseUnit = ranks.get(key) ?? new Unit<Category>();
            responseUnit.set(person, index + 1);
            ranks.set(key, responseUnit);
          });
        }
      }
      units = ranks.values();
    }
    const values = [...units].filter((unit) => unit.size >= 2).map((unit) => unit.list());
    const level: AlphaLevel =
      field.type === "rating"
        ? field.level
        : field.type === "choice" && !field.multiple
          ? "nominal"
          : "ordinal";
    const alpha =
      values.length === 0
        ? notEstimable<number>(unpairableReason(people.size))
        : field.type === "choice" && field.multiple
          ? masiAlpha(values as string[][][])
          : krippendorffAlpha(values as Category[][], level);
    results.push({ fieldId: field.id, alpha });
  }
  return results;
}

/** A field's values by item, in the order of the label that first gave each item one. */
interface FieldUnits {
  byItem: Map<number, Unit<unknown>>;
  /** Everyone who gave a value. */
  people: Set<number>;
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
  const counted = countedLabels(labels);
  return finished(
    agreementsOf(
      project,
      scoredFields(project.template).map((field) => unitsOf(field, counted)),
    ),
  );
}

/** One item's labels, in the order of their ids, with those ids. */
export interface ItemLabels {
  labels: ReadonlyArray<QualityLabel>;
  labelIds: ReadonlyArray<number>;
}

/** A field's values on one item, with the id of the label that gave the first. */
interface ItemUnit {
  item: number;
  first: number;
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
  { labels, labelIds }: ItemLabels,
): Array<ItemUnit | null> {
  return fields.map((field) => {
    let found: ItemUnit | null = null;
    for (let index = 0; index < labels.length; index++) {
      const entry = labels[index]!;
      if (entry.goldLabel !== null || entry.rejected) continue;
      const value = fieldValue(field, entry.label[field.id]);
      if (value === undefined) continue;
      found ??= { item: entry.itemId, first: labelIds[index]!, unit: new Unit() };
      found.unit.set(entry.userId, value);
    }
    return found;
  });
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

/** `fieldAgreementsOfItems` in steps: one after gathering the units, then one per field. */
export function* fieldAgreementSteps(
  project: { template: Template; overlap: number },
  items: Iterable<ItemLabels>,
): Generator<void, FieldAgreement[], void> {
  const fields = scoredFields(project.template);
  const token = fieldsToken(fields);
  const perField: ItemUnit[][] = fields.map(() => []);
  for (const entry of items) {
    let kept = unitsOfItem.get(entry);
    if (kept?.fields !== token) {
      kept = { fields: token, units: itemUnits(fields, entry) };
      unitsOfItem.set(entry, kept);
    }
    for (let index = 0; index < fields.length; index++) {
      const unit = kept.units[index];
      if (unit) perField[index]!.push(unit);
    }
  }
  yield;
  return yield* agreementsOf(
    project,
    perField.map((units): FieldUnits => {
      // In the order `unitsOf` puts them in, so that every sum runs in the same order.
      units.sort((a, b) => a.first - b.first);
      const byItem = new Map<number, Unit<unknown>>();
      const people = new Set<number>();
      for (const { item, unit } of units) {
        byItem.set(item, unit);
        for (const person of unit.keys()) people.add(person);
      }
      return { byItem, people };
    }),
  );
}

/** Agreement per scored field from its units, one `FieldUnits` per field of `scoredFields`. */
function* agreementsOf(
  project: { template: Template; overlap: number },
  units: ReadonlyArray<FieldUnits>,
): Generator<void, FieldAgreement[], void> {
  const results: FieldAgreement[] = [];
  for (const [index, field] of scoredFields(project.template).entries()) {
    if (index > 0) yield;
    const { byItem, people } = units[index]!;
    const items = [...byItem.values()].filter((unit) => unit.size >= 2).length;
    const raters = project.overlap;

    switch (field.type) {
      case "rating":
      case "preference":
      case "choice": {
        if (field.type === "choice" && field.multiple) {
          results.push(
            setAgreement(field, byItem as Map<number, Unit<string[]>>, people.size, raters, items),
          );
          break;
        }
        const level: AlphaLevel =
          field.type === "rating"
            ? field.level
            : field.type === "preference"
              ? "ordinal"
              : "nominal";
        results.push(
          categoricalAgreement(
            field,
            "alpha",
            level,
            (byItem as Map<number, Unit<Category>>).values(),
            people.size,
            raters,
            items,
          ),
        );
        break;
      }
      case "ranking": {
        // Each response of an item is a unit; a person's value is the rank they gave it.
        const ranks = new Map<string, Unit<Category>>();
        const wPerItem: number[] = [];
        let wReason: UndefinedReason | null = null;
        for (const [itemId, unit] of byItem as Map<number, Unit<string[]>>) {
          for (const [person, ranking] of unit) {
            ranking.forEach((responseId, index) => {
              const key = `${itemId}\u0000${responseId}`;
              const responseUnit = ranks.get(key) ?? new Unit<Category>();
              responseUnit.set(person, index + 1);
              ranks.set(key, responseUnit);
            });
          }
          if (unit.size < 2) continue;
          const w = kendallW(rankingScores(unit.list()));
          if (w.value === null) wReason ??= w.reason;
          else wPerItem.push(w.value.w);
        }
        results.push({
          ...categoricalAgreement(
            field,
            "alpha-ranks",
            "ordinal",
            ranks.values(),
            people.size,
            raters,
            items,
          ),
          kendallW: meanOf(wPerItem, wReason ?? unpairableReason(people.size)),
        });
        break;
      }
      case "spans": {
        const f1 = (mode: SpanMatch) =>
          meanOf(
            [...byItem.values()].flatMap((unit) => {
              if (unit.size < 2) return [];
              const mean = meanPairwiseSpanF1(unit.list() as SpanAnnotation[][], mode);
              return mean === null ? [] : [mean];
            }),
            unpairableReason(people.size),
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

/** Multiple choice: alpha with the MASI distance; the kappas count whole sets as categories. */
function setAgreement(
  field: TemplateField,
  byItem: Map<number, Unit<string[]>>,
  people: number,
  raters: number,
  items: number,
): FieldAgreement {
  const pairable = [...byItem.values()].filter((unit) => unit.size >= 2);
  if (pairable.length === 0) {
    const reason = unpairableReason(people);
    return {
      fieldId: field.id,
      metric: "alpha-masi",
      level: null,
      alpha: notEstimable(reason),
      alphaCi: notEstimable(reason),
      fleissKappa: notEstimable(reason),
      cohenKappa: [],
      items,
    };
  }
  const setKey = (options: string[]) => JSON.stringify([...new Set(options)].sort());
  return {
    fieldId: field.id,
    metric: "alpha-masi",
    level: null,
    alpha: masiAlpha(pairable.map((unit) => unit.list())),
    alphaCi: otherMetric(),
    fleissKappa: fleissOf(pairable, raters, setKey),
    cohenKappa: cohenPairs(pairable, setKey),
    items,
  };
}
