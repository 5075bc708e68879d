import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bordaRanking, centralMedian, kendallTau, uniqueMostChosen } from "./aggregation.ts";

describe("centralMedian", () => {
  it("takes the middle value of an odd count", () => {
    expect(centralMedian([5, 1, 3], 3)).toBe(3);
    expect(centralMedian([], 0)).toBeUndefined();
  });

  it("takes the mean of an even count's middle two when it is a point of the scale", () => {
    expect(centralMedian([4, 1, 2, 5], 3)).toBe(3);
    expect(centralMedian([2, 2, 4, 4], 3)).toBe(3);
  });

  it("rounds a half point toward the centre, so that mirrored preferences mirror", () => {
    // The lower median made [+1, +2] → +1 but [−1, −2] → −2.
    expect(centralMedian([1, 2], 0)).toBe(1);
    expect(centralMedian([-1, -2], 0)).toBe(-1);
    expect(centralMedian([3, 4], 3)).toBe(3);
    expect(centralMedian([1, 2], 3)).toBe(2);
  });

  it("has no median when the half point is the centre itself", () => {
    expect(centralMedian([2, 3], 2.5)).toBeUndefined();
    expect(centralMedian([-1, 1], 0)).toBe(0);
  });

  it("mirrors exactly about the centre and ignores input order (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 9 }),
        (values) => {
          const median = centralMedian(values, 0);
          const mirrored = centralMedian(
            values.map((value) => 0 - value),
            0,
          );
          expect(mirrored).toBe(median === undefined ? undefined : 0 - median);
          expect(centralMedian([...values].reverse(), 0)).toBe(median);
          // It is a median: at least half the values on either side of it.
          const below = values.filter((value) => value <= median!).length;
          const above = values.filter((value) => value >= median!).length;
          expect(below * 2).toBeGreaterThanOrEqual(values.length);
          expect(above * 2).toBeGreaterThanOrEqual(values.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("uniqueMostChosen", () => {
  it("finds the value chosen most, or nothing on a tie at the top", () => {
    expect(uniqueMostChosen(["a", "b", "a"])).toEqual({ value: "a", count: 2 });
    expect(uniqueMostChosen(["a", "a", "b", "c", "d"])).toEqual({ value: "a", count: 2 });
    expect(uniqueMostChosen(["a", "b"])).toBeUndefined();
    expect(uniqueMostChosen(["a", "b", "c"])).toBeUndefined();
  });
});

describe("bordaRanking", () => {
  it("orders by Borda points", () => {
    // Points: x = 2+1+2 = 5, y = 1+2+0 = 3, z = 0+0+1 = 1.
    expect(
      bordaRanking([
        ["x", "y", "z"],
        ["y", "x", "z"],
        ["x", "z", "y"],
      ]),
    ).toEqual({ ranking: ["x", "y", "z"], tied: [] });
  });

  it("leaves a tie in points unbroken, whatever the ids", () => {
    // The old rule gave ["a", "b"] here: the lower id won.
    expect(
      bordaRanking([
        ["b", "a"],
        ["a", "b"],
      ]),
    ).toEqual({ ranking: undefined, tied: ["a", "b"] });
  });
});

describe("kendallTau", () => {
  it("is 1 for the same order, −1 for the reverse", () => {
    expect(kendallTau(["a", "b", "c"], ["a", "b", "c"])).toBe(1);
    expect(kendallTau(["a", "b", "c"], ["c", "b", "a"])).toBe(-1);
  });

  it("matches a hand count", () => {
    // Pairs of (a b c d) vs (b a c d): one discordant pair of six: (6 − 2) / 6.
    expect(kendallTau(["a", "b", "c", "d"], ["b", "a", "c", "d"])).toBeCloseTo(4 / 6, 10);
  });
});
