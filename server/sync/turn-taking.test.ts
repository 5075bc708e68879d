import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TurnTaking } from "./turn-taking.ts";

describe("TurnTaking", () => {
  it("runs at most its limit at once, starts the rest in order, and survives failures", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.record({ turns: fc.integer({ min: 0, max: 3 }), fails: fc.boolean() }), {
          maxLength: 30,
        }),
        async (limit, tasks) => {
          const turns = new TurnTaking(limit);
          let running = 0;
          let mostAtOnce = 0;
          const started: number[] = [];
          const outcomes = await Promise.allSettled(
            tasks.map((task, index) =>
              turns.run(async () => {
                started.push(index);
                running += 1;
                mostAtOnce = Math.max(mostAtOnce, running);
                for (let turn = 0; turn < task.turns; turn += 1) {
                  await new Promise((resolve) => setImmediate(resolve));
                }
                running -= 1;
                if (task.fails) throw new Error(`task ${index}`);
                return index;
              }),
            ),
          );
          expect(mostAtOnce).toBeLessThanOrEqual(limit);
          expect(started).toEqual(tasks.map((_, index) => index));
          outcomes.forEach((outcome, index) => {
            if (tasks[index].fails) expect(outcome.status).toBe("rejected");
            else expect(outcome).toEqual({ status: "fulfilled", value: index });
          });
          // Every slot came back: a full round more runs at once again.
          let again = 0;
          await Promise.all(
            Array.from({ length: limit }, () =>
              turns.run(async () => {
                again += 1;
                await new Promise((resolve) => setImmediate(resolve));
                expect(again).toBe(limit);
              }),
            ),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
