import { performance } from "node:perf_hooks";
import {
  krippendorffAlpha,
  krippendorffAlphaInterval,
  type AlphaLevel,
  type ReliabilityData,
} from "../app/domain/agreement.ts";
import { SeededRandom } from "../app/domain/random.ts";
import { dawidSkene, majorityVote, type Annotation } from "../app/domain/reliability.ts";
import type { BenchmarkTable } from "./run.ts";

const UNITS = Number(process.env.BENCH_METRICS_UNITS ?? 100_000);
const CODERS = 5;
const RUNS = Number(process.env.BENCH_METRICS_RUNS ?? 5);

/**
 * Ratings 1–5 as experts give them: each unit has a true value, each coder misses it by one
 * step a quarter of the time and is absent 10 % of the time.
 */
function ratings(random: SeededRandom): ReliabilityData<number> {
  return Array.from({ length: UNITS }, () => {
    const truth = 1 + random.nextInt(5);
    return Array.from({ length: CODERS }, () => {
      if (random.nextDouble() < 0.1) return null;
      const step = random.nextDouble() < 0.25 ? (random.nextDouble() < 0.5 ? -1 : 1) : 0;
      return Math.min(5, Math.max(1, truth + step));
    });
  });
}

/** Scores 0–100 (a slider): each coder lands within ±10 of the unit's true score. */
function wideRatings(random: SeededRandom): ReliabilityData<number> {
  return Array.from({ length: UNITS }, () => {
    const truth = random.nextInt(101);
    return Array.from({ length: CODERS }, () =>
      Math.min(100, Math.max(0, truth - 10 + random.nextInt(21))),
    );
  });
}

/** Three classes; coders right 90 %, 70 % or 45 % of the time, every item labelled by all five. */
function labels(random: SeededRandom): Array<Annotation<number, number, string>> {
  const classes = ["a", "b", "c"];
  const accuracies = [0.9, 0.9, 0.7, 0.45, 0.45];
  const rows: Array<Annotation<number, number, string>> = [];
  for (let item = 0; item < UNITS; item++) {
    const truth = random.nextInt(3);
    accuracies.forEach((accuracy, annotator) => {
      const label = random.nextDouble() < accuracy ? truth : (truth + 1 + random.nextInt(2)) % 3;
      rows.push({ item, annotator, label: classes[label] });
    });
  }
  return rows;
}

/**
 * Median wall time and median CPU time (user + system) in seconds over RUNS runs, after one
 * unmeasured run. On a shared machine the CPU time is the steadier of the two.
 */
function time(run: () => unknown): { seconds: number; cpu: number; result: unknown } {
  let result = run();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let attempt = 0; attempt < RUNS; attempt++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    result = run();
    const cpu = process.cpuUsage(cpuStart);
    walls.push((performance.now() - start) / 1000);
    cpus.push((cpu.user + cpu.system) / 1e6);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { seconds: median(walls), cpu: median(cpus), result };
}

/**
 * Krippendorff's alpha at each level, its bootstrap interval and Dawid–Skene on 100,000 units
 * × 5 coders, in process. Baselines in the same run: one pass that only reads every value (the
 * floor for anything that looks at the data), plain alpha for the interval, majority vote for
 * Dawid–Skene.
 */
export async function benchmarkMetrics(): Promise<BenchmarkTable> {
  const random = new SeededRandom(2026);
  const units = ratings(random);
  const annotations = labels(random);
  const rows: string[][] = [];
  const data = `${UNITS.toLocaleString("en")} units × ${CODERS} coders`;
  const row = (name: string, measured: { seconds: number; cpu: number }, note: string) =>
    rows.push([name, data, measured.seconds.toFixed(3), measured.cpu.toFixed(3), note]);

  const read = time(() => {
    let sum = 0;
    for (const unit of units) for (const value of unit) if (value !== null) sum += value;
    return sum;
  });
  row("baseline: read every value once", read, "");
  for (const level of ["nominal", "ordinal", "interval", "ratio"] as AlphaLevel[]) {
    const alpha = time(() => krippendorffAlpha(units, level));
    const value = (alpha.result as ReturnType<typeof krippendorffAlpha>).value;
    row(`Krippendorff's alpha, ${level}`, alpha, `α = ${value?.toFixed(4)}`);
  }
  const plain = time(() => krippendorffAlpha(units, "ordinal"));
  row("baseline: plain alpha, ordinal", plain, "");
  for (const samples of [1000, 2000]) {
    const interval = time(() => krippendorffAlphaInterval(units, "ordinal", { samples }));
    const value = (interval.result as ReturnType<typeof krippendorffAlphaInterval>).value!;
    row(
      `alpha + bootstrap 95 % interval, ordinal, ${samples.toLocaleString("en")} samples`,
      interval,
      `[${value.lower.toFixed(4)}, ${value.upper.toFixed(4)}], ${value.pairs.toLocaleString("en")} pairs per sample`,
    );
  }

  const wide = wideRatings(random);
  const widePlain = time(() => krippendorffAlpha(wide, "ordinal"));
  row("baseline: plain alpha, ordinal, scores 0–100", widePlain, "");
  const wideInterval = time(() => krippendorffAlphaInterval(wide, "ordinal", { samples: 1000 }));
  const wideValue = (wideInterval.result as ReturnType<typeof krippendorffAlphaInterval>).value!;
  row(
    "alpha + bootstrap 95 % interval, ordinal, scores 0–100, 1,000 samples",
    wideInterval,
    `[${wideValue.lower.toFixed(4)}, ${wideValue.upper.toFixed(4)}], 101 distinct values`,
  );

  const labelData = `${UNITS.toLocaleString("en")} items × ${CODERS} annotators`;
  const labelRow = (name: string, measured: { seconds: number; cpu: number }, note: string) =>
    rows.push([name, labelData, measured.seconds.toFixed(3), measured.cpu.toFixed(3), note]);
  const vote = time(() => majorityVote(annotations));
  labelRow("baseline: majority vote", vote, "");
  for (const model of ["full", "one-coin"] as const) {
    const fitted = time(() => dawidSkene(annotations, { model }));
    const value = (fitted.result as ReturnType<typeof dawidSkene>).value!;
    labelRow(
      `Dawid–Skene, ${model}`,
      fitted,
      `${value.iterations} iterations${value.converged ? ", converged" : ""}`,
    );
  }
  return {
    title: `Agreement and reliability statistics in process, median of ${RUNS} runs`,
    columns: ["computation", "data", "wall s", "CPU s", "result"],
    rows,
  };
}
