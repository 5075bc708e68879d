import { describe, expect, it } from "vitest";
import {
  aggregateField,
  bordaRanking,
  kendallTau,
  lowerMedian,
  majoritySpans,
  strictMajority,
} from "./aggregation.ts";
import type { TemplateField } from "./template.ts";

describe("lowerMedian", () => {
  it("takes the middle value, or the lower middle of an even count", () => {
    expect(lowerMedian([5, 1, 3])).toBe(3);
    expect(lowerMedian([4, 1, 2, 5])).toBe(2);
    expect(lowerMedian([])).toBeUndefined();
  });
});

describe("strictMajority", () => {
  it("needs more than half", () => {
    expect(strictMajority(["a", "b", "a"])).toBe("a");
    expect(strictMajority(["a", "b"])).toBeUndefined();
    expect(strictMajority(["a", "b", "c"])).toBeUndefined();
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
    ).toEqual(["x", "y", "z"]);
  });

  it("breaks ties by id", () => {
    expect(
      bordaRanking([
        ["b", "a"],
        ["a", "b"],
      ]),
    ).toEqual(["a", "b"]);
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

describe("majoritySpans", () => {
  it("keeps spans a majority marked identically, with the majority severity", () => {
    const span = (severity: string, start = 0) => ({
      responseId: "a",
      start,
      end: 5,
      category: "dosage",
      severity,
    });
    expect(
      majoritySpans([[span("major")], [span("critical")], [span("critical"), span("minor", 1)]]),
    ).toEqual([{ responseId: "a", start: 0, end: 5, category: "dosage", severity: "critical" }]);
  });
});

describe("aggregateField", () => {
  it("aggregates each field type as the template table says", () => {
    const rating: TemplateField = {
      id: "r",
      type: "rating",
      label: "R",
      min: 1,
      max: 5,
      level: "ordinal",
      required: true,
    };
    const choice: TemplateField = {
      id: "c",
      type: "choice",
      label: "C",
      options: ["yes", "no", "unsure"],
      multiple: true,
      required: false,
    };
    const text: TemplateField = { id: "t", type: "text", label: "T", required: false };
    expect(aggregateField(rating, [2, 5, 4, undefined])).toBe(4);
    expect(aggregateField(choice, [["yes"], ["yes", "no"], ["no", "unsure"]])).toEqual([
      "yes",
      "no",
    ]);
    expect(aggregateField(text, ["a", "b"])).toBeUndefined();
    expect(aggregateField(rating, [undefined])).toBeUndefined();
  });
});
