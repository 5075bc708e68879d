import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AgreementCounts,
  cohenKappa,
  fleissKappa,
  kendallW,
  krippendorffAlpha,
  krippendorffAlphaByDifference,
  krippendorffAlphaInterval,
  krippendorffAlphaOfCounts,
  masiAlpha,
  masiDistance,
  pairwiseCohenKappa,
  rankingScores,
  type AlphaLevel,
  type ReliabilityData,
} from "./agreement.ts";
import { SeededRandom } from "./random.ts";

describe("krippendorffAlpha", () => {
  // Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
  // Pennsylvania, section C: four observers, twelve units, values 1–5, with missing data.
  const example = [
    [1, 1, null, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [null, 5, 5, 5],
    [null, null, 1, 1],
    [null, 3, null, null],
  ];

  it("matches the published nominal, ordinal, interval and ratio values", () => {
    expect(krippendorffAlpha(example, "nominal").value).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(example, "ordinal").value).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(example, "interval").value).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(example, "ratio").value).toBeCloseTo(0.797, 3);
  });

  it("is the same counted unit by unit, units taken away included", () => {
    for (const level of ["nominal", "ordinal", "interval", "ratio"] as const) {
      const counts = new AgreementCounts<string | number>((value) => value, { kappas: false });
      const change = (unit: ReadonlyArray<number | null>, sign: 1 | -1) => {
        const raters = unit.flatMap((value, rater) => (value === null ? [] : [rater]));
        counts.change(
          raters,
          raters.map((rater) => unit[rater]!),
          sign,
        );
      };
      for (const unit of example) change(unit, 1);
      change([5, 5, 1, 2], 1);
      change([5, 5, 1, 2], -1);
      expect(krippendorffAlphaOfCounts(counts, level)).toEqual(krippendorffAlpha(example, level));
    }
    expect(
      krippendorffAlphaOfCounts(new AgreementCounts<string | number>((value) => value), "nominal"),
    ).toEqual({ value: null, reason: "no-overlap" });
  });

  it("matches the published binary example for two observers", () => {
    // Krippendorff (2011), section A: two observers, ten units, binary data, α = 0.095.
    const observerA = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const observerB = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    const units = observerA.map((value, unit) => [value, observerB[unit]]);
    expect(krippendorffAlpha(units, "nominal").value).toBeCloseTo(0.095, 3);
  });

  it("accepts nominal string values", () => {
    const units = [
      ["safe", "safe"],
      ["unsafe", "unsafe"],
      ["safe", "unsafe"],
      ["unsafe", "unsafe"],
    ];
    const numeric = units.map((unit) => unit.map((value) => (value === "safe" ? 0 : 1)));
    expect(krippendorffAlpha(units, "nominal").value).toBeCloseTo(
      krippendorffAlpha(numeric, "nominal").value!,
      12,
    );
  });

  it("is 1 for perfect agreement with variation, and undefined without variation", () => {
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [2, 2],
        ],
        "interval",
      ),
    ).toEqual({ value: 1, reason: null });
    expect(krippendorffAlpha([[3, 3, 3]], "ordinal")).toEqual({
      value: null,
      reason: "no-variation",
    });
    expect(krippendorffAlpha([[3], [4]], "ordinal")).toEqual({
      value: null,
      reason: "single-annotator",
    });
  });
});

describe("fleissKappa", () => {
  // Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters,
  // 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
  it("matches the worked example", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(table).value).toBeCloseTo(0.21, 3);
  });

  it("gives a reason instead of a value for tables it cannot measure", () => {
    expect(
      fleissKappa([
        [1, 1],
        [2, 1],
      ]),
    ).toEqual({ value: null, reason: "incomplete-data" });
    expect(fleissKappa([])).toEqual({ value: null, reason: "no-data" });
    expect(fleissKappa([[1, 0]])).toEqual({ value: null, reason: "single-annotator" });
    expect(
      fleissKappa([
        [3, 0],
        [3, 0],
      ]),
    ).toEqual({ value: null, reason: "no-variation" });
  });
});

describe("cohenKappa", () => {
  // Wikipedia's "Cohen's kappa" example: 50 grant proposals, yes/yes 20, yes/no 5, no/yes 10,
  // no/no 15; p_o = 0.7, p_e = 0.5, κ = 0.4.
  it("matches the worked example", () => {
    const first = [
      ...Array<string>(20).fill("yes"),
      ...Array<string>(5).fill("yes"),
      ...Array<string>(10).fill("no"),
      ...Array<string>(15).fill("no"),
    ];
    const second = [
      ...Array<string>(20).fill("yes"),
      ...Array<string>(5).fill("no"),
      ...Array<string>(10).fill("yes"),
      ...Array<string>(15).fill("no"),
    ];
    expect(cohenKappa(first, second).value).toBeCloseTo(0.4, 10);
  });
});

/**
 * Hayes & Krippendorff (2007), "Answering the call for a standard reliability measure for
 * coding data", Table 1: 40 units, five observers, ordinal codes 0–3, with missing data. The
 * paper reports ordinal α = 0.7598 and bootstraps from its 239 pairs of judgments.
 */
const hayesKrippendorff: ReliabilityData<number> = [
  "1 1 2 . 2",
  "1 1 0 1 .",
  "2 3 3 3 .",
  ". 0 0 . 0",
  "0 0 0 . 0",
  "0 0 0 . 0",
  "1 0 2 . 1",
  "1 . 2 0 .",
  "2 2 2 . 2",
  "2 1 1 1 .",
  ". 1 0 0 .",
  "0 0 0 0 .",
  "1 2 2 2 .",
  "3 3 2 2 3",
  "1 1 1 . 1",
  "1 1 1 . 1",
  "2 1 2 . 2",
  "1 2 3 3 .",
  "1 1 0 1 .",
  "0 0 0 . 0",
  "0 0 1 1 .",
  "0 0 . 0 0",
  "2 3 3 3 .",
  "0 0 0 0 .",
  "1 2 . 2 2",
  "0 1 1 1 .",
  "0 0 0 1 0",
  "1 2 1 2 .",
  "1 1 2 2 .",
  "1 1 2 . 2",
  "1 1 0 . 0",
  "2 1 2 1 .",
  "2 2 . 2 2",
  "3 2 2 2 .",
  "2 2 2 . 2",
  "2 2 3 . 2",
  "2 2 2 . 2",
  "2 2 . 1 2",
  "2 2 2 2 .",
  "1 1 1 . 1",
].map((row) => row.split(" ").map((value) => (value === "." ? null : Number(value))));

const levels: AlphaLevel[] = ["nominal", "ordinal", "interval", "ratio"];

describe("krippendorffAlpha, published and hand-computed values", () => {
  it("matches Hayes & Krippendorff's (2007) ordinal alpha of 0.7598", () => {
    expect(krippendorffAlpha(hayesKrippendorff, "ordinal").value).toBeCloseTo(0.7598, 4);
  });

  it("matches alphas computed by hand from Krippendorff's formulas (tests/integration/quality.test.ts)", () => {
    expect(
      krippendorffAlpha(
        [
          [4, 4, 2],
          [2, 3],
          [5, 4],
        ],
        "interval",
      ).value,
    ).toBeCloseTo(1 / 3, 12);
    // Negative values: the ordinal difference uses ranks, not the values themselves.
    expect(
      krippendorffAlpha(
        [
          [2, 2, 1],
          [-2, -1],
          [2, -2],
        ],
        "ordinal",
      ).value,
    ).toBeCloseTo(13 / 119, 12);
  });

  it("gives each case where alpha is undefined its reason, and never throws", () => {
    expect(krippendorffAlpha([], "nominal")).toEqual({ value: null, reason: "no-data" });
    expect(krippendorffAlpha([[null, null], [null]], "interval")).toEqual({
      value: null,
      reason: "no-data",
    });
    expect(
      krippendorffAlpha(
        [
          [1, null],
          [2, null],
        ],
        "interval",
      ),
    ).toEqual({
      value: null,
      reason: "single-annotator",
    });
    expect(
      krippendorffAlpha(
        [
          [1, null],
          [null, 2],
        ],
        "interval",
      ),
    ).toEqual({
      value: null,
      reason: "no-overlap",
    });
    expect(
      krippendorffAlpha(
        [
          [2, 2],
          [2, 2, 2],
        ],
        "nominal",
      ),
    ).toEqual({
      value: null,
      reason: "no-variation",
    });
    expect(krippendorffAlpha([["a", "b"]], "ordinal")).toEqual({
      value: null,
      reason: "non-numeric-values",
    });
    expect(krippendorffAlpha([[1, Number.NaN]], "interval")).toEqual({
      value: null,
      reason: "non-numeric-values",
    });
    // (−1 − 1)/(−1 + 1) is 0/0: the ratio level is only defined for values of zero or more.
    expect(
      krippendorffAlpha(
        [
          [-1, 1],
          [2, 2],
        ],
        "ratio",
      ),
    ).toEqual({
      value: null,
      reason: "negative-values",
    });
  });

  it("does not depend on the unit of measurement, even for values whose squares overflow", () => {
    const units = [
      [0, 2, 1],
      [3, 3],
      [1, null, 0],
    ];
    const alpha = krippendorffAlpha(units, "interval").value!;
    const huge = units.map((unit) => unit.map((value) => (value === null ? null : value * 1e200)));
    expect(krippendorffAlpha(huge, "interval").value).toBeCloseTo(alpha, 12);
  });

  it("handles scales with many distinct values without a dense matrix", () => {
    const units = Array.from({ length: 2000 }, (_, unit) => [unit * 1.5, unit * 1.5 + 0.25]);
    const alpha = krippendorffAlpha(units, "interval").value!;
    expect(alpha).toBeGreaterThan(0.99);
    expect(krippendorffAlpha(units, "ordinal").value).toBeGreaterThan(0.99);
  });
});

/** Reliability data from fast-check: units × coders over a few small integers, some missing. */
const reliabilityData = fc.array(
  fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { freq: 4 }), { minLength: 0, maxLength: 5 }),
  { minLength: 0, maxLength: 12 },
);

describe("krippendorffAlpha, properties", () => {
  it("is a number in (−1, 1] or null with a reason, at every level, never NaN", () => {
    fc.assert(
      fc.property(reliabilityData, fc.constantFrom(...levels), (units, level) => {
        const alpha = krippendorffAlpha(units, level);
        if (alpha.value === null) return typeof alpha.reason === "string";
        return alpha.value > -1 && alpha.value <= 1 + 1e-12;
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws, whatever mix of numbers, strings, NaN and nulls it gets", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.double(),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom("a", "b", ""),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { maxLength: 4 }), { maxLength: 8 }),
        fc.constantFrom(...levels),
        (units, level) => {
          const alpha = krippendorffAlpha(units, level);
          const interval = krippendorffAlphaInterval(units, level, { samples: 100 });
          const pairs = pairwiseCohenKappa(units, "quadratic");
          const concordance = kendallW(
            units.map((unit) => unit.map((entry) => (typeof entry === "number" ? entry : null))),
          );
          return [alpha, interval, concordance, ...pairs.map(({ kappa }) => kappa)].every(
            (estimate) =>
              estimate.value === null
                ? estimate.reason !== null
                : !Number.isNaN(typeof estimate.value === "number" ? estimate.value : 0),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("does not change when nominal categories are renamed", () => {
    fc.assert(
      fc.property(
        reliabilityData,
        fc.uniqueArray(fc.string(), { minLength: 7, maxLength: 7 }),
        (units, names) => {
          const renamed = units.map((unit) =>
            unit.map((value) => (value === null ? null : names[value])),
          );
          const before = krippendorffAlpha(units, "nominal");
          const after = krippendorffAlpha(renamed, "nominal");
          return before.value === null
            ? after.reason === before.reason
            : Math.abs(after.value! - before.value) < 1e-12;
        },
      ),
    );
  });

  it("does not change when units or coders are put in another order", () => {
    fc.assert(
      fc.property(
        reliabilityData,
        fc.constantFrom(...levels),
        fc.integer({ min: 0, max: 1000 }),
        (units, level, seed) => {
          const random = new SeededRandom(seed);
          const width = units.reduce((most, unit) => Math.max(most, unit.length), 0);
          const coderOrder = shuffle(
            Array.from({ length: width }, (_, coder) => coder),
            random,
          );
          const permuted = shuffle([...units], random).map((unit) =>
            coderOrder.map((coder) => unit[coder] ?? null),
          );
          const before = krippendorffAlpha(units, level);
          const after = krippendorffAlpha(permuted, level);
          return before.value === null
            ? after.reason === before.reason
            : Math.abs(after.value! - before.value) < 1e-12;
        },
      ),
    );
  });
});

function shuffle<T>(items: T[], random: SeededRandom): T[] {
  for (let position = items.length - 1; position > 0; position--) {
    const other = random.nextInt(position + 1);
    [items[position], items[other]] = [items[other], items[position]];
  }
  return items;
}

describe("krippendorffAlphaInterval (Hayes & Krippendorff 2007 bootstrap)", () => {
  it("draws the data's 239 pairs per sample, as Hayes & Krippendorff describe", () => {
    const interval = krippendorffAlphaInterval(hayesKrippendorff, "ordinal").value!;
    expect(interval.pairs).toBe(239);
    expect(interval.units).toBe(40);
    expect(interval.alpha).toBeCloseTo(0.7598, 4);
    expect(interval.lower).toBeLessThan(interval.alpha);
    expect(interval.upper).toBeGreaterThan(interval.alpha);
  });

  it("gives the same interval for the same seed and another for another seed", () => {
    const first = krippendorffAlphaInterval(hayesKrippendorff, "ordinal", { seed: 7 });
    const again = krippendorffAlphaInterval(hayesKrippendorff, "ordinal", { seed: 7 });
    const other = krippendorffAlphaInterval(hayesKrippendorff, "ordinal", { seed: 8 });
    expect(again).toEqual(first);
    expect(other.value!.lower).not.toBe(first.value!.lower);
  });

  it("gives the same figures on every platform: pinned for seed 1", () => {
    const interval = krippendorffAlphaInterval(hayesKrippendorff, "ordinal", { samples: 10_000 });
    expect(interval.value).toMatchObject({
      lower: expect.closeTo(0.7065279781, 10),
      upper: expect.closeTo(0.8080659642, 10),
      belowMinimum: [
        { minimum: 0.667, probability: 0.0009 },
        { minimum: 0.8, probability: 0.9437 },
      ],
    });
  });

  it("narrows as the data grow: four times the units, about half the width", () => {
    const width = (units: ReliabilityData<number>) => {
      const interval = krippendorffAlphaInterval(units, "interval", { samples: 4000 }).value!;
      return interval.upper - interval.lower;
    };
    const once = width(hayesKrippendorff);
    const fourTimes = width([1, 2, 3, 4].flatMap(() => hayesKrippendorff));
    const sixteenTimes = width([...Array(16).keys()].flatMap(() => hayesKrippendorff));
    expect(fourTimes / once).toBeGreaterThan(0.4);
    expect(fourTimes / once).toBeLessThan(0.6);
    expect(sixteenTimes / fourTimes).toBeGreaterThan(0.4);
    expect(sixteenTimes / fourTimes).toBeLessThan(0.6);
  });

  it("draws the same distribution as Krippendorff's algorithm drawing pair by pair", () => {
    // The algorithm as published: M draws, each a uniform number mapped to a coincidence cell
    // through the cumulative cell probabilities, α* = 1 − Σδ² / (M·D_e).
    const literal = literalBootstrap(hayesKrippendorff, 239, 20_000, new SeededRandom(99));
    const fast = krippendorffAlphaInterval(hayesKrippendorff, "ordinal", {
      samples: 20_000,
      seed: 99,
    }).value!;
    expect(Math.abs(quantile(literal, 0.025) - fast.lower)).toBeLessThan(0.006);
    expect(Math.abs(quantile(literal, 0.975) - fast.upper)).toBeLessThan(0.006);
    const literalBelow = literal.filter((value) => value < 0.8).length / literal.length;
    expect(Math.abs(literalBelow - fast.belowMinimum[1].probability)).toBeLessThan(0.015);
  });

  it("has ordered bounds in [−1, 1] around a defined alpha, or the alpha's reason", () => {
    fc.assert(
      fc.property(reliabilityData, fc.constantFrom(...levels), (units, level) => {
        const interval = krippendorffAlphaInterval(units, level, { samples: 200 });
        const alpha = krippendorffAlpha(units, level);
        if (interval.value === null) return interval.reason === alpha.reason;
        const { lower, upper } = interval.value;
        return -1 <= lower && lower <= upper && upper <= 1 && interval.value.alpha === alpha.value;
      }),
      { numRuns: 300 },
    );
  });

  it("refuses options out of range", () => {
    expect(krippendorffAlphaInterval(hayesKrippendorff, "ordinal", { samples: 5 })).toEqual({
      value: null,
      reason: "invalid-options",
    });
    expect(krippendorffAlphaInterval(hayesKrippendorff, "ordinal", { confidence: 1 })).toEqual({
      value: null,
      reason: "invalid-options",
    });
  });
});

/** The literal pair-by-pair bootstrap of Krippendorff's algorithm, ordinal level. */
function literalBootstrap(
  units: ReliabilityData<number>,
  draws: number,
  samples: number,
  random: SeededRandom,
): number[] {
  const pairable = units
    .map((unit) => unit.filter((value): value is number => value !== null))
    .filter((values) => values.length >= 2);
  const values = [...new Set(pairable.flat())].sort((a, b) => a - b);
  const size = values.length;
  const coincidences = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (const unit of pairable) {
    for (let i = 0; i < unit.length; i++) {
      for (let j = 0; j < unit.length; j++) {
        if (i !== j) {
          coincidences[values.indexOf(unit[i])][values.indexOf(unit[j])] += 1 / (unit.length - 1);
        }
      }
    }
  }
  const marginals = coincidences.map((row) => row.reduce((sum, count) => sum + count, 0));
  const total = marginals.reduce((sum, count) => sum + count, 0);
  const delta = (c: number, k: number) => {
    const [low, high] = c < k ? [c, k] : [k, c];
    let between = 0;
    for (let g = low; g <= high; g++) between += marginals[g];
    return (between - (marginals[c] + marginals[k]) / 2) ** 2;
  };
  let expected = 0;
  const cells: Array<{ cumulative: number; delta: number }> = [];
  let cumulative = 0;
  for (let c = 0; c < size; c++) {
    for (let k = 0; k < size; k++) {
      expected += (marginals[c] * marginals[k] * delta(c, k)) / (total * (total - 1));
      cumulative += coincidences[c][k] / total;
      cells.push({ cumulative, delta: delta(c, k) });
    }
  }
  const alphas: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    let sum = 0;
    for (let draw = 0; draw < draws; draw++) {
      const uniform = random.nextDouble();
      sum += (cells.find((cell) => uniform < cell.cumulative) ?? cells[cells.length - 1]).delta;
    }
    alphas.push(Math.max(-1, 1 - sum / (draws * expected)));
  }
  return alphas.sort((a, b) => a - b);
}

function quantile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

describe("cohenKappa, weighted and per pair", () => {
  // scikit-learn's sklearn/metrics/tests/test_classification.py, test_cohen_kappa: the
  // contingency tables of Artstein & Poesio (2008), Tables 1 and 4, and its weighting example.
  const repeat = (value: number, times: number) => Array<number>(times).fill(value);

  it("matches scikit-learn's published test values", () => {
    expect(
      cohenKappa(
        [...repeat(0, 40), ...repeat(1, 60)],
        [...repeat(0, 20), ...repeat(1, 20), ...repeat(0, 10), ...repeat(1, 50)],
      ).value,
    ).toBeCloseTo(0.348, 3);
    const first = [...repeat(0, 46), ...repeat(1, 44), ...repeat(2, 10)];
    expect(
      cohenKappa(first, [...repeat(0, 52), ...repeat(1, 32), ...repeat(2, 16)]).value,
    ).toBeCloseTo(0.8013, 4);
    const second = [...repeat(0, 50), ...repeat(1, 40), ...repeat(2, 10)];
    expect(cohenKappa(first, second).value).toBeCloseTo(0.9315, 4);
    expect(cohenKappa(first, second, "linear").value).toBeCloseTo(0.9412, 4);
    expect(cohenKappa(first, second, "quadratic").value).toBeCloseTo(0.9541, 4);
  });

  it("measures every pair of coders on the items both rated", () => {
    const units = [
      [1, 1, null],
      [2, 2, 2],
      [3, 2, 3],
      [1, null, 1],
    ];
    const pairs = pairwiseCohenKappa(units);
    expect(pairs.map(({ first, second, items }) => [first, second, items])).toEqual([
      [0, 1, 3],
      [0, 2, 3],
      [1, 2, 2],
    ]);
    expect(pairs[1].kappa).toEqual({ value: 1, reason: null });
    expect(pairs[0].kappa.value).toBeCloseTo(cohenKappa([1, 2, 3], [1, 2, 2]).value!, 12);
  });

  it("gives a reason instead of a value where kappa is undefined", () => {
    expect(cohenKappa([], [])).toEqual({ value: null, reason: "no-data" });
    expect(cohenKappa([1, 2], [null, null])).toEqual({ value: null, reason: "single-annotator" });
    expect(cohenKappa([1, null], [null, 2])).toEqual({ value: null, reason: "no-overlap" });
    expect(cohenKappa(["a", "a"], ["a", "a"])).toEqual({ value: null, reason: "no-variation" });
    expect(cohenKappa(["a", "b"], ["a", "b"], "linear")).toEqual({
      value: null,
      reason: "non-numeric-values",
    });
    expect(cohenKappa([1], [1, 2])).toEqual({ value: null, reason: "invalid-options" });
    expect(cohenKappa([1e300, -1e300, 0], [1e300, -1e300, 1e300], "quadratic").value).toBeCloseTo(
      cohenKappa([1, -1, 0], [1, -1, 1], "quadratic").value!,
      12,
    );
  });
});

describe("MASI distance and alpha for multiple choice (Passonneau 2006)", () => {
  it("follows Passonneau's monotonicity weights", () => {
    expect(masiDistance(["a"], ["a"])).toBe(0);
    expect(masiDistance([], [])).toBe(0);
    expect(masiDistance(["a"], ["a", "b"])).toBeCloseTo(1 - (1 / 2) * (2 / 3), 12);
    expect(masiDistance(["a", "b"], ["b", "c"])).toBeCloseTo(1 - (1 / 3) * (1 / 3), 12);
    expect(masiDistance(["a"], ["b"])).toBe(1);
    // NLTK's metrics.doctest prints 0.868 for these sets: NLTK rounds the weight 1/3 to 0.33.
    expect(masiDistance([1, 2, 3, 4], [3, 4, 5])).toBeCloseTo(13 / 15, 12);
    expect(Math.abs(masiDistance([1, 2, 3, 4], [3, 4, 5]) - 0.868)).toBeLessThan(0.0015);
  });

  // NLTK 3.8, nltk.metrics.agreement.AnnotationTask(data, distance).alpha() on these answers,
  // with Passonneau's exact weights (0.3781172069825434) and with jaccard_distance
  // (0.4042553191489362); NLTK's own masi_distance with 0.67/0.33 gives 0.37848661495419833.
  const answers: ReliabilityData<string[]> = [
    [["hallucination"], ["hallucination"], ["hallucination", "unsafe"]],
    [["verbose"], ["verbose"], ["verbose"]],
    [["unsafe"], ["unsafe", "hallucination"], null],
    [[], ["verbose"], []],
    [
      ["hallucination", "verbose"],
      ["hallucination", "verbose"],
      ["verbose", "hallucination"],
    ],
    [["unsafe"], ["verbose"], ["unsafe"]],
    [null, ["hallucination"], ["hallucination", "unsafe", "verbose"]],
    [["unsafe", "verbose"], ["unsafe"], ["verbose"]],
  ];

  it("matches NLTK's alpha with the same distances", () => {
    expect(masiAlpha(answers).value).toBeCloseTo(0.3781172069825434, 12);
    const jaccard = (a: string[], b: string[]) => {
      const shared = a.filter((option) => b.includes(option)).length;
      const union = new Set([...a, ...b]).size;
      return union === 0 ? 0 : 1 - shared / union;
    };
    const sorted = answers.map((unit) => unit.map((answer) => answer && [...answer].sort()));
    expect(
      krippendorffAlphaByDifference(sorted, (answer) => answer.join("\u0000"), jaccard).value,
    ).toBeCloseTo(0.4042553191489362, 12);
  });

  it("is nominal alpha when every answer is a single option (Krippendorff 2011: 0.743)", () => {
    const example = [
      [1, 1, null, 1],
      [2, 2, 3, 2],
      [3, 3, 3, 3],
      [3, 3, 3, 3],
      [2, 2, 2, 2],
      [1, 2, 3, 4],
      [4, 4, 4, 4],
      [1, 1, 2, 1],
      [2, 2, 2, 2],
      [null, 5, 5, 5],
      [null, null, 1, 1],
      [null, 3, null, null],
    ];
    const asSets = example.map((unit) => unit.map((value) => (value === null ? null : [value])));
    expect(masiAlpha(asSets).value).toBeCloseTo(0.743, 3);
  });

  it("ignores the order of options, and stays in (−1, 1] or gives a reason", () => {
    expect(
      masiAlpha([
        [
          ["b", "a"],
          ["a", "b"],
        ],
        [["c"], ["c"]],
      ]),
    ).toEqual({ value: 1, reason: null });
    const answer = fc.option(fc.subarray(["a", "b", "c", "d"]), { freq: 4 });
    fc.assert(
      fc.property(fc.array(fc.array(answer, { maxLength: 4 }), { maxLength: 10 }), (units) => {
        const alpha = masiAlpha(units);
        return alpha.value === null ? alpha.reason !== null : alpha.value > -1 && alpha.value <= 1;
      }),
      { numRuns: 1000 },
    );
  });
});

describe("kendallW", () => {
  // DescTools::KendallW's documented examples: the anxiety ratings of irr's data set (20
  // subjects, 3 raters, with ties) and Siegel & Castellan (1988)'s example.
  it("matches the anxiety example with the tie correction: W = 0.5396569, χ²(19) = 30.76", () => {
    const rater1 = [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3];
    const rater2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4];
    const rater3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2];
    const scores = rater1.map((score, subject) => [score, rater2[subject], rater3[subject]]);
    const concordance = kendallW(scores).value!;
    expect(concordance.w).toBeCloseTo(0.5396569, 7);
    expect(concordance.chiSquared).toBeCloseTo(30.76, 2);
    expect(concordance.degreesOfFreedom).toBe(19);
    expect(kendallW(scores, { correctTies: false }).value!.w).toBeLessThan(concordance.w);
  });

  it("matches Siegel & Castellan's example: W = 0.6560847, χ²(7) = 13.778", () => {
    const concordance = kendallW([
      [5, 1, 4],
      [6, 7, 5],
      [7, 6, 1],
      [1, 2, 3],
      [2, 3, 2],
      [4, 5, 7],
      [3, 4, 6],
      [8, 8, 8],
    ]).value!;
    expect(concordance.w).toBeCloseTo(0.6560847, 7);
    expect(concordance.chiSquared).toBeCloseTo(13.778, 3);
  });

  it("reads rankings of response ids, best first", () => {
    const scores = rankingScores([["a", "b", "c"], ["a", "c", "b"], null, ["a", "b"]]);
    expect(scores).toEqual([
      [1, 1, null, 1],
      [2, 3, null, 2],
      [3, 2, null, null],
    ]);
    expect(
      kendallW([
        [1, 1],
        [2, 2],
        [3, 3],
      ]).value!.w,
    ).toBe(1);
  });

  it("gives a reason where W is undefined", () => {
    expect(kendallW([])).toEqual({ value: null, reason: "no-data" });
    expect(kendallW([[1], [2]])).toEqual({ value: null, reason: "single-annotator" });
    expect(
      kendallW([
        [1, 2],
        [null, 1],
      ]),
    ).toEqual({ value: null, reason: "incomplete-data" });
    expect(
      kendallW([
        [1, 1],
        [1, 1],
      ]),
    ).toEqual({ value: null, reason: "no-variation" });
  });
});
