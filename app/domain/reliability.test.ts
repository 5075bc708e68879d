import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeededRandom } from "./random.ts";
import { dawidSkene, majorityVote, type Annotation } from "./reliability.ts";

type Row = Annotation<string, string, string>;

/**
 * crowd-kit's toy YSDA data set (Toloka/crowd-kit, tests/conftest.py, toy_answers_df): five
 * tasks, five workers, w3 did not answer t1. Ground truth (toy_ground_truth_df): yes, yes, no,
 * yes, no.
 */
const toy: Row[] = (
  [
    ["t1", "w1", "no"],
    ["t1", "w2", "yes"],
    ["t1", "w4", "yes"],
    ["t1", "w5", "no"],
    ["t2", "w1", "yes"],
    ["t2", "w2", "yes"],
    ["t2", "w3", "yes"],
    ["t2", "w4", "no"],
    ["t2", "w5", "no"],
    ["t3", "w1", "yes"],
    ["t3", "w2", "no"],
    ["t3", "w3", "no"],
    ["t3", "w4", "yes"],
    ["t3", "w5", "no"],
    ["t4", "w1", "yes"],
    ["t4", "w2", "yes"],
    ["t4", "w3", "yes"],
    ["t4", "w4", "yes"],
    ["t4", "w5", "yes"],
    ["t5", "w1", "yes"],
    ["t5", "w2", "no"],
    ["t5", "w3", "no"],
    ["t5", "w4", "no"],
    ["t5", "w5", "no"],
  ] as const
).map(([item, annotator, label]) => ({ item, annotator, label }));

const toyTruth = { t1: "yes", t2: "yes", t3: "no", t4: "yes", t5: "no" };

function fitted<Item extends string | number>(
  rows: Array<Annotation<Item, string, string>>,
  options: Parameters<typeof dawidSkene>[1] = {},
) {
  const result = dawidSkene(rows, options);
  if (result.value === null) throw new Error(result.reason);
  return result.value;
}

/** crowd-kit's errors_ frame is [worker, observed label] × true label; ours is [true][given]. */
function confusionOf(result: ReturnType<typeof fitted<string>>, annotator: string) {
  const { confusion } = result.annotators.find((entry) => entry.annotator === annotator)!;
  const [no, yes] = [0, 1];
  return [confusion[no][no], confusion[yes][no], confusion[no][yes], confusion[yes][yes]];
}

describe("dawidSkene against crowd-kit's step-by-step test (test_ds_aggregation.py)", () => {
  // crowd-kit compares with atol 0.005: its expected values are rounded to two decimals.
  const tolerance = 0.005;
  const close = (actual: number[], expected: number[]) =>
    actual.forEach((value, index) =>
      expect(Math.abs(value - expected[index])).toBeLessThan(tolerance),
    );

  it("initialises with majority-vote posteriors and one M-step (n_iter = 0)", () => {
    const result = fitted(toy, { maxIterations: 0 });
    expect(result.classes).toEqual(["no", "yes"]);
    close(result.priors, [0.46, 0.54]);
    close(
      result.items.flatMap(({ posterior }) => posterior),
      [0.5, 0.5, 0.4, 0.6, 0.6, 0.4, 0, 1, 0.8, 0.2],
    );
    // [observed no | true no, observed no | true yes, observed yes | true no, observed yes | true yes]
    close(confusionOf(result, "w1"), [0.22, 0.19, 0.78, 0.81]);
    close(confusionOf(result, "w2"), [0.61, 0.22, 0.39, 0.78]);
    close(confusionOf(result, "w3"), [0.78, 0.27, 0.22, 0.73]);
    close(confusionOf(result, "w4"), [0.52, 0.3, 0.48, 0.7]);
    close(confusionOf(result, "w5"), [1, 0.63, 0, 0.37]);
  });

  it("matches after one EM iteration (n_iter = 1)", () => {
    const result = fitted(toy, { maxIterations: 1 });
    close(result.priors, [0.49, 0.51]);
    close(
      result.items.flatMap(({ posterior }) => posterior),
      [0.35, 0.65, 0.26, 0.74, 0.87, 0.13, 0, 1, 0.95, 0.05],
    );
    expect(result.items.map(({ label }) => label)).toEqual(["yes", "yes", "no", "yes", "no"]);
    close(confusionOf(result, "w1"), [0.14, 0.25, 0.86, 0.75]);
    close(confusionOf(result, "w2"), [0.75, 0.07, 0.25, 0.93]);
    close(confusionOf(result, "w3"), [0.87, 0.09, 0.13, 0.91]);
    close(confusionOf(result, "w4"), [0.5, 0.31, 0.5, 0.69]);
    close(confusionOf(result, "w5"), [1, 0.61, 0, 0.39]);
  });

  // crowd-kit runs (10, 0) and (100500, 1e-5); more than 10,000 iterations are refused here.
  it.each([
    ["full", 10, 0],
    ["full", 10_000, 1e-5],
    ["one-coin", 10, 0],
    ["one-coin", 10_000, 1e-5],
  ] as const)(
    "recovers the toy ground truth (%s, at most %i iterations, tolerance %s)",
    (model, maxIterations, tolerance) => {
      const result = fitted(toy, {
        model,
        maxIterations,
        tolerance,
      });
      expect(Object.fromEntries(result.items.map(({ item, label }) => [item, label]))).toEqual(
        toyTruth,
      );
    },
  );

  it("recovers crowd-kit's 'simple' data set with a fraudster and a careless worker", () => {
    // tests/conftest.py, simple_answers_df and simple_ground_truth (task ids shortened).
    const answers: Array<[string, string, string]> = [
      ["good1", "eec", "goose"],
      ["good1", "efb", "parrot"],
      ["good1", "f03", "goose"],
      ["good1", "f05", "goose"],
      ["good1", "f02", "parrot"],
      ["good1", "f08", "parrot"],
      ["good2", "efb", "parrot"],
      ["good2", "ee8", "chicken"],
      ["good2", "f07", "parrot"],
      ["good2", "efd", "chicken"],
      ["good2", "ee4", "chicken"],
      ["good2", "f03", "goose"],
      ["good3", "ee8", "chicken"],
      ["good3", "eec", "goose"],
      ["good3", "f05", "goose"],
      ["good3", "f02", "parrot"],
      ["good3", "f08", "parrot"],
      ["good4", "eec", "goose"],
      ["good4", "ee8", "chicken"],
      ["good4", "f03", "goose"],
      ["good4", "ee4", "chicken"],
      ["fraud", "eec", "parrot"],
      ["fraud", "efb", "parrot"],
      ["fraud", "f07", "parrot"],
      ["fraud", "efd", "parrot"],
      ["fraud", "ee4", "parrot"],
      ["fraud", "f05", "parrot"],
      ["careless", "efb", "parrot"],
      ["careless", "ee8", "goose"],
      ["careless", "f02", "parrot"],
      ["careless", "f08", "parrot"],
      ["careless", "f07", "parrot"],
      ["careless", "efd", "goose"],
    ];
    const rows = answers.map(([annotator, item, label]) => ({ item, annotator, label }));
    const truth = {
      eec: "goose",
      f03: "goose",
      f05: "goose",
      efb: "parrot",
      f02: "parrot",
      f08: "parrot",
      f07: "parrot",
      ee8: "chicken",
      efd: "chicken",
      ee4: "chicken",
    };
    for (const model of ["full", "one-coin"] as const) {
      const result = fitted(rows, { model, maxIterations: 10, tolerance: 0 });
      expect(Object.fromEntries(result.items.map(({ item, label }) => [item, label]))).toEqual(
        truth,
      );
    }
  });
});

/**
 * Three classes with priors 0.5/0.3/0.2; three reliable annotators (right 90 % of the time),
 * five noisy ones (45 %, barely above chance) and two adversarial ones who answer the next class
 * 80 % of the time; each of 2,000 items gets five distinct annotators at random.
 */
function simulate(seed: number) {
  const random = new SeededRandom(seed);
  const classes = ["a", "b", "c"];
  const kinds = [
    ...Array<string>(3).fill("reliable"),
    ...Array<string>(5).fill("noisy"),
    ...Array<string>(2).fill("adversarial"),
  ];
  const truth: string[] = [];
  const rows: Array<Annotation<number, string, string>> = [];
  for (let item = 0; item < 2000; item++) {
    const draw = random.nextDouble();
    const actual = draw < 0.5 ? 0 : draw < 0.8 ? 1 : 2;
    truth.push(classes[actual]);
    const chosen = new Set<number>();
    while (chosen.size < 5) chosen.add(random.nextInt(kinds.length));
    for (const annotator of chosen) {
      let label = actual;
      if (kinds[annotator] === "adversarial") {
        if (random.nextDouble() < 0.8) label = (actual + 1) % 3;
      } else if (random.nextDouble() >= (kinds[annotator] === "reliable" ? 0.9 : 0.45)) {
        label = (actual + 1 + random.nextInt(2)) % 3;
      }
      rows.push({ item, annotator: `${kinds[annotator]}-${annotator}`, label: classes[label] });
    }
  }
  return { truth, rows };
}

describe("dawidSkene on a seeded simulation", () => {
  const { truth, rows } = simulate(2024);
  const accuracy = (labels: Map<number, string>) =>
    truth.filter((label, item) => labels.get(item) === label).length / truth.length;

  it("beats majority vote: 0.952 against 0.705 of the items right (one-coin model: 0.901)", () => {
    const full = fitted(rows);
    const oneCoin = fitted(rows, { model: "one-coin" });
    const byFull = accuracy(new Map(full.items.map(({ item, label }) => [item, label])));
    const byOneCoin = accuracy(new Map(oneCoin.items.map(({ item, label }) => [item, label])));
    const byVote = accuracy(majorityVote(rows));
    expect(byVote).toBe(0.705);
    expect(byFull).toBe(0.9515);
    expect(byOneCoin).toBe(0.9005);
  });

  it("estimates each annotator's accuracy within 0.03 of the simulated one", () => {
    const result = dawidSkene(rows).value!;
    expect(result.converged).toBe(true);
    for (const { annotator, accuracy: estimate } of result.annotators) {
      const simulated = annotator.startsWith("reliable")
        ? 0.9
        : annotator.startsWith("noisy")
          ? 0.45
          : 0.2;
      expect(Math.abs(estimate - simulated)).toBeLessThan(0.03);
    }
    expect(result.priors[0]).toBeCloseTo(0.5, 1);
  });
});

/**
 * Dawid–Skene item by item, as the model is written down (Dawid & Skene 1979, with crowd-kit's
 * floor and majority-vote start): the reference the fit over patterns of labels is checked against.
 */
function dawidSkeneItemByItem(
  rows: ReadonlyArray<Annotation<number, string, string>>,
  model: "full" | "one-coin",
  maxIterations: number,
): { posteriors: Map<number, number[]>; accuracy: Map<string, number>; iterations: number } {
  const FLOOR = 1e-10;
  const classes = [...new Set(rows.map((row) => row.label))].sort();
  const annotators = [...new Set(rows.map((row) => row.annotator))];
  const items = [...new Set(rows.map((row) => row.item))];
  const K = classes.length;
  const post = new Map(items.map((item) => [item, new Array<number>(K).fill(0)]));
  for (const row of rows) post.get(row.item)![classes.indexOf(row.label)]++;
  for (const values of post.values()) {
    const total = values.reduce((sum, value) => sum + value, 0);
    values.forEach((value, j) => (values[j] = value / total));
  }
  let priors: number[] = [];
  let confusion = new Map<string, number[][]>();
  const maximise = () => {
    priors = classes.map((_, j) =>
      Math.max(FLOOR, items.reduce((sum, item) => sum + post.get(item)![j]!, 0) / items.length),
    );
    confusion = new Map();
    for (const annotator of annotators) {
      const own = rows.filter((row) => row.annotator === annotator);
      if (model === "full") {
        const counts = classes.map((_, j) =>
          classes.map((label) =>
            own
              .filter((row) => row.label === label)
              .reduce((sum, row) => sum + post.get(row.item)![j]!, 0),
          ),
        );
        confusion.set(
          annotator,
          counts.map((row) => {
            const total = row.reduce((sum, value) => sum + Math.max(FLOOR, value), 0);
            return row.map((value) => Math.max(FLOOR, value) / total);
          }),
        );
      } else {
        const skill = own.reduce(
          (sum, row) => sum + post.get(row.item)![classes.indexOf(row.label)]!,
          0,
        );
        const accuracy = Math.min(1 - FLOOR, Math.max(FLOOR, skill / own.length));
        const error = Math.max(FLOOR, (1 - accuracy) / (K - 1));
        confusion.set(
          annotator,
          classes.map((_, j) => classes.map((_, l) => (j === l ? accuracy : error))),
        );
      }
    }
  };
  const expectStep = () => {
    let logLikelihood = 0;
    for (const item of items) {
      const logs = priors.map((prior) => Math.log(prior));
      for (const row of rows.filter((entry) => entry.item === item)) {
        const l = classes.indexOf(row.label);
        logs.forEach((_, j) => (logs[j]! += Math.log(confusion.get(row.annotator)![j]![l]!)));
      }
      const largest = Math.max(...logs);
      const exps = logs.map((value) => Math.exp(value - largest));
      const total = exps.reduce((sum, value) => sum + value, 0);
      post.set(
        item,
        exps.map((value) => value / total),
      );
      logLikelihood += largest + Math.log(total);
    }
    return logLikelihood;
  };
  maximise();
  let iterations = 0;
  let logLikelihood = Number.NaN;
  while (iterations < maxIterations) {
    const next = expectStep();
    iterations++;
    maximise();
    const improved = (next - logLikelihood) / rows.length;
    logLikelihood = next;
    if (improved < 1e-7) break;
  }
  const accuracy = new Map(
    annotators.map((annotator) => {
      const own = rows.filter((row) => row.annotator === annotator);
      const correct = own.reduce(
        (sum, row) => sum + post.get(row.item)![classes.indexOf(row.label)]!,
        0,
      );
      return [annotator, correct / own.length];
    }),
  );
  return { posteriors: post, accuracy, iterations };
}

describe("dawidSkene, edge cases and properties", () => {
  it("gives a reason where the model cannot be estimated", () => {
    expect(dawidSkene([])).toEqual({ value: null, reason: "no-data" });
    expect(
      dawidSkene([
        { item: 1, annotator: "a", label: "x" },
        { item: 2, annotator: "a", label: "y" },
      ]),
    ).toEqual({ value: null, reason: "single-annotator" });
    expect(
      dawidSkene([
        { item: 1, annotator: "a", label: "x" },
        { item: 1, annotator: "b", label: "x" },
      ]),
    ).toEqual({ value: null, reason: "no-variation" });
    expect(dawidSkene(toy, { maxIterations: -1 })).toEqual({
      value: null,
      reason: "invalid-options",
    });
  });

  // Both fits take the same EM steps but sum in different orders. Near a degenerate fit, EM
  // amplifies that rounding step after step (40,000 random runs of 100 iterations differed by up
  // to 7e-7), so the fits are compared over at most 10 iterations, where they agree to 2e-13.
  it("fitted over the distinct patterns of labels, estimates what a fit item by item does", () => {
    const annotation = fc.record({
      item: fc.integer({ min: 0, max: 30 }),
      annotator: fc.constantFrom("a", "b", "c"),
      label: fc.constantFrom("x", "y", "z"),
    });
    fc.assert(
      fc.property(
        fc.array(annotation, { minLength: 1, maxLength: 80 }),
        fc.constantFrom("full" as const, "one-coin" as const),
        fc.integer({ min: 1, max: 10 }),
        (rows, model, maxIterations) => {
          const fitted = dawidSkene(rows, { model, maxIterations });
          if (fitted.value === null) return;
          const reference = dawidSkeneItemByItem(rows, model, maxIterations);
          expect(fitted.value.iterations).toBe(reference.iterations);
          for (const { item, posterior } of fitted.value.items) {
            reference.posteriors.get(item)!.forEach((value, j) => {
              expect(posterior[j]).toBeCloseTo(value, 11);
            });
          }
          for (const { annotator, accuracy } of fitted.value.annotators) {
            expect(accuracy).toBeCloseTo(reference.accuracy.get(annotator)!, 11);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the same figures, bit for bit, whatever the order of the labels", () => {
    const annotation = fc.record({
      item: fc.integer({ min: 0, max: 12 }),
      annotator: fc.constantFrom("a", "b", "c", "d"),
      label: fc.constantFrom("x", "y", "z"),
    });
    const shuffled = fc
      .array(annotation, { minLength: 1, maxLength: 60 })
      .chain((rows) =>
        fc.tuple(
          fc.constant(rows),
          fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }),
        ),
      );
    fc.assert(
      fc.property(
        shuffled,
        fc.constantFrom("full" as const, "one-coin" as const),
        ([rows, again], model) => {
          const byItem = (fitted: ReturnType<typeof dawidSkene<number, string, string>>) =>
            fitted.value === null
              ? fitted
              : { ...fitted.value, items: [...fitted.value.items].sort((a, b) => a.item - b.item) };
          expect(byItem(dawidSkene(again, { model }))).toEqual(byItem(dawidSkene(rows, { model })));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("returns posteriors that sum to 1 and confusion rows that sum to 1, never NaN", () => {
    const annotation = fc.record({
      item: fc.integer({ min: 0, max: 6 }),
      annotator: fc.constantFrom("a", "b", "c", "d"),
      label: fc.constantFrom("x", "y", "z"),
    });
    fc.assert(
      fc.property(
        fc.array(annotation, { maxLength: 40 }),
        fc.constantFrom("full", "one-coin"),
        (rows, model) => {
          const result = dawidSkene(rows, { model: model as "full" | "one-coin" });
          if (result.value === null) return result.reason !== null;
          const sumsToOne = (values: number[]) =>
            values.every(Number.isFinite) &&
            Math.abs(values.reduce((sum, value) => sum + value, 0) - 1) < 1e-9;
          return (
            result.value.items.every(({ posterior }) => sumsToOne(posterior)) &&
            result.value.annotators.every(
              ({ confusion, accuracy }) =>
                confusion.every(sumsToOne) && accuracy >= 0 && accuracy <= 1,
            ) &&
            sumsToOne(result.value.priors) &&
            Number.isFinite(result.value.logLikelihood)
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
