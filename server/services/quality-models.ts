import type { Estimate } from "../../app/domain/estimate.ts";
import {
  compareIds,
  dawidSkeneOfPatterns,
  patternKey,
  patternsInKeyOrder,
  type DawidSkeneResult,
  type PatternKey,
} from "../../app/domain/reliability.ts";
import type { Template, TemplateField } from "../../app/domain/template.ts";
import { finished, itemsOfLabels, scoredFieldUnits, type ItemLabels } from "./quality-agreement.ts";
import type { QualityLabel } from "./quality-economics.ts";

/** Dawid–Skene fitted to one single-choice field, or to the directions of a preference field. */
export interface CategoricalModel {
  fieldId: string;
  model: Estimate<DawidSkeneResult<number, number, string | number>>;
}

type Category = string | number;

/**
 * One field's labels as Dawid–Skene fits them: each item's pattern of (annotator, label) cells,
 * and how many items have each pattern, with annotators by id and classes sorted. Whole numbers
 * throughout, so that a pattern count patched item by item is the count made anew, and the
 * patterns are handed to the fit in the order of their keys, which does not depend on how the
 * counts were reached.
 */
class FieldPatterns {
  readonly annotators: number[];
  readonly classes: Category[];
  readonly #annotatorIndex: Map<number, number>;
  readonly #classIndex: Map<Category, number>;
  /** Labels per annotator, and per class, by index: none may fall to zero. */
  readonly #labelsBy: number[];
  readonly #classUses: number[];
  /** Each item's pattern key, and each key's cells and items. */
  readonly #keyOf = new Map<number, PatternKey>();
  readonly #patterns = new Map<PatternKey, { cells: Int32Array; weight: number }>();

  constructor(annotators: ReadonlySet<number>, classes: ReadonlySet<Category>) {
    this.annotators = [...annotators].sort((a, b) => a - b);
    this.classes = [...classes].sort(compareIds);
    this.#annotatorIndex = new Map(this.annotators.map((person, index) => [person, index]));
    this.#classIndex = new Map(this.classes.map((label, index) => [label, index]));
    this.#labelsBy = this.annotators.map(() => 0);
    this.#classUses = this.classes.map(() => 0);
  }

  /** Whether everyone and every class listed still has a label: else count anew. */
  get complete(): boolean {
    return !this.#labelsBy.includes(0) && !this.#classUses.includes(0);
  }

  /** Takes an item's labels away, if it was counted. */
  remove(item: number): void {
    const key = this.#keyOf.get(item);
    if (key === undefined) return;
    const pattern = this.#patterns.get(key)!;
    this.#count(pattern.cells, -1);
    this.#keyOf.delete(item);
    if (--pattern.weight === 0) this.#patterns.delete(key);
  }

  /**
   * Counts an item's labels: each person's, in the same order. False, with nothing counted, when
   * they name an annotator or a class not listed: the patterns are then counted anew.
   */
  add(item: number, people: ReadonlyArray<number>, labels: ReadonlyArray<Category>): boolean {
    const K = this.classes.length;
    const cells = new Int32Array(people.length);
    for (let position = 0; position < people.length; position++) {
      const annotator = this.#annotatorIndex.get(people[position]!);
      const label = this.#classIndex.get(labels[position]!);
      if (annotator === undefined || label === undefined) return false;
      cells[position] = annotator * K + label;
    }
    cells.sort();
    const key = patternKey(cells, this.annotators.length * K);
    const pattern = this.#patterns.get(key);
    if (pattern) pattern.weight++;
    else this.#patterns.set(key, { cells, weight: 1 });
    this.#keyOf.set(item, key);
    this.#count(cells, 1);
    return true;
  }

  #count(cells: Int32Array, sign: 1 | -1): void {
    const K = this.classes.length;
    for (const cell of cells) {
      this.#labelsBy[Math.floor(cell / K)]! += sign;
      this.#classUses[cell % K]! += sign;
    }
  }

  /** The model fitted to the patterns counted, items in id order. */
  fit(fieldId: string): CategoricalModel {
    const { numbered, weights, cellStart, cells } = patternsInKeyOrder(this.#patterns);
    const items = Float64Array.from(this.#keyOf.keys()).sort();
    const patternOf = Int32Array.from(items, (item) => numbered.get(this.#keyOf.get(item)!)!);
    return {
      fieldId,
      model: dawidSkeneOfPatterns({
        items: Array.from(items),
        annotators: this.annotators,
        classes: this.classes,
        patternOf,
        weights,
        cellStart,
        cells,
      }),
    };
  }
}

/**
 * The Dawid–Skene models' pattern counts, one per modelled field, kept with a computation for
 * the next one to patch with the items that changed (decision 033). They belong to one
 * computation at a time.
 */
export class ModelTallies {
  /** The modelled fields counted; other ones count anew. */
  basis: string | undefined;
  patterns: FieldPatterns[] = [];
}

/** The fields Dawid–Skene is fitted to: single choice, and preferences by their direction. */
const isModelled = (field: TemplateField) =>
  (field.type === "choice" && !field.multiple) || field.type === "preference";

/** A counted value as the model reads it: a preference by its direction. */
const modelLabel = (field: TemplateField, value: unknown): Category =>
  field.type === "preference" ? Math.sign(value as number) : (value as string);

/**
 * One Dawid–Skene model per single-choice and preference field, over the counted labels of items
 * that are not gold, as agreement reads them; a preference counts by its direction only.
 */
export function categoricalModels(
  template: Template,
  labels: ReadonlyArray<QualityLabel>,
): CategoricalModel[] {
  return finished(categoricalModelSteps(template, itemsOfLabels(labels)));
}

/**
 * `categoricalModels` of the items given, in steps: one per model fitted. The labels are taken
 * from the units agreement keeps per item. With `tallies` counted for earlier items and
 * `changed` (each changed item's entry before and now), the counts are patched; otherwise, or
 * when a change names someone or a class the counts do not list, or leaves one without labels,
 * every item is counted anew.
 */
export function* categoricalModelSteps(
  template: Template,
  items: Iterable<ItemLabels>,
  tallies: ModelTallies = new ModelTallies(),
  changed?: Iterable<{ before: ItemLabels | undefined; after: ItemLabels | undefined }>,
): Generator<void, CategoricalModel[], void> {
  const { fields, unitsOf } = scoredFieldUnits(template);
  const modelled = fields.flatMap((field, index) => (isModelled(field) ? [{ field, index }] : []));
  const unitOf = (entry: ItemLabels, index: number) => {
    const unit = unitsOf(entry)[index];
    return unit ? { item: unit.item, ...unit.unit.byPerson() } : null;
  };
  let entries: ItemLabels[] | undefined;
  const countAnew = (field: TemplateField, index: number): FieldPatterns => {
    const annotators = new Set<number>();
    const classes = new Set<Category>();
    const units = [];
    for (const entry of (entries ??= [...items])) {
      const unit = unitOf(entry, index);
      if (!unit) continue;
      units.push(unit);
      for (const person of unit.people) annotators.add(person);
      for (const value of unit.values) classes.add(modelLabel(field, value));
    }
    const patterns = new FieldPatterns(annotators, classes);
    for (const { item, people, values } of units) {
      patterns.add(
        item,
        people,
        values.map((value) => modelLabel(field, value)),
      );
    }
    return patterns;
  };
  const patched = (field: TemplateField, index: number, patterns: FieldPatterns): boolean => {
    for (const { before, after } of changed ?? []) {
      const old = before && unitOf(before, index);
      if (old) patterns.remove(old.item);
      const now = after && unitOf(after, index);
      if (!now) continue;
      const labels = now.values.map((value) => modelLabel(field, value));
      if (!patterns.add(now.item, now.people, labels)) return false;
    }
    return patterns.complete;
  };

  const basis = JSON.stringify(modelled.map(({ field }) => field));
  if (changed === undefined || tallies.basis !== basis) tallies.patterns = [];
  tallies.basis = basis;
  const models: CategoricalModel[] = [];
  for (const [position, { field, index }] of modelled.entries()) {
    if (models.length > 0) yield;
    const kept = tallies.patterns[position];
    const patterns = kept && patched(field, index, kept) ? kept : countAnew(field, index);
    tallies.patterns[position] = patterns;
    models.push(patterns.fit(field.id));
  }
  return models;
}
