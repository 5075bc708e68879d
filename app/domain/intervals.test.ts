import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalQuantile, wilsonInterval } from "./intervals.ts";

describe("wilsonInterval", () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17, Table II, method 3 (score method without
  // continuity correction), 95 % intervals.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("matches Newcombe's Table II for %i/%i", (successes, trials, lower, upper) => {
    const interval = wilsonInterval(successes, trials).value!;
    expect(interval.lower).toBeCloseTo(lower, 4);
    expect(interval.upper).toBeCloseTo(upper, 4);
    expect(interval.confidence).toBe(0.95);
  });

  it("gives a reason for no trials or impossible counts", () => {
    expect(wilsonInterval(0, 0)).toEqual({ value: null, reason: "no-data" });
    expect(wilsonInterval(3, 2)).toEqual({ value: null, reason: "invalid-options" });
    expect(wilsonInterval(1.5, 2)).toEqual({ value: null, reason: "invalid-options" });
    expect(wilsonInterval(1, 2, 1)).toEqual({ value: null, reason: "invalid-options" });
  });

  it("holds the proportion, inside [0, 1], wider at higher confidence", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (trials, share) => {
          const successes = Math.round(share * trials);
          const at95 = wilsonInterval(successes, trials).value!;
          const at99 = wilsonInterval(successes, trials, 0.99).value!;
          const proportion = successes / trials;
          return (
            0 <= at95.lower &&
            at95.lower <= proportion + 1e-12 &&
            proportion - 1e-12 <= at95.upper &&
            at95.upper <= 1 &&
            at99.lower <= at95.lower + 1e-12 &&
            at99.upper >= at95.upper - 1e-12
          );
        },
      ),
    );
  });
});

describe("normalQuantile", () => {
  it("matches the standard normal quantiles (Wichura 1988, AS 241)", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 13);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
  });
});
