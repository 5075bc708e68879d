/**
 * Inter-annotator agreement, computed as the published references define it. Pure functions:
 * data in, an {@link Estimate} out; every one is tested against a worked example from its source.
 */
import { z } from "zod";
import { estimated, notEstimable, type Estimate, type UndefinedReason } from "./estimate.ts";
import { SeededRandom } from "./random.ts";

export type AlphaLevel = "nominal" | "ordinal" | "interval" | "ratio";

/**
 * One unit (item) per row and one coder (annotator) per column: the value that coder gave the
 * unit, `null` where they gave none.
 */
export type ReliabilityData<Value> = ReadonlyArray<ReadonlyArray<Value | null>>;

type Category = string | number;

/** Up to this many distinct values the coincidences live in a dense matrix, above in a map. */
const DENSE_COINCIDENCE_LIMIT = 512;

/**
 * Krippendorff's coincidences, stored by unordered cell: for c < k the cell holds o_ck + o_kc,
 * for c = k it holds o_cc, so that the cells sum to n.. and each cell's share of n.. is the
 * probability with which Krippendorff's bootstrap draws a pair of values from it.
 */
class Coincidences {
  private readonly dense: Float64Array | null;
  private readonly sparse: Map<number, number> | null;

  constructor(readonly size: number) {
    this.dense = size <= DENSE_COINCIDENCE_LIMIT ? new Float64Array(size * size) : null;
    this.sparse = this.dense ? null : new Map();
  }

  add(first: number, second: number, weight: number): void {
    const key = first <= second ? first * this.size + second : second * this.size + first;
    if (this.dense) this.dense[key] += weight;
    else this.sparse!.set(key, (this.sparse!.get(key) ?? 0) + weight);
  }

  forEach(visit: (first: number, second: number, weight: number) => void): void {
    if (this.dense) {
      for (let key = 0; key < this.dense.length; key++) {
        if (this.dense[key] !== 0)
          visit(Math.floor(key / this.size), key % this.size, this.dense[key]);
      }
    } else {
      for (const [key, weight] of this.sparse!) {
        visit(Math.floor(key / this.size), key % this.size, weight);
      }
    }
  }
}

/** The pairable values of reliability data (those in units with at least two values). */
interface PairableValues<Value> {
  /** The distinct pairable values, in the order of their keys. */
  values: Value[];
  /** n_c: how often each distinct value occurs among the pairable values. */
  marginals: Float64Array;
  /** n..: the number of pairable values. */
  total: number;
  /** Σ m_u (m_u − 1) / 2: the pairs of values within units. */
  pairs: number;
  /** Units with at least two values. */
  units: number;
  coincidences: Coincidences;
}

/**
 * Tabulates the pairable values of reliability data in one pass over the units: O(values + pairs
 * within units), plus sorting the distinct values.
 */
function tabulate<Value>(
  units: ReliabilityData<Value>,
  keyOf: (value: Value) => Category,
): PairableValues<Value> | UndefinedReason {
  const counts = new AgreementCounts(keyOf, { kappas: false });
  let width = 0;
  for (const unit of units) width = Math.max(width, unit.length);
  const coderSeen = new Uint8Array(width);
  const coders: number[] = [];
  const given: Value[] = [];
  let values = 0;
  for (const unit of units) {
    coders.length = 0;
    given.length = 0;
    for (let coder = 0; coder < unit.length; coder++) {
      const value = unit[coder];
      if (value === null || value === undefined) continue;
      values++;
      coderSeen[coder] = 1;
      coders.push(coder);
      given.push(value);
    }
    counts.change(coders, given, 1);
  }
  if (values === 0) return "no-data";
  return (
    counts.pairable() ??
    (coderSeen.reduce((sum, seen) => sum + seen, 0) === 1 ? "single-annotator" : "no-overlap")
  );
}

/** How many of something, by a number: kept without the numbers whose count went back to 0. */
function bump(counts: Map<number, number>, key: number, by: number): void {
  const count = (counts.get(key) ?? 0) + by;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}

/** Cells of a table of category indexes below 2²¹, as one number each. */
const CELL = 2 ** 21;

/** Fleiss's sums over the units of one size. */
interface FleissSums {
  units: number;
  /** Σ over units of Σ_j n_ij², n_ij the unit's values in category j. */
  squares: number;
  /** Per category index, its values over these units. */
  totals: Map<number, number>;
}

/**
 * Additive counts of reliability data, from which alpha, Fleiss' kappa and every pair of raters'
 * Cohen's kappas are computed: units can be added and taken away again, and since the counts are
 * whole numbers and every figure is computed from them in an order of their own (by category,
 * by unit size, by rater), the figures are the same bit for bit whatever order the units came
 * in. A project's agreement is therefore patched per changed item instead of recomputed from all
 * of its items (decision 033).
 */
export class AgreementCounts<Value> {
  readonly #keyOf: (value: Value) => Category;
  readonly #kappas: boolean;
  readonly #index = new Map<Category, number>();
  readonly #keys: Category[] = [];
  /** The first value seen of each category: what a difference function is given. */
  readonly #representatives: Value[] = [];
  /** n_c by category index, over the pairable values. */
  readonly #marginals: number[] = [];
  #total = 0;
  #pairs = 0;
  #units = 0;
  /** By unit size m: unordered pairs of values within units, by cell (lower index first). */
  readonly #pairsBySize = new Map<number, Map<number, number>>();
  readonly #fleissBySize = new Map<number, FleissSums>();
  /** By rater a, then rater b > a: the pairs of their values, by cell (a's value first). */
  readonly #byRaters = new Map<number, Map<number, Map<number, number>>>();

  /** Without `kappas`, only what alpha needs is counted. */
  constructor(keyOf: (value: Value) => Category, { kappas = true }: { kappas?: boolean } = {}) {
    this.#keyOf = keyOf;
    this.#kappas = kappas;
  }

  /** Units with at least two values. */
  get units(): number {
    return this.#units;
  }

  #indexOf(value: Value): number {
    const key = this.#keyOf(value);
    let index = this.#index.get(key);
    if (index === undefined) {
      index = this.#keys.length;
      if (index >= CELL) throw new RangeError("too many distinct values to count agreement");
      this.#index.set(key, index);
      this.#keys.push(key);
      this.#representatives.push(value);
      this.#marginals.push(0);
    }
    return index;
  }

  /**
   * Adds (`sign` 1) or takes away (−1) a unit: its raters in increasing order and their values.
   * A unit with fewer than two values is not pairable and counts for nothing.
   */
  change(raters: ReadonlyArray<number>, values: ReadonlyArray<Value>, sign: 1 | -1): void {
    const size = values.length;
    if (size < 2) return;
    const indexes = values.map((value) => this.#indexOf(value));
    for (const index of indexes) this.#marginals[index] += sign;
    this.#total += sign * size;
    this.#pairs += (sign * size * (size - 1)) / 2;
    this.#units += sign;
    let pairs = this.#pairsBySize.get(size);
    if (!pairs) {
      pairs = new Map();
      this.#pairsBySize.set(size, pairs);
    }
    for (let first = 0; first < size; first++) {
      for (let second = first + 1; second < size; second++) {
        const c = indexes[first]!;
        const k = indexes[second]!;
        bump(pairs, c <= k ? c * CELL + k : k * CELL + c, sign);
      }
    }
    if (!this.#kappas) return;

    let fleiss = this.#fleissBySize.get(size);
    if (!fleiss) {
      fleiss = { units: 0, squares: 0, totals: new Map() };
      this.#fleissBySize.set(size, fleiss);
    }
    fleiss.units += sign;
    const inUnit = new Map<number, number>();
    for (const index of indexes) bump(inUnit, index, 1);
    for (const [index, count] of inUnit) {
      fleiss.squares += sign * count * count;
      bump(fleiss.totals, index, sign * count);
    }
    for (let first = 0; first < size; first++) {
      let partners = this.#byRaters.get(raters[first]!);
      if (!partners) {
        partners = new Map();
        this.#byRaters.set(raters[first]!, partners);
      }
      for (let second = first + 1; second < size; second++) {
        let cells = partners.get(raters[second]!);
        if (!cells) {
          cells = new Map();
          partners.set(raters[second]!, cells);
        }
        bump(cells, indexes[first]! * CELL + indexes[second]!, sign);
      }
    }
  }

  /** The pairable values, their distinct values in the order of their keys; null if none. */
  pairable(): PairableValues<Value> | null {
    if (this.#units === 0) return null;
    const present = this.#representatives
      .map((value, index) => ({ value, index }))
      .filter(({ index }) => this.#marginals[index]! > 0)
      .sort((a, b) => compareCategories(this.#keys[a.index]!, this.#keys[b.index]!));
    const remap = new Int32Array(this.#keys.length);
    present.forEach(({ index }, position) => (remap[index] = position));
    const coincidences = new Coincidences(present.length);
    // Each unordered pair of a unit's values adds 1/(m_u − 1) to o_ck and to o_kc: counted
    // per unit size, they are added by size, in increasing order.
    for (const size of [...this.#pairsBySize.keys()].sort((a, b) => a - b)) {
      const weight = 2 / (size - 1);
      for (const [cell, count] of this.#pairsBySize.get(size)!) {
        coincidences.add(remap[Math.floor(cell / CELL)], remap[cell % CELL], count * weight);
      }
    }
    return {
      values: present.map(({ value }) => value),
      marginals: Float64Array.from(present, ({ index }) => this.#marginals[index]!),
      total: this.#total,
      pairs: this.#pairs,
      units: this.#units,
      coincidences,
    };
  }

  /**
   * Fleiss' kappa over the units with `raters` values, or, when there are none, over all units
   * if they have one size (else the data are incomplete).
   */
  fleiss(raters: number): Estimate<number> {
    const sizes = [...this.#fleissBySize].filter(([, sums]) => sums.units > 0);
    if (sizes.length === 0) return notEstimable("no-data");
    const chosen =
      sizes.find(([size]) => size === raters) ?? (sizes.length === 1 ? sizes[0] : undefined);
    if (!chosen) return notEstimable("incomplete-data");
    const [size, { units, squares, totals }] = chosen;
    const byCategory = [...totals].sort(([a], [b]) =>
      compareCategories(this.#keys[a]!, this.#keys[b]!),
    );
    return fleissOfSums(
      units,
      size,
      squares,
      byCategory.map(([, total]) => total),
    );
  }

  /** Cohen's kappas of every pair of raters with a unit in common, by rater a, then b > a. */
  cohen(
    weightings: ReadonlyArray<KappaWeights>,
  ): Array<{ a: number; b: number; items: number; kappas: Array<Estimate<number>> }> {
    const pairs: Array<{ a: number; b: number; items: number; kappas: Array<Estimate<number>> }> =
      [];
    for (const a of [...this.#byRaters.keys()].sort((x, y) => x - y)) {
      const partners = this.#byRaters.get(a)!;
      for (const b of [...partners.keys()].sort((x, y) => x - y)) {
        const cells: Array<[Category, Category, number]> = [];
        let items = 0;
        for (const [cell, count] of partners.get(b)!) {
          cells.push([this.#keys[Math.floor(cell / CELL)]!, this.#keys[cell % CELL]!, count]);
          items += count;
        }
        if (items > 0) pairs.push({ a, b, items, kappas: kappasOfTable(cells, weightings) });
      }
    }
    return pairs;
  }
}

/** Everything alpha and its bootstrap need: the tabulation, δ², and both disagreements. */
interface AlphaComponents {
  pairable: PairableValues<unknown>;
  /** The squared difference δ²_ck between distinct values c and k. */
  delta: (c: number, k: number) => number;
  observed: number;
  expected: number;
}

function compareCategories(a: Category, b: Category): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === "number" ? -1 : 1;
}

function alphaComponents(
  units: ReliabilityData<Category>,
  level: AlphaLevel,
): AlphaComponents | UndefinedReason {
  if (level !== "nominal") {
    for (const unit of units) {
      for (let coder = 0; coder < unit.length; coder++) {
        const value = unit[coder];
        if (value === null || value === undefined) continue;
        if (typeof value !== "number" || !Number.isFinite(value)) return "non-numeric-values";
        if (level === "ratio" && value < 0) return "negative-values";
      }
    }
  }
  const pairable = tabulate(units, (value) => value);
  return typeof pairable === "string" ? pairable : alphaComponentsOf(pairable, level);
}

function alphaComponentsOf(
  pairable: PairableValues<Category>,
  level: AlphaLevel,
): AlphaComponents | UndefinedReason {
  if (level !== "nominal") {
    for (const value of pairable.values) {
      if (typeof value !== "number" || !Number.isFinite(value)) return "non-numeric-values";
      if (level === "ratio" && value < 0) return "negative-values";
    }
  }
  const { marginals, total } = pairable;
  if (marginals.length < 2) return "no-variation";

  const numbers = pairable.values as number[];
  let delta: (c: number, k: number) => number;
  let expectedSum: number;
  if (level === "nominal") {
    delta = (c, k) => (c === k ? 0 : 1);
    expectedSum = total * total - marginals.reduce((sum, count) => sum + count * count, 0);
  } else if (level === "ratio") {
    delta = (c, k) => (c === k ? 0 : ((numbers[c] - numbers[k]) / (numbers[c] + numbers[k])) ** 2);
    expectedSum = expectedByPairs(marginals, delta);
  } else {
    // Krippendorff's ordinal difference, (Σ_{g=c..k} n_g − (n_c + n_k)/2)², is the interval
    // difference between the values' mid-ranks among the pairable values.
    const positions = level === "interval" ? scaledToUnit(numbers) : midRanks(marginals);
    delta = (c, k) => (positions[c] - positions[k]) ** 2;
    let mean = 0;
    for (let c = 0; c < positions.length; c++) mean += marginals[c] * positions[c];
    mean /= total;
    let squares = 0;
    for (let c = 0; c < positions.length; c++) squares += marginals[c] * (positions[c] - mean) ** 2;
    // Σ_c Σ_k n_c n_k (y_c − y_k)² = 2 n.. Σ_c n_c (y_c − ȳ)².
    expectedSum = 2 * total * squares;
  }
  let observedSum = 0;
  pairable.coincidences.forEach((c, k, weight) => (observedSum += weight * delta(c, k)));
  return {
    pairable,
    delta,
    observed: observedSum / total,
    expected: expectedSum / (total * (total - 1)),
  };
}

/** Σ_c Σ_k n_c n_k δ²_ck over the distinct values, for differences without a closed form. */
function expectedByPairs(marginals: Float64Array, delta: (c: number, k: number) => number): number {
  let sum = 0;
  for (let c = 0; c < marginals.length; c++) {
    for (let k = c + 1; k < marginals.length; k++)
      sum += 2 * marginals[c] * marginals[k] * delta(c, k);
  }
  return sum;
}

/**
 * Interval values divided by the largest magnitude: alpha does not change with the unit of
 * measurement, and squares of values near 10¹⁵⁴ would overflow to Infinity.
 */
function scaledToUnit(values: number[]): Float64Array {
  const largest = values.reduce((most, value) => Math.max(most, Math.abs(value)), 0);
  return Float64Array.from(values, (value) => (largest > 0 ? value / largest : value));
}

function midRanks(marginals: Float64Array): Float64Array {
  const ranks = new Float64Array(marginals.length);
  let below = 0;
  for (let c = 0; c < marginals.length; c++) {
    ranks[c] = below + marginals[c] / 2;
    below += marginals[c];
  }
  return ranks;
}

function alphaFrom(components: AlphaComponents): Estimate<number> {
  if (!(components.expected > 0)) return notEstimable("no-variation");
  return estimated(1 - components.observed / components.expected);
}

/**
 * Krippendorff's alpha by the coincidence-matrix method of Krippendorff (2011), "Computing
 * Krippendorff's Alpha-Reliability", at the nominal, ordinal, interval or ratio level. Units with
 * fewer than two values are not pairable and are left out. Alpha lies in (−1, 1] at every level
 * (docs/decisions/019). Cost: O(values + pairs within units); the ratio level adds O(distinct
 * values²), having no closed form for the expected disagreement.
 */
export function krippendorffAlpha(
  units: ReliabilityData<Category>,
  level: AlphaLevel,
): Estimate<number> {
  const components = alphaComponents(units, level);
  return typeof components === "string" ? notEstimable(components) : alphaFrom(components);
}

/**
 * Krippendorff's alpha for values compared by any difference function δ² (Krippendorff 2011
 * lets the metric vary): `keyOf` says when two values are the same value. The expected
 * disagreement costs O(distinct values²).
 */
export function krippendorffAlphaByDifference<Value>(
  units: ReliabilityData<Value>,
  keyOf: (value: Value) => Category,
  difference: (a: Value, b: Value) => number,
): Estimate<number> {
  const pairable = tabulate(units, keyOf);
  return typeof pairable === "string"
    ? notEstimable(pairable)
    : alphaByDifferenceOf(pairable, difference);
}

function alphaByDifferenceOf<Value>(
  pairable: PairableValues<Value>,
  difference: (a: Value, b: Value) => number,
): Estimate<number> {
  if (pairable.values.length < 2) return notEstimable("no-variation");
  const delta = (c: number, k: number) =>
    c === k ? 0 : difference(pairable.values[c], pairable.values[k]);
  let observedSum = 0;
  pairable.coincidences.forEach((c, k, weight) => (observedSum += weight * delta(c, k)));
  const { total } = pairable;
  return alphaFrom({
    pairable,
    delta,
    observed: observedSum / total,
    expected: expectedByPairs(pairable.marginals, delta) / (total * (total - 1)),
  });
}

const alphaIntervalOptions = z.object({
  confidence: z.number().gt(0.5).lt(1).default(0.95),
  samples: z.number().int().min(100).max(100_000).default(1000),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  minimums: z.array(z.number().gt(-1).lte(1)).max(20).default([0.667, 0.8]),
});

export type AlphaIntervalOptions = z.input<typeof alphaIntervalOptions>;

export interface AlphaInterval {
  alpha: number;
  lower: number;
  upper: number;
  confidence: number;
  /** Bootstrap samples drawn. */
  samples: number;
  /** Pairs of values drawn per sample: every pair of values within a unit, Σ m_u(m_u − 1)/2. */
  pairs: number;
  /** Units with at least two values. */
  units: number;
  /** For each minimum, the share of samples below it: q(α < α_min) of Hayes & Krippendorff. */
  belowMinimum: Array<{ minimum: number; probability: number }>;
}

/**
 * Krippendorff's alpha with a bootstrap confidence interval by the algorithm of Hayes &
 * Krippendorff (2007) and Krippendorff's "Algorithm for bootstrapping a distribution of α"
 * (2006, rev. 2011): each sample draws as many pairs of values as the data have, with
 * replacement, from the coincidence matrix (cell c–k with probability o_ck/n..), and takes
 * α* = 1 − mean δ² / D_e with D_e held at the data's; α* below −1 counts as −1, and a sample
 * whose pairs all fall into one diagonal cell has no variation and counts as 0. The interval is
 * the percentile interval at KALPHA's positions.
 *
 * A sample's α* depends only on how many of its pairs fall into each cell, which is one
 * multinomial draw; drawing it as a chain of binomials over the distinct differences makes
 * each sample cost O(distinct differences) instead of O(pairs). A seed gives the same interval
 * on every platform.
 */
export function krippendorffAlphaInterval(
  units: ReliabilityData<Category>,
  level: AlphaLevel,
  options: AlphaIntervalOptions = {},
): Estimate<AlphaInterval> {
  const parsedOptions = alphaIntervalOptions.safeParse(options);
  if (!parsedOptions.success) return notEstimable("invalid-options");
  const components = alphaComponents(units, level);
  return typeof components === "string"
    ? notEstimable(components)
    : intervalOf(components, parsedOptions.data);
}

function alphaComponentsOfCounts(
  counts: AgreementCounts<Category>,
  level: AlphaLevel,
): AlphaComponents | UndefinedReason {
  const pairable = counts.pairable();
  return pairable ? alphaComponentsOf(pairable, level) : "no-overlap";
}

/** `krippendorffAlpha` of the units counted. */
export function krippendorffAlphaOfCounts(
  counts: AgreementCounts<Category>,
  level: AlphaLevel,
): Estimate<number> {
  const components = alphaComponentsOfCounts(counts, level);
  return typeof components === "string" ? notEstimable(components) : alphaFrom(components);
}

/** `krippendorffAlphaInterval` of the units counted, with the default options. */
export function krippendorffAlphaIntervalOfCounts(
  counts: AgreementCounts<Category>,
  level: AlphaLevel,
): Estimate<AlphaInterval> {
  const components = alphaComponentsOfCounts(counts, level);
  return typeof components === "string"
    ? notEstimable(components)
    : intervalOf(components, alphaIntervalOptions.parse({}));
}

/** `masiAlpha` of the answers counted, keyed by {@link answerSetKey}. */
export function masiAlphaOfCounts(
  counts: AgreementCounts<ReadonlyArray<Category>>,
): Estimate<number> {
  const pairable = counts.pairable();
  return pairable ? alphaByDifferenceOf(pairable, masiDistance) : notEstimable("no-overlap");
}

function intervalOf(
  components: AlphaComponents,
  { confidence, samples, seed, minimums }: z.output<typeof alphaIntervalOptions>,
): Estimate<AlphaInterval> {
  const alpha = alphaFrom(components);
  if (alpha.value === null) return notEstimable(alpha.reason);

  const { pairable, delta, expected } = components;
  const massByDifference = new Map<number, number>();
  const diagonal: number[] = [];
  pairable.coincidences.forEach((c, k, weight) => {
    const mass = weight / pairable.total;
    const difference = delta(c, k);
    massByDifference.set(difference, (massByDifference.get(difference) ?? 0) + mass);
    if (c === k) diagonal.push(mass);
  });
  // The largest masses first, so that the chain ends early when a sample has few pairs.
  const differences = [...massByDifference].sort((a, b) => b[1] - a[1]);
  const draws = pairable.pairs;
  const random = new SeededRandom(seed);

  const replicates = new Float64Array(samples);
  for (let sample = 0; sample < samples; sample++) {
    let remaining = draws;
    let massLeft = 1;
    let differenceSum = 0;
    for (let group = 0; group < differences.length && remaining > 0; group++) {
      const [difference, mass] = differences[group];
      const drawn =
        group === differences.length - 1
          ? remaining
          : random.binomial(remaining, Math.min(1, mass / massLeft));
      differenceSum += drawn * difference;
      remaining -= drawn;
      massLeft -= mass;
    }
    replicates[sample] =
      differenceSum === 0
        ? allInOneCell(random, diagonal, draws)
          ? 0
          : 1
        : Math.max(-1, 1 - differenceSum / (draws * expected));
  }
  replicates.sort();
  const tail = (1 - confidence) / 2;
  const lowerPosition = Math.max(0, Math.floor(tail * samples + 1e-9) - 1);
  const upperPosition = Math.min(samples - 1, Math.floor((1 - tail) * samples + 1e-9));
  return estimated({
    alpha: alpha.value,
    lower: replicates[lowerPosition],
    upper: replicates[upperPosition],
    confidence,
    samples,
    pairs: draws,
    units: pairable.units,
    belowMinimum: minimums.map((minimum) => ({
      minimum,
      probability: replicates.filter((value) => value < minimum).length / samples,
    })),
  });
}

/** Whether `draws` pairs, spread over the diagonal cells by their masses, all land in one. */
function allInOneCell(random: SeededRandom, masses: number[], draws: number): boolean {
  let remaining = draws;
  let massLeft = masses.reduce((sum, mass) => sum + mass, 0);
  for (let cell = 0; cell < masses.length; cell++) {
    const drawn =
      cell === masses.length - 1
        ? remaining
        : random.binomial(remaining, Math.min(1, masses[cell] / massLeft));
    if (drawn === draws) return true;
    if (drawn > 0) return false;
    remaining -= drawn;
    massLeft -= masses[cell];
  }
  return false;
}

/**
 * Fleiss' kappa (Fleiss 1971) from a subjects × categories table of how many raters put each
 * subject in each category; every subject must have the same number of raters.
 */
export function fleissKappa(counts: ReadonlyArray<ReadonlyArray<number>>): Estimate<number> {
  if (counts.length === 0) return notEstimable("no-data");
  const raters = counts[0].reduce((sum, count) => sum + count, 0);
  if (raters === 0) return notEstimable("no-data");
  if (raters < 2) return notEstimable("single-annotator");
  for (const row of counts) {
    if (
      row.length !== counts[0].length ||
      row.some((count) => !Number.isInteger(count) || count < 0)
    ) {
      return notEstimable("invalid-options");
    }
    if (row.reduce((sum, count) => sum + count, 0) !== raters)
      return notEstimable("incomplete-data");
  }
  const totals = counts[0].map((_, category) =>
    counts.reduce((sum, row) => sum + row[category], 0),
  );
  const squares = counts.reduce(
    (sum, row) => sum + row.reduce((inner, count) => inner + count * count, 0),
    0,
  );
  return fleissOfSums(counts.length, raters, squares, totals);
}

/**
 * Fleiss' kappa from whole-number sums: `subjects` rated by `raters` each, Σ_i Σ_j n_ij² over
 * them, and each category's total Σ_i n_ij, in the order the chance agreement sums them.
 */
function fleissOfSums(
  subjects: number,
  raters: number,
  squares: number,
  totals: ReadonlyArray<number>,
): Estimate<number> {
  // P̄ = (1/N) Σ_i (Σ_j n_ij² − n) / (n (n − 1)), with the sum over subjects taken in whole numbers.
  const meanAgreement = (squares - subjects * raters) / (raters * (raters - 1)) / subjects;
  let chanceAgreement = 0;
  for (const total of totals) {
    const share = total / (subjects * raters);
    chanceAgreement += share * share;
  }
  return chanceAgreement >= 1
    ? notEstimable("no-variation")
    : estimated((meanAgreement - chanceAgreement) / (1 - chanceAgreement));
}

/**
 * Disagreement weights of Cohen's (1968) weighted kappa: none (every disagreement counts 1),
 * linear |a − b| or quadratic (a − b)² in the values themselves, so a rating scale's gaps count
 * even where no rater used the values in between.
 */
export type KappaWeights = "unweighted" | "linear" | "quadratic";

/**
 * Cohen's kappa (Cohen 1960), or weighted kappa (Cohen 1968), for two raters over the items both
 * rated: κ_w = 1 − Σ w·p_observed / Σ w·p_chance with chance from each rater's own marginals.
 * Unweighted kappa is the special case w = 1 off the diagonal.
 */
export function cohenKappa<Value extends Category>(
  first: ReadonlyArray<Value | null>,
  second: ReadonlyArray<Value | null>,
  weights: KappaWeights = "unweighted",
): Estimate<number> {
  return cohenKappas(first, second, [weights])[0]!;
}

/**
 * `cohenKappa` of the same two raters under several weightings, one figure per weighting, each
 * exactly what `cohenKappa` gives: the categories are indexed once for all of them.
 */
export function cohenKappas<Value extends Category>(
  first: ReadonlyArray<Value | null>,
  second: ReadonlyArray<Value | null>,
  weightings: ReadonlyArray<KappaWeights>,
): Array<Estimate<number>> {
  const every = (estimate: Estimate<number>) => weightings.map(() => estimate);
  if (first.length !== second.length) return every(notEstimable("invalid-options"));
  const firstRated = first.some((value) => value !== null);
  const secondRated = second.some((value) => value !== null);
  if (!firstRated && !secondRated) return every(notEstimable("no-data"));
  if (!firstRated || !secondRated) return every(notEstimable("single-annotator"));
  const numeric = (values: ReadonlyArray<Value | null>) =>
    values.every(
      (value) => value === null || (typeof value === "number" && Number.isFinite(value)),
    );
  const bothNumeric = weightings.some((weights) => weights !== "unweighted")
    ? numeric(first) && numeric(second)
    : true;

  const cells = new Map<Category, Map<Category, number>>();
  for (let item = 0; item < first.length; item++) {
    const a = first[item];
    const b = second[item];
    if (a === null || b === null) continue;
    let row = cells.get(a);
    if (!row) {
      row = new Map();
      cells.set(a, row);
    }
    row.set(b, (row.get(b) ?? 0) + 1);
  }
  const table = [...cells].flatMap(([a, row]) =>
    [...row].map(([b, count]): [Category, Category, number] => [a, b, count]),
  );
  if (table.length === 0) {
    return weightings.map((weights) =>
      weights !== "unweighted" && !bothNumeric
        ? notEstimable("non-numeric-values")
        : notEstimable("no-overlap"),
    );
  }
  return kappasOfTable(table, weightings, bothNumeric);
}

/**
 * Cohen's kappas from a contingency table of two raters, one `[first's value, second's value,
 * units]` cell per pair of values given together. The distinct values are put in order and every
 * sum runs over them in that order, so the same table gives the same figures bit for bit
 * whatever order its cells come in. `numeric` is false when either rater gave a value that is not
 * a finite number anywhere, which leaves the weighted kappas undefined.
 */
function kappasOfTable(
  table: ReadonlyArray<readonly [Category, Category, number]>,
  weightings: ReadonlyArray<KappaWeights>,
  numeric = table.every(
    ([a, b]) =>
      typeof a === "number" && Number.isFinite(a) && typeof b === "number" && Number.isFinite(b),
  ),
): Array<Estimate<number>> {
  const categories = [...new Set(table.flatMap(([a, b]) => [a, b]))].sort(compareCategories);
  const index = new Map(categories.map((category, position) => [category, position]));
  const size = categories.length;
  const counts = new Float64Array(size * size);
  const firstMarginals = new Float64Array(size);
  const secondMarginals = new Float64Array(size);
  let pairCount = 0;
  for (const [a, b, count] of table) {
    const c = index.get(a)!;
    const k = index.get(b)!;
    counts[c * size + k] += count;
    firstMarginals[c] += count;
    secondMarginals[k] += count;
    pairCount += count;
  }
  // Kappa does not change when every weight is multiplied by one number; dividing the values by
  // the largest keeps squares of huge values finite.
  const largest = categories.reduce<number>(
    (most, value) => (typeof value === "number" ? Math.max(most, Math.abs(value)) : most),
    0,
  );
  return weightings.map((weights): Estimate<number> => {
    if (weights !== "unweighted" && !numeric) return notEstimable("non-numeric-values");
    if (pairCount === 0) return notEstimable("no-overlap");
    const weightOf = (c: number, k: number) => {
      if (c === k) return 0;
      if (weights === "unweighted") return 1;
      const gap = Math.abs(
        (categories[c] as number) / largest - (categories[k] as number) / largest,
      );
      return weights === "linear" ? gap : gap * gap;
    };
    let observed = 0;
    let chance = 0;
    for (let c = 0; c < size; c++) {
      for (let k = 0; k < size; k++) {
        const weight = weightOf(c, k);
        observed += counts[c * size + k] * weight;
        chance += firstMarginals[c] * secondMarginals[k] * weight;
      }
    }
    observed /= pairCount;
    chance /= pairCount * pairCount;
    return chance > 0 ? estimated(1 - observed / chance) : notEstimable("no-variation");
  });
}

export interface PairwiseKappa {
  /** Column (coder) indexes of the pair, first < second. */
  first: number;
  second: number;
  /** Units both coders rated. */
  items: number;
  kappa: Estimate<number>;
}

/** Cohen's kappa for every pair of coders (columns) of reliability data. */
export function pairwiseCohenKappa<Value extends Category>(
  units: ReliabilityData<Value>,
  weights: KappaWeights = "unweighted",
): PairwiseKappa[] {
  const coders = units.reduce((most, unit) => Math.max(most, unit.length), 0);
  const column = (coder: number) => units.map((unit) => unit[coder] ?? null);
  const results: PairwiseKappa[] = [];
  for (let first = 0; first < coders; first++) {
    for (let second = first + 1; second < coders; second++) {
      const a = column(first);
      const b = column(second);
      results.push({
        first,
        second,
        items: a.filter((value, item) => value !== null && b[item] !== null).length,
        kappa: cohenKappa(a, b, weights),
      });
    }
  }
  return results;
}

/**
 * The MASI distance of Passonneau (2006) between two sets of options: 1 − J·M, J the Jaccard
 * index and M the monotonicity weight, 1 for identical sets, 2/3 when one contains the other,
 * 1/3 when they overlap otherwise, 0 when disjoint. Two empty sets are identical.
 */
export function masiDistance(
  first: ReadonlyArray<Category>,
  second: ReadonlyArray<Category>,
): number {
  const a = new Set(first);
  const b = new Set(second);
  let shared = 0;
  for (const option of a) if (b.has(option)) shared++;
  const union = a.size + b.size - shared;
  if (shared === a.size && shared === b.size) return 0;
  const monotonicity = shared === a.size || shared === b.size ? 2 / 3 : shared > 0 ? 1 / 3 : 0;
  return 1 - (shared / union) * monotonicity;
}

/**
 * Krippendorff's alpha for multiple-choice answers (sets of options) with the MASI distance as
 * δ² (Passonneau 2006): partial overlap is partial agreement. The order of options within an
 * answer does not matter.
 */
export function masiAlpha(units: ReliabilityData<ReadonlyArray<Category>>): Estimate<number> {
  return krippendorffAlphaByDifference(units, answerSetKey, masiDistance);
}

/** What makes two multiple-choice answers the same: their options as a set. */
export function answerSetKey(answer: ReadonlyArray<Category>): string {
  return JSON.stringify([...new Set(answer)].sort(compareCategories));
}

export interface Concordance {
  /** Kendall's W, from 0 (no agreement) to 1 (identical rankings). */
  w: number;
  /** Friedman's χ² = m (n − 1) W, with n − 1 degrees of freedom. */
  chiSquared: number;
  degreesOfFreedom: number;
  /** Objects ranked (rows with every rater's score) and raters. */
  objects: number;
  raters: number;
}

/**
 * Kendall's coefficient of concordance W (Kendall & Babington Smith 1939) for raters who each
 * score or rank the same objects: rows are objects, columns raters. Each rater's scores become
 * mid-ranks; with `correctTies` the denominator loses m·Σ(t³ − t) over each rater's groups of t
 * tied objects (Kendall 1948; Siegel & Castellan 1988). Objects missing a rater's score are left
 * out.
 */
export function kendallW(
  scores: ReadonlyArray<ReadonlyArray<number | null>>,
  { correctTies = true }: { correctTies?: boolean } = {},
): Estimate<Concordance> {
  if (scores.every((row) => row.every((score) => score === null))) return notEstimable("no-data");
  const raters = scores.reduce((most, row) => Math.max(most, row.length), 0);
  const complete = scores.filter(
    (row) => row.length === raters && row.every((score) => score !== null),
  ) as number[][];
  if (complete.some((row) => row.some((score) => !Number.isFinite(score)))) {
    return notEstimable("non-numeric-values");
  }
  if (raters < 2) return notEstimable("single-annotator");
  const objects = complete.length;
  if (objects < 2) return notEstimable("incomplete-data");

  const rankSums = new Float64Array(objects);
  let ties = 0;
  for (let rater = 0; rater < raters; rater++) {
    const order = complete.map((row, object) => ({ score: row[rater], object }));
    order.sort((a, b) => a.score - b.score);
    for (let start = 0; start < objects;) {
      let end = start + 1;
      while (end < objects && order[end].score === order[start].score) end++;
      const midRank = (start + 1 + end) / 2;
      for (let position = start; position < end; position++) {
        rankSums[order[position].object] += midRank;
      }
      const tied = end - start;
      ties += tied * tied * tied - tied;
      start = end;
    }
  }
  const meanRankSum = (raters * (objects + 1)) / 2;
  let deviations = 0;
  for (const sum of rankSums) deviations += (sum - meanRankSum) ** 2;
  const denominator =
    raters * raters * (objects ** 3 - objects) - (correctTies ? raters * ties : 0);
  if (!(denominator > 0)) return notEstimable("no-variation");
  const w = (12 * deviations) / denominator;
  return estimated({
    w,
    chiSquared: raters * (objects - 1) * w,
    degreesOfFreedom: objects - 1,
    objects,
    raters,
  });
}

/**
 * Scores for {@link kendallW} from rankings given as lists of ids, best first: one row per id,
 * one column per ranking, the id's position (1 = best) or null where a ranking lacks it.
 */
export function rankingScores(
  rankings: ReadonlyArray<ReadonlyArray<string> | null>,
): Array<Array<number | null>> {
  const ids = [...new Set(rankings.flatMap((ranking) => ranking ?? []))].sort();
  return ids.map((id) =>
    rankings.map((ranking) => {
      const position = ranking?.indexOf(id) ?? -1;
      return position === -1 ? null : position + 1;
    }),
  );
}
