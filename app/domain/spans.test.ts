import { describe, expect, it } from "vitest";
import { meanPairwiseSpanF1, spanF1 } from "./spans.ts";
import type { SpanAnnotation } from "./template.ts";

const span = (
  start: number,
  end: number,
  category = "factual",
  responseId = "a",
): SpanAnnotation => ({
  responseId,
  start,
  end,
  category,
  severity: "major",
});

describe("spanF1", () => {
  it("is 1 when both annotators mark nothing, 0 when only one does", () => {
    expect(spanF1([], [], "exact")).toBe(1);
    expect(spanF1([span(0, 5)], [], "overlap")).toBe(0);
  });

  it("counts exact matches only at identical offsets and category", () => {
    const reference = [span(0, 10), span(20, 30)];
    expect(spanF1(reference, [span(0, 10), span(21, 30)], "exact")).toBeCloseTo(0.5, 10);
    expect(spanF1(reference, [span(0, 10, "omission")], "exact")).toBe(0);
  });

  it("counts overlapping spans of the same category in the same response", () => {
    const reference = [span(0, 10), span(20, 30)];
    // Precision 2/3, recall 2/2: F1 = 0.8.
    expect(spanF1(reference, [span(5, 12), span(25, 40), span(50, 60)], "overlap")).toBeCloseTo(
      0.8,
      10,
    );
    expect(spanF1([span(0, 10)], [span(10, 20)], "overlap")).toBe(0);
    expect(spanF1([span(0, 10, "factual", "a")], [span(0, 10, "factual", "b")], "overlap")).toBe(0);
  });

  it("pairs spans one to one", () => {
    expect(spanF1([span(0, 100)], [span(0, 10), span(20, 30)], "overlap")).toBeCloseTo(2 / 3, 10);
  });
});

describe("meanPairwiseSpanF1", () => {
  it("averages over every pair", () => {
    const sets = [[span(0, 10)], [span(0, 10)], []];
    // pairs: (1,2) = 1, (1,3) = 0, (2,3) = 0
    expect(meanPairwiseSpanF1(sets, "exact")).toBeCloseTo(1 / 3, 10);
    expect(meanPairwiseSpanF1([[span(0, 1)]], "exact")).toBeNull();
  });
});
