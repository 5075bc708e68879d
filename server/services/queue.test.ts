import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isGoldTurn, stableFraction, type QueueTurn } from "./queue.ts";

const turn = fc.record({
  secret: fc.string({ minLength: 1 }),
  projectId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  userId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  given: fc.nat({ max: 100_000 }),
  goldRate: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** The turns `given` = 0 … count − 1 of one annotator in one project. */
function schedule(base: Omit<QueueTurn, "given">, count: number): boolean[] {
  return Array.from({ length: count }, (_, given) => isGoldTurn({ ...base, given }));
}

/** Turns on which two schedules agree. */
function agreement(a: boolean[], b: boolean[]): number {
  return a.filter((value, index) => value === b[index]).length;
}

// 2,000 turns at rate 0.5: a count of agreements or gold turns is 1,000 ± 22.4 (one standard
// deviation); 150 is over 6 of them, so a fair schedule falls outside about once in 10^9 runs.
const TURNS = 2_000;
const SLACK = 150;

describe("isGoldTurn", () => {
  it("is fixed by its inputs", () => {
    fc.assert(
      fc.property(turn, (input) => {
        expect(isGoldTurn({ ...input })).toBe(isGoldTurn(input));
      }),
    );
  });

  it("never serves gold at rate 0, always at rate 1, and more as the rate grows", () => {
    fc.assert(
      fc.property(turn, fc.double({ min: 0, max: 1, noNaN: true }), (input, higher) => {
        expect(isGoldTurn({ ...input, goldRate: 0 })).toBe(false);
        expect(isGoldTurn({ ...input, goldRate: 1 })).toBe(true);
        if (isGoldTurn(input) && higher >= input.goldRate) {
          expect(isGoldTurn({ ...input, goldRate: higher })).toBe(true);
        }
      }),
    );
  });

  it("serves gold at the rate, on average over an annotator's turns", () => {
    fc.assert(
      fc.property(turn, fc.double({ min: 0.05, max: 0.95, noNaN: true }), (input, goldRate) => {
        const gold = schedule({ ...input, goldRate }, TURNS).filter(Boolean).length;
        const deviation = Math.sqrt(TURNS * goldRate * (1 - goldRate));
        expect(Math.abs(gold - TURNS * goldRate)).toBeLessThan(6.5 * deviation);
      }),
      { numRuns: 20 },
    );
  });

  it("cannot be predicted from the project, the annotator and the turn without the secret", () => {
    fc.assert(
      fc.property(turn, fc.string({ minLength: 1 }), (input, otherSecret) => {
        fc.pre(otherSecret !== input.secret);
        const base = { ...input, goldRate: 0.5 };
        const gold = schedule(base, TURNS);
        // The unkeyed hash of the same inputs, which anyone can compute, …
        const unkeyed = gold.map(
          (_, given) => stableFraction("gold", input.projectId, input.userId, given) < 0.5,
        );
        expect(Math.abs(agreement(gold, unkeyed) - TURNS / 2)).toBeLessThan(SLACK);
        // … or the schedule under another secret agree with it no better than chance.
        const guessed = schedule({ ...base, secret: otherSecret }, TURNS);
        expect(Math.abs(agreement(gold, guessed) - TURNS / 2)).toBeLessThan(SLACK);
      }),
      { numRuns: 20 },
    );
  });
});
