/**
 * Inter-annotator agreement, computed as the published references define it. Pure functions:
 * data in, numbers out; every one is tested against a worked example from its source.
 */

export type AlphaLevel = "nominal" | "ordinal" | "interval" | "ratio";

/** One unit (item) per row: the values its coders gave, `null` where a coder gave none. */
export type ReliabilityData<Value> = ReadonlyArray<ReadonlyArray<Value | null>>;

/**
 * Krippendorff's alpha by the coincidence-matrix method of Krippendorff (2011), "Computing
 * Krippendorff's Alpha-Reliability". Units with fewer than two values are not pairable and are
 * left out. Returns null when alpha is undefined: fewer than two pairable values, or no variation
 * at all (expected disagreement 0).
 */
export function krippendorffAlpha<Value extends string | number>(
  units: ReliabilityData<Value>,
  level: AlphaLevel,
): number | null {
  const pairable = units
    .map((unit) => unit.filter((value): value is Value => value !== null))
    .filter((values) => values.length >= 2);
  const categories = [...new Set(pairable.flat())];
  if (level !== "nominal" && categories.some((value) => typeof value !== "number")) {
    throw new TypeError(`${level} alpha needs numeric values`);
  }
  categories.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(categories.map((value, position) => [value, position]));
  const size = categories.length;

  const coincidences = Array.from({ length: size }, () => new Float64Array(size));
  for (const values of pairable) {
    const weight = 1 / (values.length - 1);
    for (let first = 0; first < values.length; first++) {
      for (let second = 0; second < values.length; second++) {
        if (first === second) continue;
        coincidences[index.get(values[first])!][index.get(values[second])!] += weight;
      }
    }
  }
  const marginals = coincidences.map((row) => row.reduce((sum, count) => sum + count, 0));
  const total = marginals.reduce((sum, count) => sum + count, 0);
  if (total < 2) return null;

  const distance = differenceFunction(level, categories as number[], marginals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < size; c++) {
    for (let k = 0; k < size; k++) {
      if (c === k) continue;
      const delta = distance(c, k);
      observed += coincidences[c][k] * delta;
      expected += marginals[c] * marginals[k] * delta;
    }
  }
  observed /= total;
  expected /= total * (total - 1);
  return expected === 0 ? null : 1 - observed / expected;
}

/** The squared difference δ² between categories c and k (positions in sorted order). */
function differenceFunction(
  level: AlphaLevel,
  values: number[],
  marginals: number[],
): (c: number, k: number) => number {
  switch (level) {
    case "nominal":
      return (c, k) => (c === k ? 0 : 1);
    case "interval":
      return (c, k) => (values[c] - values[k]) ** 2;
    case "ratio":
      return (c, k) => {
        const sum = values[c] + values[k];
        return sum === 0 ? 0 : ((values[c] - values[k]) / sum) ** 2;
      };
    case "ordinal":
      return (c, k) => {
        const [low, high] = c < k ? [c, k] : [k, c];
        let between = 0;
        for (let g = low; g <= high; g++) between += marginals[g];
        return (between - (marginals[c] + marginals[k]) / 2) ** 2;
      };
  }
}

/**
 * Fleiss' kappa (Fleiss 1971) from a subjects × categories table of how many raters put each
 * subject in each category; every subject must have the same number of raters.
 */
export function fleissKappa(counts: ReadonlyArray<ReadonlyArray<number>>): number | null {
  if (counts.length === 0) return null;
  const raters = counts[0].reduce((sum, count) => sum + count, 0);
  if (raters < 2) return null;
  for (const row of counts) {
    if (row.reduce((sum, count) => sum + count, 0) !== raters) {
      throw new RangeError("Fleiss' kappa needs the same number of ratings for every subject");
    }
  }
  const subjects = counts.length;
  const categoryCount = counts[0].length;
  const meanAgreement =
    counts.reduce(
      (sum, row) =>
        sum +
        (row.reduce((inner, count) => inner + count * count, 0) - raters) / (raters * (raters - 1)),
      0,
    ) / subjects;
  let chanceAgreement = 0;
  for (let category = 0; category < categoryCount; category++) {
    const share = counts.reduce((sum, row) => sum + row[category], 0) / (subjects * raters);
    chanceAgreement += share * share;
  }
  return chanceAgreement === 1 ? null : (meanAgreement - chanceAgreement) / (1 - chanceAgreement);
}

/** Cohen's kappa (Cohen 1960) for two raters who each rated the same items. */
export function cohenKappa<Value extends string | number>(
  first: ReadonlyArray<Value>,
  second: ReadonlyArray<Value>,
): number | null {
  if (first.length !== second.length) throw new RangeError("both raters must rate the same items");
  const items = first.length;
  if (items === 0) return null;
  const categories = new Set([...first, ...second]);
  let agreements = 0;
  for (let position = 0; position < items; position++) {
    if (first[position] === second[position]) agreements++;
  }
  const observed = agreements / items;
  let chance = 0;
  for (const category of categories) {
    const firstShare = first.filter((value) => value === category).length / items;
    const secondShare = second.filter((value) => value === category).length / items;
    chance += firstShare * secondShare;
  }
  return chance === 1 ? null : (observed - chance) / (1 - chance);
}
