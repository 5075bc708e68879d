/**
 * Annotator reliability and label aggregation by the Dawid–Skene model (Dawid & Skene 1979,
 * "Maximum likelihood estimation of observer error-rates using the EM algorithm"): each
 * annotator answers an item whose true class is j with label l with probability π_jl, their
 * confusion matrix, and EM estimates the matrices, the class priors and every item's posterior.
 */
import { z } from "zod";
import { estimated, notEstimable, type Estimate } from "./estimate.ts";

type Id = string | number;

export interface Annotation<Item extends Id, Annotator extends Id, Label extends Id> {
  item: Item;
  annotator: Annotator;
  label: Label;
}

const dawidSkeneOptions = z.object({
  /**
   * "full": a K × K confusion matrix per annotator (Dawid & Skene 1979). "one-coin": one
   * accuracy per annotator, errors spread evenly over the other classes.
   */
  model: z.enum(["full", "one-coin"]).default("full"),
  /** E-steps after the initialisation; 0 returns the initialisation and its M-step. */
  maxIterations: z.number().int().min(0).max(10_000).default(100),
  /** Stop once an E-step raises the mean log-likelihood per label by less than this. */
  tolerance: z.number().min(0).max(1).default(1e-7),
});

export type DawidSkeneOptions = z.input<typeof dawidSkeneOptions>;

export interface ItemPosterior<Item extends Id, Label extends Id> {
  item: Item;
  /** P(true class = classes[j] | labels), in the order of `classes`; sums to 1. */
  posterior: number[];
  /** The most probable class; ties go to the first in `classes`. */
  label: Label;
}

export interface AnnotatorReliability<Annotator extends Id> {
  annotator: Annotator;
  /** Labels the annotator gave. */
  labels: number;
  /**
   * Expected share of the annotator's labels that are correct: the mean posterior probability
   * of the label they gave. Under the one-coin model this is the annotator's accuracy parameter.
   */
  accuracy: number;
  /** confusion[j][l] = P(annotator says classes[l] | true class is classes[j]); rows sum to 1. */
  confusion: number[][];
}

export interface DawidSkeneResult<Item extends Id, Annotator extends Id, Label extends Id> {
  /** The classes in the order of every vector and matrix here: the labels seen, sorted. */
  classes: Label[];
  /** Estimated share of items in each class. */
  priors: number[];
  items: Array<ItemPosterior<Item, Label>>;
  annotators: Array<AnnotatorReliability<Annotator>>;
  /** E-steps run. */
  iterations: number;
  /** Whether the log-likelihood stopped improving before `maxIterations`. */
  converged: boolean;
  /** Log-likelihood of the labels under the parameters of the last E-step. */
  logLikelihood: number;
}

/** Probabilities are kept at least this far from 0 and 1 so that no log is infinite. */
const FLOOR = 1e-10;

/** The order of classes in every vector and matrix: numbers first, each kind ascending. */
export function compareIds(a: Id, b: Id): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === "number" ? -1 : 1;
}

/** Dense positions for ids in order of first appearance; rows of one item usually come together. */
function indexer<Key extends Id>() {
  const positions = new Map<Key, number>();
  const keys: Key[] = [];
  let lastKey: Key | undefined;
  let lastPosition = -1;
  return {
    keys,
    indexOf(key: Key): number {
      if (key === lastKey) return lastPosition;
      let position = positions.get(key);
      if (position === undefined) {
        position = keys.length;
        positions.set(key, position);
        keys.push(key);
      }
      lastKey = key;
      lastPosition = position;
      return position;
    },
  };
}

/**
 * Dawid–Skene EM over sparse labels (any annotator may label any subset of items, an item
 * may be labelled twice by the same annotator). Initialisation: each item's posterior is its
 * share of votes per class (majority-vote posteriors, as Dawid & Skene start), then an M-step.
 * Each iteration is an E-step then an M-step; it stops after `maxIterations` or once the mean
 * log-likelihood per label rises by less than `tolerance`. Confusion counts are floored at
 * 10⁻¹⁰ before normalising, as crowd-kit does, so that a class an annotator never used keeps a
 * finite log-probability.
 */
export function dawidSkene<Item extends Id, Annotator extends Id, Label extends Id>(
  annotations: ReadonlyArray<Annotation<Item, Annotator, Label>>,
  options: DawidSkeneOptions = {},
): Estimate<DawidSkeneResult<Item, Annotator, Label>> {
  if (!dawidSkeneOptions.safeParse(options).success) return notEstimable("invalid-options");
  if (annotations.length === 0) return notEstimable("no-data");

  const items = indexer<Item>();
  const labelsSeen = new Set<Label>();
  const annotatorsSeen = new Set<Annotator>();
  for (const { annotator, label } of annotations) {
    annotatorsSeen.add(annotator);
    labelsSeen.add(label);
  }
  const classes = [...labelsSeen].sort(compareIds);
  const classIndex = new Map(classes.map((label, position) => [label, position]));
  // Annotators in id order, as patterns in the order of their keys: the fit's sums then run in
  // an order that does not depend on the order of the labels.
  const annotatorList = [...annotatorsSeen].sort(compareIds);
  const annotatorIndex = new Map(annotatorList.map((annotator, position) => [annotator, position]));
  const count = annotations.length;
  const itemOf = new Int32Array(count);
  const annotatorOf = new Int32Array(count);
  const labelOf = new Int32Array(count);
  for (let row = 0; row < count; row++) {
    const { item, annotator, label } = annotations[row];
    itemOf[row] = items.indexOf(item);
    annotatorOf[row] = annotatorIndex.get(annotator)!;
    labelOf[row] = classIndex.get(label)!;
  }
  return dawidSkeneOfIndexed(
    { items: items.keys, annotators: annotatorList, classes, itemOf, annotatorOf, labelOf },
    options,
  );
}

/** The items, annotators and classes that labels given as positions refer to. */
interface Positions<Item extends Id, Annotator extends Id, Label extends Id> {
  items: Item[];
  annotators: Annotator[];
  classes: Label[];
}

/**
 * Labels given as positions: row r says that `annotators[annotatorOf[r]]` labelled
 * `items[itemOf[r]]` as `classes[labelOf[r]]`. Every item, annotator and class listed has a row,
 * and the classes are sorted.
 */
export interface IndexedAnnotations<
  Item extends Id,
  Annotator extends Id,
  Label extends Id,
> extends Positions<Item, Annotator, Label> {
  itemOf: Int32Array;
  annotatorOf: Int32Array;
  labelOf: Int32Array;
}

/**
 * {@link dawidSkene} of labels already given as positions, for callers that hold them so and
 * would otherwise build an object per label: the same figures for the same rows.
 */
export function dawidSkeneOfIndexed<Item extends Id, Annotator extends Id, Label extends Id>(
  indexed: IndexedAnnotations<Item, Annotator, Label>,
  options: DawidSkeneOptions = {},
): Estimate<DawidSkeneResult<Item, Annotator, Label>> {
  const { items, annotators, classes } = indexed;
  return dawidSkeneOfPatterns(
    { items, annotators, classes, ...labelPatterns(indexed, classes.length) },
    options,
  );
}

/**
 * Labels given as the distinct patterns of (annotator, label) cells over the items: pattern p's
 * cells are `cells[cellStart[p]]` to `cells[cellStart[p + 1] - 1]`, each coded annotator × K +
 * label in increasing order, and `weights[p]` items have it; item i has pattern `patternOf[i]`.
 * Every annotator and class listed is in some cell, and the classes are sorted.
 */
export interface PatternedAnnotations<
  Item extends Id,
  Annotator extends Id,
  Label extends Id,
> extends Positions<Item, Annotator, Label> {
  patternOf: Int32Array;
  weights: Float64Array;
  cellStart: Int32Array;
  cells: Int32Array;
}

/**
 * {@link dawidSkene} of labels given as patterns, for callers that keep the patterns and patch
 * them as items change: items of one pattern have the same posterior at every step, so EM runs
 * over the patterns in the order given, each weighted by its items. The same figures as for the
 * labels themselves, to the last bits that the order of the sums decides.
 */
export function dawidSkeneOfPatterns<Item extends Id, Annotator extends Id, Label extends Id>(
  patterned: PatternedAnnotations<Item, Annotator, Label>,
  options: DawidSkeneOptions = {},
): Estimate<DawidSkeneResult<Item, Annotator, Label>> {
  const parsedOptions = dawidSkeneOptions.safeParse(options);
  if (!parsedOptions.success) return notEstimable("invalid-options");
  const { model, maxIterations, tolerance } = parsedOptions.data;
  const { classes, patternOf, weights, cellStart, cells } = patterned;
  const K = classes.length;
  const patternCount = weights.length;
  const annotatorCount = patterned.annotators.length;
  const labelsBy = new Float64Array(annotatorCount);
  let count = 0;
  for (let pattern = 0; pattern < patternCount; pattern++) {
    for (let cell = cellStart[pattern]; cell < cellStart[pattern + 1]; cell++) {
      labelsBy[Math.floor(cells[cell] / K)] += weights[pattern];
      count += weights[pattern];
    }
  }
  if (count === 0) return notEstimable("no-data");
  if (annotatorCount < 2) return notEstimable("single-annotator");
  if (K < 2) return notEstimable("no-variation");
  const itemCount = patterned.items.length;

  const posteriors = new Float64Array(patternCount * K);
  for (let pattern = 0; pattern < patternCount; pattern++) {
    for (let cell = cellStart[pattern]; cell < cellStart[pattern + 1]; cell++) {
      posteriors[pattern * K + (cells[cell] % K)]++;
    }
  }
  normaliseRows(posteriors, K);

  const priors = new Float64Array(K);
  const confusion = new Float64Array(annotatorCount * K * K);
  const logPriors = new Float64Array(K);
  const logConfusion = new Float64Array(annotatorCount * K * K);
  const maximise = () => {
    priors.fill(0);
    for (let pattern = 0; pattern < patternCount; pattern++) {
      for (let j = 0; j < K; j++) priors[j] += weights[pattern] * posteriors[pattern * K + j];
    }
    for (let j = 0; j < K; j++) {
      priors[j] = Math.max(FLOOR, priors[j] / itemCount);
      logPriors[j] = Math.log(priors[j]);
    }
    confusion.fill(0);
    if (model === "full") {
      for (let pattern = 0; pattern < patternCount; pattern++) {
        for (let cell = cellStart[pattern]; cell < cellStart[pattern + 1]; cell++) {
          // A cell is annotator × K + label: its row of confusion matrices starts at cell × K
          // less the label's (K − 1) multiples, i.e. annotator × K² + label.
          const base = Math.floor(cells[cell] / K) * K * K + (cells[cell] % K);
          for (let j = 0; j < K; j++) {
            confusion[base + j * K] += weights[pattern] * posteriors[pattern * K + j];
          }
        }
      }
      for (let row = 0; row < annotatorCount * K; row++) {
        let total = 0;
        for (let l = 0; l < K; l++) total += Math.max(FLOOR, confusion[row * K + l]);
        for (let l = 0; l < K; l++) {
          confusion[row * K + l] = Math.max(FLOOR, confusion[row * K + l]) / total;
        }
      }
    } else {
      const skill = new Float64Array(annotatorCount);
      for (let pattern = 0; pattern < patternCount; pattern++) {
        for (let cell = cellStart[pattern]; cell < cellStart[pattern + 1]; cell++) {
          skill[Math.floor(cells[cell] / K)] +=
            weights[pattern] * posteriors[pattern * K + (cells[cell] % K)];
        }
      }
      for (let annotator = 0; annotator < annotatorCount; annotator++) {
        const accuracy = Math.min(
          1 - FLOOR,
          Math.max(FLOOR, skill[annotator] / labelsBy[annotator]),
        );
        const error = Math.max(FLOOR, (1 - accuracy) / (K - 1));
        for (let j = 0; j < K; j++) {
          for (let l = 0; l < K; l++)
            confusion[(annotator * K + j) * K + l] = j === l ? accuracy : error;
        }
      }
    }
    for (let cell = 0; cell < confusion.length; cell++)
      logConfusion[cell] = Math.log(confusion[cell]);
  };

  /** Posteriors from the current parameters into `target`; returns the labels' log-likelihood. */
  const expect = (target: Float64Array): number => {
    let logLikelihood = 0;
    for (let pattern = 0; pattern < patternCount; pattern++) {
      const offset = pattern * K;
      for (let j = 0; j < K; j++) target[offset + j] = logPriors[j];
      for (let cell = cellStart[pattern]; cell < cellStart[pattern + 1]; cell++) {
        const base = Math.floor(cells[cell] / K) * K * K + (cells[cell] % K);
        for (let j = 0; j < K; j++) target[offset + j] += logConfusion[base + j * K];
      }
      let largest = -Infinity;
      for (let j = 0; j < K; j++) largest = Math.max(largest, target[offset + j]);
      let total = 0;
      for (let j = 0; j < K; j++) {
        target[offset + j] = Math.exp(target[offset + j] - largest);
        total += target[offset + j];
      }
      for (let j = 0; j < K; j++) target[offset + j] /= total;
      logLikelihood += weights[pattern] * (largest + Math.log(total));
    }
    return logLikelihood;
  };

  maximise();
  let iterations = 0;
  let converged = false;
  let logLikelihood = Number.NaN;
  while (iterations < maxIterations) {
    const next = expect(posteriors);
    iterations++;
    maximise();
    const improved = (next - logLikelihood) / count;
    logLikelihood = next;
    if (improved < tolerance) {
      converged = true;
      break;
    }
  }
  if (iterations === 0) logLikelihood = expect(new Float64Array(posteriors.length));

  const correct = new Float64Array(annotatorCount);
  for (let pattern = 0; pattern < patternCount; pattern++) {
    for (let cell = cellStart[pattern]; cell < cellStart[pattern + 1]; cell++) {
      correct[Math.floor(cells[cell] / K)] +=
        weights[pattern] * posteriors[pattern * K + (cells[cell] % K)];
    }
  }
  const patternPosteriors = Array.from({ length: patternCount }, (_, pattern) => {
    const posterior = rowOf(posteriors, pattern * K, K);
    let best = 0;
    for (let j = 1; j < K; j++) if (posterior[j] > posterior[best]) best = j;
    return { posterior, label: classes[best] };
  });
  return estimated({
    classes,
    priors: Array.from(priors),
    // Items of one pattern share its posterior's array.
    items: patterned.items.map((item, index) => {
      const { posterior, label } = patternPosteriors[patternOf[index]];
      return { item, posterior, label };
    }),
    annotators: patterned.annotators.map((annotator, index) => ({
      annotator,
      labels: labelsBy[index],
      accuracy: correct[index] / labelsBy[index],
      confusion: Array.from({ length: K }, (_, j) => rowOf(confusion, (index * K + j) * K, K)),
    })),
    iterations,
    converged,
    logLikelihood,
  });
}

/**
 * The distinct patterns of labels over the items: a pattern is the multiset of its items'
 * (annotator, label) cells, each coded annotator × K + label and kept in increasing order.
 * Patterns are numbered in the order of their keys; `weights` counts each one's items.
 */
function labelPatterns(
  { items, itemOf, annotatorOf, labelOf }: IndexedAnnotations<Id, Id, Id>,
  K: number,
): { patternOf: Int32Array; weights: Float64Array; cellStart: Int32Array; cells: Int32Array } {
  const itemCount = items.length;
  const rowStart = new Int32Array(itemCount + 1);
  for (let row = 0; row < itemOf.length; row++) rowStart[itemOf[row] + 1]++;
  for (let item = 0; item < itemCount; item++) rowStart[item + 1] += rowStart[item];
  const byItem = new Int32Array(itemOf.length);
  const filled = rowStart.slice(0, itemCount);
  for (let row = 0; row < itemOf.length; row++) {
    byItem[filled[itemOf[row]]++] = annotatorOf[row] * K + labelOf[row];
  }
  const base = (annotatorOf.reduce((most, annotator) => Math.max(most, annotator), 0) + 1) * K;
  const patterns = new Map<PatternKey, { cells: Int32Array; weight: number }>();
  const keyOf: PatternKey[] = [];
  for (let item = 0; item < itemCount; item++) {
    const own = byItem.subarray(rowStart[item], rowStart[item + 1]).sort();
    const key = patternKey(own, base);
    const pattern = patterns.get(key);
    if (pattern) pattern.weight++;
    else patterns.set(key, { cells: own, weight: 1 });
    keyOf.push(key);
  }
  const { numbered, ...ordered } = patternsInKeyOrder(patterns);
  return { patternOf: Int32Array.from(keyOf, (key) => numbered.get(key)!), ...ordered };
}

export type PatternKey = number | string;

/**
 * A pattern's key, from its cells in increasing order and `base` (annotators × K): the cells plus
 * one as the digits of one number (no digit is 0, so patterns of different sizes differ too)
 * while that number stays exact, else the cells joined.
 */
export function patternKey(cells: Int32Array, base: number): PatternKey {
  let key = 0;
  for (const cell of cells) key = key * (base + 1) + cell + 1;
  return key > Number.MAX_SAFE_INTEGER ? cells.join(",") : key;
}

/**
 * Patterns numbered in the order of their keys, as {@link dawidSkeneOfPatterns} takes them: an
 * order that neither the order of the items nor how the patterns were counted changes, so the
 * fit's sums, and its figures, are the same bit for bit.
 */
export function patternsInKeyOrder(
  patterns: ReadonlyMap<PatternKey, { cells: Int32Array; weight: number }>,
): {
  numbered: Map<PatternKey, number>;
  weights: Float64Array;
  cellStart: Int32Array;
  cells: Int32Array;
} {
  const keys = [...patterns.keys()].sort(compareIds);
  const weights = new Float64Array(keys.length);
  const cellStart = new Int32Array(keys.length + 1);
  keys.forEach((key, index) => {
    const pattern = patterns.get(key)!;
    weights[index] = pattern.weight;
    cellStart[index + 1] = cellStart[index] + pattern.cells.length;
  });
  const cells = new Int32Array(cellStart[keys.length]);
  keys.forEach((key, index) => cells.set(patterns.get(key)!.cells, cellStart[index]));
  return { numbered: new Map(keys.map((key, index) => [key, index])), weights, cellStart, cells };
}

/** Majority vote: each item's most frequent label, ties going to the first in sorted order. */
export function majorityVote<Item extends Id, Label extends Id>(
  annotations: ReadonlyArray<{ item: Item; label: Label }>,
): Map<Item, Label> {
  const labelsSeen = new Set<Label>();
  for (const { label } of annotations) labelsSeen.add(label);
  const classes = [...labelsSeen].sort(compareIds);
  const classIndex = new Map(classes.map((label, position) => [label, position]));
  const items = indexer<Item>();
  const itemOf = new Int32Array(annotations.length);
  for (let row = 0; row < annotations.length; row++)
    itemOf[row] = items.indexOf(annotations[row].item);
  const votes = new Int32Array(items.keys.length * classes.length);
  for (let row = 0; row < annotations.length; row++) {
    votes[itemOf[row] * classes.length + classIndex.get(annotations[row].label)!]++;
  }
  const winners = new Map<Item, Label>();
  items.keys.forEach((item, index) => {
    let best = 0;
    for (let j = 1; j < classes.length; j++) {
      if (votes[index * classes.length + j] > votes[index * classes.length + best]) best = j;
    }
    winners.set(item, classes[best]);
  });
  return winners;
}

function rowOf(matrix: Float64Array, offset: number, width: number): number[] {
  const row = new Array<number>(width);
  for (let column = 0; column < width; column++) row[column] = matrix[offset + column];
  return row;
}

function normaliseRows(matrix: Float64Array, width: number): void {
  for (let offset = 0; offset < matrix.length; offset += width) {
    let total = 0;
    for (let column = 0; column < width; column++) total += matrix[offset + column];
    if (total > 0) for (let column = 0; column < width; column++) matrix[offset + column] /= total;
  }
}
