import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PerUserLimit } from "./per-user-limit.ts";

describe("PerUserLimit", () => {
  it("never lets a user hold more than the cap, and a release frees one place however often it is called", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            userId: fc.integer({ min: 1, max: 3 }),
            release: fc.boolean(),
            releaseTwice: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        (max, steps) => {
          const limit = new PerUserLimit(max);
          const held = new Map<number, Array<() => void>>();
          for (const step of steps) {
            const mine = held.get(step.userId) ?? [];
            held.set(step.userId, mine);
            if (step.release && mine.length > 0) {
              const release = mine.shift()!;
              release();
              if (step.releaseTwice) release();
              continue;
            }
            const reserved = limit.tryReserve(step.userId);
            expect(reserved === null).toBe(mine.length >= max);
            if (reserved) mine.push(reserved);
          }
        },
      ),
    );
  });

  it("counts each user apart", () => {
    const limit = new PerUserLimit(1);
    expect(limit.tryReserve(1)).not.toBeNull();
    expect(limit.tryReserve(1)).toBeNull();
    expect(limit.tryReserve(2)).not.toBeNull();
  });
});
