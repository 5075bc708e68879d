import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GroupQuality } from "../../../server/services/quality.ts";
import { undefinedReasons, type Estimate, type UndefinedReason } from "~/domain/estimate.ts";
import { levelComparison } from "./quality-figures.tsx";

const reasons = Object.keys(undefinedReasons) as UndefinedReason[];
const anEstimate: fc.Arbitrary<Estimate<number>> = fc.oneof(
  fc.nat({ max: 10 ** 7 }).map((value) => ({ value, reason: null })),
  fc.constantFrom(...reasons).map((reason) => ({ value: null, reason })),
);

function group(key: string | null, costPerCorrectCents?: Estimate<number>): GroupQuality {
  const accuracy = { value: null, reason: "no-data" as const, ci: null, correct: 0, scored: 0 };
  return {
    key,
    people: 1,
    labels: 1,
    activeMs: 0,
    accuracyVsFinal: { ...accuracy, selfDecided: 0 },
    goldAccuracy: accuracy,
    reliability: { value: null, reason: "no-data" },
    ...(costPerCorrectCents ? { costCents: { value: 0, reason: null }, costPerCorrectCents } : {}),
  };
}

describe("are experts cheaper per unit of quality here?", () => {
  it("answers with both costs per correct answer", () => {
    const byLevel = [
      group("expert", { value: 275, reason: null }),
      group("junior", { value: 200, reason: null }),
    ];
    expect(levelComparison(byLevel)).toBe(
      "Experts: $2.75 per correct answer; juniors: $2.00. Here juniors are cheaper per unit of quality.",
    );
  });

  it("says why it cannot answer, in words", () => {
    expect(levelComparison([group("expert", { value: 1, reason: null })])).toBe(
      "Experts and juniors cannot be compared here: no junior has worked on this project.",
    );
    expect(levelComparison([group("expert"), group("junior")])).toMatch(
      /cost of a level is shown only to leads and admins/,
    );
    expect(
      levelComparison([
        group("expert", { value: null, reason: "missing-rate" }),
        group("junior", { value: 50, reason: null }),
      ]),
    ).toBe(
      "Experts and juniors cannot be compared yet: the experts' cost per correct answer is unknown (no hourly rate).",
    );
  });

  it("never reads NaN or null, and names the cheaper level whenever both costs are known", () => {
    const level = fc.constantFrom("expert", "junior", null);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(level, fc.option(anEstimate, { nil: undefined })), {
          selector: ([key]) => key,
          maxLength: 3,
        }),
        (entries) => {
          const byLevel = entries.map(([key, cost]) => group(key, cost));
          const sentence = levelComparison(byLevel);
          expect(sentence).not.toMatch(/NaN|null|undefined/);
          const cost = (key: string) =>
            byLevel.find((entry) => entry.key === key)?.costPerCorrectCents;
          const [expert, junior] = [cost("expert")?.value, cost("junior")?.value];
          if (typeof expert === "number" && typeof junior === "number" && expert !== junior) {
            expect(sentence).toContain(
              expert < junior ? "Here experts are cheaper" : "Here juniors are cheaper",
            );
          } else {
            expect(sentence).not.toMatch(/Here \w+ are cheaper/);
          }
        },
      ),
    );
  });
});
