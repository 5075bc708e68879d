import { describe, expect, it } from "vitest";
import { SeededRandom } from "./random.ts";

describe("SeededRandom", () => {
  it("is xoshiro128**: the reference implementation's first outputs from state 1, 2, 3, 4", () => {
    // Blackman & Vigna's xoshiro128starstar.c, as rand_xoshiro's reference test also lists them.
    const random = SeededRandom.fromState([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => random.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
  });

  it("gives the same numbers for the same seed, and doubles in [0, 1)", () => {
    const first = new SeededRandom(42);
    const second = new SeededRandom(42);
    const draws = Array.from({ length: 1000 }, () => first.nextDouble());
    expect(Array.from({ length: 1000 }, () => second.nextDouble())).toEqual(draws);
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(new SeededRandom(43).nextDouble()).not.toBe(draws[0]);
    expect(new SeededRandom(0).nextUint32()).toBe(new SeededRandom(0).nextUint32());
  });

  it("draws binomials with the right mean and variance, by inversion and by rejection", () => {
    const random = new SeededRandom(5);
    for (const [trials, probability] of [
      [20, 0.1],
      [1000, 0.003],
      [1000, 0.3],
      [1_000_000, 0.42],
      [50, 0.9],
    ] as const) {
      const draws = Array.from({ length: 20_000 }, () => random.binomial(trials, probability));
      const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
      const variance = draws.reduce((sum, value) => sum + (value - mean) ** 2, 0) / draws.length;
      const expectedVariance = trials * probability * (1 - probability);
      expect(draws.every((value) => Number.isInteger(value) && value >= 0 && value <= trials)).toBe(
        true,
      );
      expect(Math.abs(mean - trials * probability)).toBeLessThan(
        4 * Math.sqrt(expectedVariance / draws.length),
      );
      expect(variance / expectedVariance).toBeGreaterThan(0.95);
      expect(variance / expectedVariance).toBeLessThan(1.05);
    }
    expect(random.binomial(10, 0)).toBe(0);
    expect(random.binomial(10, 1)).toBe(10);
    expect(random.binomial(0, 0.5)).toBe(0);
  });

  it("matches the binomial probabilities of a small case (χ² goodness of fit)", () => {
    const random = new SeededRandom(11);
    const trials = 40;
    const probability = 0.35;
    const counts = new Array<number>(trials + 1).fill(0);
    const draws = 100_000;
    for (let draw = 0; draw < draws; draw++) counts[random.binomial(trials, probability)]++;
    let chiSquared = 0;
    let mass = (1 - probability) ** trials;
    for (let k = 0; k <= trials; k++) {
      const expected = mass * draws;
      if (expected > 5) chiSquared += (counts[k] - expected) ** 2 / expected;
      mass *= ((trials - k) / (k + 1)) * (probability / (1 - probability));
    }
    // About 25 cells: the 99.9th percentile of χ²(25) is 52.6.
    expect(chiSquared).toBeLessThan(52.6);
  });
});
