import { describe, expect, it } from "vitest";
import { scoreLabelAgainstGold } from "./gold.ts";
import { templateSchema } from "./template.ts";

const template = templateSchema.parse({
  fields: [
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5 },
    { id: "preference", type: "preference", label: "Preference", scale: 2 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "flags", type: "choice", label: "Flags", options: ["dose", "drug"], multiple: true },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage"] },
    { id: "order", type: "ranking", label: "Order" },
    { id: "critique", type: "text", label: "Critique" },
  ],
});
const span = (start: number, end: number) => ({
  responseId: "a",
  start,
  end,
  category: "dosage",
  severity: "major",
});

describe("scoreLabelAgainstGold", () => {
  const gold = {
    accuracy: 4,
    preference: -2,
    verdict: "unsafe",
    errors: [span(0, 10)],
    order: ["a", "b", "c"],
    critique: "x",
  };

  it("scores each field by its rule", () => {
    const given = {
      accuracy: 5,
      preference: -1,
      verdict: "safe",
      errors: [span(5, 12), span(30, 40)],
      order: ["c", "b", "a"],
      critique: "y",
    };
    expect(scoreLabelAgainstGold(template, gold, given, { ratingTolerance: 1 })).toEqual({
      accuracy: 1,
      preference: 1,
      verdict: 0,
      errors: 2 / 3,
      order: 0,
    });
  });

  it("respects the rating tolerance and counts a missing value as wrong", () => {
    expect(
      scoreLabelAgainstGold(template, gold, { accuracy: 5, preference: 0 }, { ratingTolerance: 0 }),
    ).toMatchObject({ accuracy: 0, preference: 0, verdict: 0 });
  });

  it("leaves out fields the gold label does not fill", () => {
    expect(
      scoreLabelAgainstGold(
        template,
        { verdict: "safe" },
        { verdict: "safe" },
        { ratingTolerance: 1 },
      ),
    ).toEqual({ verdict: 1 });
  });

  it("takes a list left out as the empty list: right when the gold marks nothing", () => {
    const options = { ratingTolerance: 1 };
    expect(
      scoreLabelAgainstGold(template, { errors: [], flags: [] }, { verdict: "safe" }, options),
    ).toEqual({ errors: 1, flags: 1 });
    expect(
      scoreLabelAgainstGold(template, { errors: [span(0, 10)], flags: ["dose"] }, {}, options),
    ).toEqual({ errors: 0, flags: 0 });
  });
});
