import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accuracyAgainstFinal,
  accuracyFigure,
  answerAgrees,
  fieldValue,
  isScoredField,
  outcomesAgainstFinal,
  outcomesAgainstGold,
  referenceFor,
  type SettledItem,
} from "./accuracy.ts";
import { checkAgreement, settleField } from "./disputes.ts";
import { wilsonInterval } from "./intervals.ts";
import { caseArbitrary, labelArbitrary } from "../../tests/fixtures/label-arbitraries.ts";
import { templateSchema, type Label, type TemplateField } from "./template.ts";

const template = templateSchema.parse({
  fields: [
    { id: "score", type: "rating", label: "Score", min: 1, max: 5 },
    { id: "pref", type: "preference", label: "Preference", scale: 2 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe", "unclear"] },
    {
      id: "flags",
      type: "choice",
      label: "Flags",
      options: ["a", "b", "c"],
      multiple: true,
    },
    { id: "order", type: "ranking", label: "Order" },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage"] },
    { id: "note", type: "text", label: "Note" },
  ],
});
const field = (id: string) => template.fields.find((entry) => entry.id === id)!;
const scored = (id: string) => {
  const found = field(id);
  if (!isScoredField(found)) throw new Error(`${id} is not scored`);
  return found;
};
const span = (start: number, end: number) => ({
  responseId: "r1",
  start,
  end,
  category: "dosage",
  severity: "major",
});
const labels = (...entries: Array<[string, Label]>) =>
  entries.map(([person, label]) => ({ person, label }));

describe("answerAgrees: the dispute rule of each field type", () => {
  it("ratings within spreadAtLeast − 1 of the reference (1 on 1–5), or the option's tolerance", () => {
    expect(answerAgrees(scored("score"), {}, 3, 4)).toBe(true);
    expect(answerAgrees(scored("score"), {}, 3, 5)).toBe(false);
    expect(answerAgrees(scored("score"), { spreadAtLeast: 1 }, 3, 4)).toBe(false);
    expect(answerAgrees(scored("score"), {}, 3, 5, { ratingTolerance: 2 })).toBe(true);
  });

  it("preferences by direction, or by value when the policy compares values", () => {
    expect(answerAgrees(scored("pref"), {}, 1, 2)).toBe(true);
    expect(answerAgrees(scored("pref"), {}, 0, 1)).toBe(false);
    expect(answerAgrees(scored("pref"), {}, -1, 1)).toBe(false);
    expect(answerAgrees(scored("pref"), {}, 0, 0)).toBe(true);
    expect(answerAgrees(scored("pref"), { compare: "value" }, 1, 2)).toBe(false);
  });

  it("choices by equality, multiple choices as sets", () => {
    expect(answerAgrees(scored("verdict"), {}, "safe", "safe")).toBe(true);
    expect(answerAgrees(scored("verdict"), {}, "safe", "unsafe")).toBe(false);
    expect(answerAgrees(scored("flags"), {}, ["a", "b"], ["b", "a"])).toBe(true);
    expect(answerAgrees(scored("flags"), {}, ["a"], ["a", "b"])).toBe(false);
    expect(answerAgrees(scored("flags"), {}, [], [])).toBe(true);
  });

  it("rankings by Kendall's tau against minKendallTau (default 0.5)", () => {
    // One swapped pair of three: (2 − 1) / 3 = 1/3.
    expect(answerAgrees(scored("order"), {}, ["a", "b", "c"], ["a", "b", "c"])).toBe(true);
    expect(answerAgrees(scored("order"), {}, ["a", "c", "b"], ["a", "b", "c"])).toBe(false);
    expect(
      answerAgrees(scored("order"), { minKendallTau: 0.3 }, ["a", "c", "b"], ["a", "b", "c"]),
    ).toBe(true);
  });

  it("spans by maximum-matching F1 against minF1 (default 0.5), in the policy's mode", () => {
    expect(answerAgrees(scored("errors"), {}, [span(0, 10)], [span(2, 12)])).toBe(true);
    expect(
      answerAgrees(scored("errors"), { spanMatch: "exact" }, [span(0, 10)], [span(2, 12)]),
    ).toBe(false);
    // One pair of three spans: F1 = 2 · 1 / 3.
    const two = [span(0, 10), span(20, 30)];
    expect(answerAgrees(scored("errors"), {}, two, [span(0, 10)])).toBe(true);
    expect(answerAgrees(scored("errors"), { minF1: 0.8 }, two, [span(0, 10)])).toBe(false);
    expect(answerAgrees(scored("errors"), {}, [], [])).toBe(true);
  });
});

describe("outcomesAgainstFinal: leave-one-out where the final rests on the label", () => {
  it("a 2–1 consensus: the majority's answers are self-decided, the minority's wrong", () => {
    // Without p1 the others are safe–unsafe, a tie: they settle on nothing. Without p3 they
    // are safe–safe: safe, which p3's unsafe is not.
    const item: SettledItem<string> = {
      labels: labels(
        ["p1", { verdict: "safe" }],
        ["p2", { verdict: "safe" }],
        ["p3", { verdict: "unsafe" }],
      ),
      final: { label: { verdict: "safe" } },
    };
    expect(outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes.verdict)).toEqual(
      ["self-decided", "self-decided", "wrong"],
    );
    expect(referenceFor(scored("verdict"), {}, item, "p3", "safe")).toEqual({
      kind: "leave-one-out",
      value: "safe",
    });
  });

  it("a unanimous consensus of three: every answer is right against the other two", () => {
    const item: SettledItem<string> = {
      labels: labels(["p1", { score: 4 }], ["p2", { score: 4 }], ["p3", { score: 4 }]),
      final: { label: { score: 4 } },
    };
    expect(outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes.score)).toEqual([
      "correct",
      "correct",
      "correct",
    ]);
  });

  it("one annotator's consensus scores nothing: the final is their own label", () => {
    const item: SettledItem<string> = {
      labels: labels(["p1", { score: 4, verdict: "safe" }]),
      final: { label: { score: 4, verdict: "safe" } },
    };
    const [only] = accuracyAgainstFinal(template, {}, [item]);
    // Score and verdict, and the empty spans and multiple choice (nothing marked, nothing chosen).
    expect(only!.overall).toEqual({
      correct: 0,
      scored: 0,
      selfDecided: 4,
      value: { value: null, reason: "self-decided" },
      ci: null,
    });
  });

  it("a panel's label that is no aggregate is compared directly", () => {
    // Ratings 2, 2, 5 aggregate to 2; the panel published 4. Tolerance 1 on 1–5.
    const item: SettledItem<string> = {
      labels: labels(["p1", { score: 2 }], ["p2", { score: 2 }], ["p3", { score: 5 }]),
      final: { label: { score: 4 } },
    };
    expect(outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes.score)).toEqual([
      "wrong",
      "wrong",
      "correct",
    ]);
    expect(referenceFor(scored("score"), {}, item, "p1", 4)).toEqual({ kind: "final", value: 4 });
  });

  it("a published label that is the aggregate of the room's votes: leave-one-out on the votes", () => {
    // Votes p1 3, p2 4, p4 4: median 4, the published value. p1 and p2 voted, so each is
    // compared with the others' votes: without p1 {4, 4} settle on 4 (p1's 2 is 2 away); without
    // p2 {3, 4} settle on 3.5, rounded toward the scale's centre: 3 (p2's 2 is 1 away). p3 did
    // not vote and is compared with 4 itself.
    const item: SettledItem<string> = {
      labels: labels(["p1", { score: 2 }], ["p2", { score: 2 }], ["p3", { score: 5 }]),
      final: {
        label: { score: 4 },
        votes: labels(["p1", { score: 3 }], ["p2", { score: 4 }], ["p4", { score: 4 }]),
      },
    };
    expect(outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes.score)).toEqual([
      "wrong",
      "correct",
      "correct",
    ]);
    expect(referenceFor(scored("score"), {}, item, "p2", 4)).toEqual({
      kind: "leave-one-out",
      value: 3,
    });
  });

  it("a missing multiple choice or spans value is the empty set; a tie of the others settles nothing", () => {
    // Flags: p1 left the field out (nothing chosen), p2 chose nothing, p3 "a". Consensus [].
    // Without p1 or p2 the rest tie on "a" (1 of 2): no settlement. Without p3: [].
    const item: SettledItem<string> = {
      labels: labels(["p1", {}], ["p2", { flags: [] }], ["p3", { flags: ["a"] }]),
      final: { label: {} },
    };
    expect(outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes.flags)).toEqual([
      "self-decided",
      "self-decided",
      "wrong",
    ]);
  });

  it("two annotators who differ on a span are both wrong against each other", () => {
    // A span marked by one of two is a tie, left out of the aggregate []. Published [] is that
    // aggregate, so each is compared with what the other alone settles on.
    const item: SettledItem<string> = {
      labels: labels(["p1", { errors: [span(0, 10)] }], ["p2", {}]),
      final: { label: { errors: [] } },
    };
    expect(outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes.errors)).toEqual([
      "wrong",
      "wrong",
    ]);
  });

  it("a field the final has no value for is not scored; a label without a value is wrong", () => {
    const item: SettledItem<string> = {
      labels: labels(["p1", { score: 3 }], ["p2", { pref: 1 }], ["p3", { pref: 2 }]),
      final: { label: { pref: 2 } },
    };
    const outcomes = outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes);
    expect(outcomes.map((entry) => entry.score)).toEqual([undefined, undefined, undefined]);
    // p1 gave no preference: wrong. The aggregate of 1 and 2 is 1 (1.5 toward the centre), not
    // the published 2, so p2 and p3 are compared with 2 itself: both the same direction.
    expect(outcomes.map((entry) => entry.pref)).toEqual(["wrong", "correct", "correct"]);
    expect(outcomes.every((entry) => !("note" in entry))).toBe(true);
  });

  it("a rejected label is scored but is not part of the aggregate", () => {
    const item: SettledItem<string> = {
      labels: [
        { person: "p1", label: { verdict: "safe" } },
        { person: "p2", label: { verdict: "safe" } },
        { person: "p3", label: { verdict: "unclear" }, rejected: true },
      ],
      final: { label: { verdict: "safe" } },
    };
    expect(outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes.verdict)).toEqual(
      ["correct", "correct", "wrong"],
    );
  });

  it("values of the wrong shape count as missing instead of throwing", () => {
    const item: SettledItem<string> = {
      labels: labels(
        ["p1", { order: "a,b" as unknown as string[], errors: 3 as unknown as [] }],
        ["p2", { order: ["a", "b"], errors: [] }],
      ),
      final: { label: { order: ["a", "b"], errors: [] } },
    };
    const outcomes = outcomesAgainstFinal(template, {}, item).map((entry) => entry.outcomes);
    expect(outcomes[0]).toMatchObject({ order: "wrong", errors: "correct" });
    expect(fieldValue(field("errors"), "nonsense")).toEqual([]);
  });
});

describe("accuracyAgainstFinal", () => {
  it("counts each annotator's answers per field and overall, with Wilson's interval", () => {
    const items: Array<SettledItem<number>> = [
      {
        labels: [
          { person: 2, label: { score: 4, verdict: "safe" } },
          { person: 1, label: { score: 4, verdict: "safe" } },
          { person: 3, label: { score: 1, verdict: "safe" } },
        ],
        final: { label: { score: 4, verdict: "safe" } },
      },
      {
        labels: [
          { person: 1, label: { score: 5, verdict: "unsafe" } },
          { person: 3, label: { score: 2, verdict: "safe" } },
        ],
        final: { label: { score: 2, verdict: "safe" } },
      },
    ];
    // Item 1: the score's aggregate is 4, the final. Without 1 or without 2 the rest, {4, 1},
    // dispute (spread 3): self-decided. Without 3, {4, 4} settle on 4: 3's 1 is wrong. Verdict
    // unanimous: all right.
    // Item 2: published {2, safe} is not the aggregate of {5, 2} (3.5 → 3): compared directly.
    // Verdict: {unsafe, safe} ties, so "safe" is no aggregate either: compared directly.
    const result = accuracyAgainstFinal(template, {}, items);
    expect(result.map((entry) => entry.person)).toEqual([1, 2, 3]);
    const [one, two, three] = result;
    expect(one!.fields.find((entry) => entry.fieldId === "score")).toMatchObject({
      correct: 0,
      scored: 1,
      selfDecided: 1,
      value: { value: 0, reason: null },
    });
    // Flags and errors: everyone left them empty (the empty set), as the finals are, and each
    // empty answer agrees with what the others' empty ones settle on. Overall adds 2 + 2.
    expect(one!.overall).toMatchObject({ correct: 1 + 4, scored: 3 + 4, selfDecided: 1 });
    expect(two!.overall).toMatchObject({ correct: 1 + 2, scored: 1 + 2, selfDecided: 1 });
    expect(three!.overall).toMatchObject({ correct: 3 + 4, scored: 4 + 4, selfDecided: 0 });
    expect(three!.overall.ci).toEqual(wilsonInterval(7, 8).value);
    expect(one!.fields.map((entry) => entry.fieldId)).toEqual([
      "score",
      "pref",
      "verdict",
      "flags",
      "order",
      "errors",
    ]);
    expect(one!.fields.find((entry) => entry.fieldId === "pref")!.value).toEqual({
      value: null,
      reason: "no-data",
    });
  });

  it("returns nothing for no items", () => {
    expect(accuracyAgainstFinal(template, {}, [])).toEqual([]);
  });

  it("all-identical values give 1 with an interval below it", () => {
    const item: SettledItem<string> = {
      labels: labels(["p1", { score: 3 }], ["p2", { score: 3 }], ["p3", { score: 3 }]),
      final: { label: { score: 3 } },
    };
    const result = accuracyAgainstFinal(template, {}, [item, item, item, item]);
    const score = result[0]!.fields[0]!;
    expect(score.value).toEqual({ value: 1, reason: null });
    // Wilson for 4 of 4: [0.5101, 1].
    expect(score.ci!.lower).toBeCloseTo(0.5101, 4);
    expect(score.ci!.upper).toBe(1);
  });
});

describe("accuracyFigure", () => {
  it("gives the share and Wilson's interval, or a reason", () => {
    // Wilson 95 % for 8 of 10: [0.4902, 0.9433] (Newcombe 1998 gives 0.4902–0.9433).
    const figure = accuracyFigure(8, 10);
    expect(figure.value).toEqual({ value: 0.8, reason: null });
    expect(figure.ci!.lower).toBeCloseTo(0.4902, 4);
    expect(figure.ci!.upper).toBeCloseTo(0.9433, 4);
    expect(accuracyFigure(0, 0).value).toEqual({ value: null, reason: "no-data" });
    expect(accuracyFigure(3, 2).value).toEqual({ value: null, reason: "invalid-options" });
    expect(accuracyFigure(Number.NaN, 2).value).toEqual({ value: null, reason: "invalid-options" });
  });
});

describe("outcomesAgainstGold", () => {
  const gold: Label = {
    score: 4,
    pref: -2,
    verdict: "unsafe",
    flags: [],
    order: ["a", "b", "c"],
    errors: [span(0, 10)],
    note: "x",
  };

  it("makes gold scores right or wrong by the same thresholds", () => {
    const given: Label = {
      score: 5,
      pref: -1,
      verdict: "safe",
      order: ["a", "c", "b"],
      errors: [span(5, 12), span(30, 40)],
      note: "y",
    };
    // score within 1 (the gold tolerance); pref same direction; verdict wrong; flags left out
    // is the empty set, as the gold; order: (1/3 + 1)/2 = 2/3 < 0.75; errors F1 2/3 ≥ 0.5.
    expect(outcomesAgainstGold(template, {}, gold, given, { ratingTolerance: 1 })).toEqual({
      score: "correct",
      pref: "correct",
      verdict: "wrong",
      flags: "correct",
      order: "wrong",
      errors: "correct",
    });
    expect(
      outcomesAgainstGold(template, { order: { minKendallTau: 1 / 3 } }, gold, given, {
        ratingTolerance: 0,
      }),
    ).toMatchObject({ score: "wrong", order: "correct" });
  });

  it("scores only what the gold label has", () => {
    expect(
      outcomesAgainstGold(template, {}, { verdict: "safe" }, {}, { ratingTolerance: 1 }),
    ).toEqual({ verdict: "wrong" });
  });
});

/** An item whose final is its consensus aggregate, with a person per label. */
const consensusCase = caseArbitrary.map(({ template: on, policy, labels: given }) => ({
  template: on,
  policy,
  item: {
    labels: given.map((label, index) => ({ person: `p${index}`, label })),
    final: { label: checkAgreement(on, policy, given).aggregated },
  } satisfies SettledItem<string>,
}));

describe("properties", () => {
  it("where the final is the aggregate, each answer is compared with the others' settlement", () => {
    fc.assert(
      fc.property(consensusCase, ({ template: on, policy, item }) => {
        const outcomes = outcomesAgainstFinal(on, policy, item);
        for (const field of on.fields) {
          if (!isScoredField(field)) continue;
          const fieldPolicy = policy[field.id] ?? {};
          const finalValue = fieldValue(field, item.final.label[field.id]);
          item.labels.forEach((entry, index) => {
            const outcome = outcomes[index]!.outcomes[field.id];
            const given = fieldValue(field, entry.label[field.id]);
            if (finalValue === undefined) return expect(outcome).toBeUndefined();
            if (given === undefined) return expect(outcome).toBe("wrong");
            // The reference never depends on this label: it is the others' settlement.
            const others = settleField(
              field,
              fieldPolicy,
              item.labels
                .filter((_, other) => other !== index)
                .map((other) => fieldValue(field, other.label[field.id])),
            );
            const reference = referenceFor(field, fieldPolicy, item, entry.person, finalValue);
            expect(reference.kind).toBe("leave-one-out");
            if (others.disputed || others.value === undefined) {
              expect(reference.value).toBeUndefined();
              expect(outcome).toBe("self-decided");
            } else {
              expect(reference.value).toEqual(others.value);
              expect(outcome).toBe(
                answerAgrees(field, fieldPolicy, given, others.value) ? "correct" : "wrong",
              );
            }
          });
        }
      }),
    );
  });

  it("a lone annotator is never scored against their own consensus", () => {
    fc.assert(
      fc.property(consensusCase, ({ template: on, policy, item }) => {
        const alone = { ...item, labels: item.labels.slice(0, 1) };
        alone.final = { label: checkAgreement(on, policy, [alone.labels[0]!.label]).aggregated };
        for (const outcome of Object.values(outcomesAgainstFinal(on, policy, alone)[0]!.outcomes)) {
          expect(outcome).toBe("self-decided");
        }
      }),
    );
  });

  it("accuracy lies in [0, 1], its interval contains it, and nothing is NaN", () => {
    const itemsCase = caseArbitrary.chain(({ template: on, policy }) =>
      fc.record({
        template: fc.constant(on),
        policy: fc.constant(policy),
        items: fc.array(
          fc
            .record({
              given: fc.array(labelArbitrary(on), { minLength: 1, maxLength: 5 }),
              published: fc.option(labelArbitrary(on), { nil: undefined }),
            })
            .map(({ given, published }) => ({
              labels: given.map((label, index) => ({ person: index, label })),
              final: { label: published ?? checkAgreement(on, policy, given).aggregated },
            })),
          { maxLength: 6 },
        ),
      }),
    );
    fc.assert(
      fc.property(itemsCase, ({ template: on, policy, items }) => {
        for (const annotator of accuracyAgainstFinal(on, policy, items)) {
          for (const figure of [annotator.overall, ...annotator.fields]) {
            expect(Number.isInteger(figure.correct) && figure.correct <= figure.scored).toBe(true);
            if (figure.value.value === null) {
              expect(figure.scored).toBe(0);
              expect(figure.ci).toBeNull();
              continue;
            }
            expect(figure.value.value).toBeGreaterThanOrEqual(0);
            expect(figure.value.value).toBeLessThanOrEqual(1);
            expect(figure.ci!.lower).toBeLessThanOrEqual(figure.value.value + 1e-12);
            expect(figure.ci!.upper).toBeGreaterThanOrEqual(figure.value.value - 1e-12);
          }
          expect(JSON.stringify(annotator)).not.toMatch(/NaN|Infinity|null,"reason":null/);
        }
      }),
    );
  });

  it("the order of labels and of items changes nothing", () => {
    const shuffled = consensusCase.chain((value) =>
      fc.record({
        value: fc.constant(value),
        order: fc.shuffledSubarray(value.item.labels, {
          minLength: value.item.labels.length,
          maxLength: value.item.labels.length,
        }),
      }),
    );
    fc.assert(
      fc.property(shuffled, fc.boolean(), ({ value, order }, twice) => {
        const { template: on, policy, item } = value;
        const second: SettledItem<string> = {
          labels: item.labels.map((entry) => ({ ...entry, person: `${entry.person}b` })),
          final: item.final,
        };
        const items = twice ? [item, second] : [item];
        const permuted = [...items]
          .reverse()
          .map((entry, index) =>
            index === items.length - 1 ? { ...entry, labels: order } : entry,
          );
        expect(accuracyAgainstFinal(on, policy, permuted)).toEqual(
          accuracyAgainstFinal(on, policy, items),
        );
      }),
    );
  });
});

// Keeps the helper honest: every template field type is either scored or free text.
it("scores every field type but free text", () => {
  const types = template.fields.map((entry: TemplateField) => [entry.type, isScoredField(entry)]);
  expect(types).toEqual([
    ["rating", true],
    ["preference", true],
    ["choice", true],
    ["choice", true],
    ["ranking", true],
    ["spans", true],
    ["text", false],
  ]);
});
