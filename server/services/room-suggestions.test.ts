import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { templateSchema } from "../../app/domain/template.ts";
import type { QualityLabel } from "./quality-economics.ts";
import { categoricalModels } from "./quality-models.ts";
import { fieldSuggestions } from "./room-suggestions.ts";

const template = templateSchema.parse({
  fields: [
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "preference", type: "preference", label: "Preference", scale: 2 },
    { id: "notes", type: "text", label: "Notes" },
  ],
});

function labelled(itemId: number, userId: number, label: QualityLabel["label"]): QualityLabel {
  return { itemId, userId, label, rejected: false, activeMs: null, goldLabel: null };
}

const flip = (verdict: string) => (verdict === "safe" ? "unsafe" : "safe");

describe("fieldSuggestions", () => {
  it("follows the reliable annotator where two who always answer the opposite outvote them", () => {
    // Annotators 1–3 are always right; 4 and 5 always give the other answer. On items 0–19 all
    // five label, which shows the model who is who; on items 20–29 only 1, 4 and 5 label, so the
    // majority is wrong on every one of them and Dawid–Skene, reading 4 and 5 as inverted, right.
    const labels: QualityLabel[] = [];
    const truth = (item: number) => (item % 2 === 0 ? "safe" : "unsafe");
    for (let item = 0; item < 30; item++) {
      const annotators = item < 20 ? [1, 2, 3, 4, 5] : [1, 4, 5];
      for (const annotator of annotators) {
        const verdict = annotator <= 3 ? truth(item) : flip(truth(item));
        labels.push(labelled(item, annotator, { verdict }));
      }
    }
    const models = categoricalModels(template, labels);
    let majorityRight = 0;
    let modelRight = 0;
    for (let item = 20; item < 30; item++) {
      const [verdict] = fieldSuggestions(template, labels, models, item);
      expect(verdict!.fieldId).toBe("verdict");
      expect(verdict!.votes).toBe(3);
      if (verdict!.majority === truth(item)) majorityRight++;
      if (verdict!.dawidSkene?.value === truth(item)) modelRight++;
      expect(verdict!.dawidSkene!.probability).toBeGreaterThan(0.99);
    }
    expect(majorityRight).toBe(0);
    expect(modelRight).toBe(10);
  });

  it("suggests a preference by its direction, and no majority on a tie", () => {
    const labels = [
      labelled(1, 1, { verdict: "safe", preference: -2 }),
      labelled(1, 2, { verdict: "unsafe", preference: -1 }),
      labelled(1, 3, { preference: 1 }),
    ];
    const suggestions = fieldSuggestions(template, labels, categoricalModels(template, labels), 1);
    expect(
      suggestions.map(({ fieldId, votes, majority }) => ({ fieldId, votes, majority })),
    ).toEqual([
      { fieldId: "verdict", votes: 2, majority: null },
      { fieldId: "preference", votes: 3, majority: -1 },
    ]);
  });

  it("leaves out rejected labels and gold items, and says nothing of an item without labels", () => {
    const labels = [
      labelled(1, 1, { verdict: "safe" }),
      { ...labelled(1, 2, { verdict: "unsafe" }), rejected: true },
      { ...labelled(2, 1, { verdict: "unsafe" }), goldLabel: { verdict: "unsafe" } },
    ];
    const models = categoricalModels(template, labels);
    expect(fieldSuggestions(template, labels, models, 1)[0]).toMatchObject({
      votes: 1,
      majority: "safe",
    });
    expect(fieldSuggestions(template, labels, models, 2)[0]).toEqual({
      fieldId: "verdict",
      votes: 0,
      majority: null,
      dawidSkene: null,
    });
  });

  it("always gives a majority that is a most frequent answer and a probability in [0, 1]", () => {
    const answer = fc.record(
      { verdict: fc.constantFrom("safe", "unsafe"), preference: fc.integer({ min: -2, max: 2 }) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), answer), {
          maxLength: 40,
        }),
        (rows) => {
          const labels = rows.map(([item, user, label]) => labelled(item, user, label));
          const models = categoricalModels(template, labels);
          for (let item = 1; item <= 4; item++) {
            for (const suggestion of fieldSuggestions(template, labels, models, item)) {
              const answers = labels
                .filter((entry) => entry.itemId === item)
                .map((entry) => entry.label[suggestion.fieldId])
                .filter((value) => value !== undefined)
                .map((value) => (typeof value === "number" ? Math.sign(value) : value));
              expect(suggestion.votes).toBe(answers.length);
              const counts = new Map<unknown, number>();
              for (const value of answers) counts.set(value, (counts.get(value) ?? 0) + 1);
              const top = Math.max(0, ...counts.values());
              const leaders = [...counts.entries()].filter(([, count]) => count === top);
              expect(suggestion.majority).toBe(leaders.length === 1 ? leaders[0]![0] : null);
              if (suggestion.dawidSkene) {
                expect(suggestion.dawidSkene.probability).toBeGreaterThanOrEqual(0);
                expect(suggestion.dawidSkene.probability).toBeLessThanOrEqual(1 + 1e-9);
                expect(answers.length).toBeGreaterThan(0);
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
