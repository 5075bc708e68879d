import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pairwiseMean } from "./pairwise-mean.ts";

describe("pairwiseMean", () => {
  it("averages a measure over every unordered pair, and is null without a pair", () => {
    expect(pairwiseMean([1, 2, 4], (a, b) => a + b)).toBe((3 + 5 + 6) / 3);
    expect(pairwiseMean([7], () => 1)).toBeNull();
    expect(pairwiseMean([], () => 1)).toBeNull();
  });

  it("is the same bit for bit whatever the order of the members (property)", () => {
    // Pair values such as F1 = 2·matched / (|a| + |b|) are fractions whose sum depends on the
    // order of addition; a threshold on the mean must not.
    const measure = (a: number, b: number) => (2 * Math.min(a, b)) / (a + b + 1);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 2, maxLength: 8 }),
        fc.infiniteStream(fc.nat()),
        (members, picks) => {
          const shuffled = [...members];
          for (let index = shuffled.length - 1; index > 0; index--) {
            const other = picks.next().value % (index + 1);
            [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
          }
          expect(pairwiseMean(shuffled, measure)).toBe(pairwiseMean(members, measure));
        },
      ),
      { numRuns: 500 },
    );
  });
});
