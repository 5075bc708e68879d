import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clusterSpan,
  matchSpans,
  meanPairwiseSpanF1,
  spanClusters,
  spanF1,
  sweepMatching,
  type SpanMatch,
} from "./spans.ts";
import type { SpanAnnotation } from "./template.ts";

const span = (
  start: number,
  end: number,
  category = "factual",
  responseId = "a",
  severity = "major",
): SpanAnnotation => ({ responseId, start, end, category, severity });

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

  it("pairs as many spans as a maximum matching can, where greedy pairing gave 0.50", () => {
    // Longest overlap first pairs [0,10)–[1,11) and leaves [10,12) and [0,1) unpaired.
    const first = [span(0, 10), span(10, 12)];
    const second = [span(1, 11), span(0, 1)];
    expect(spanF1(first, second, "overlap")).toBe(1);
    expect(matchSpans(first, second, "overlap")).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  // Published reference values: nervaluate (MantisAI/nervaluate), the SemEval-2013 task 9.1
  // scheme. Its "strict" schema (same type, same boundaries) is our exact mode and its
  // "ent_type" schema (same type, some overlap) our overlap mode; with precision = COR / ACT and
  // recall = COR / POS their F1 is ours, 2·matches / (|gold| + |predicted|).
  it("reproduces nervaluate's test_compute_metrics_case_1 (strict F1 1/3, ent_type F1 0.5)", () => {
    const gold = [
      span(59, 69, "PER"),
      span(127, 134, "LOC"),
      span(164, 174, "LOC"),
      span(197, 205, "LOC"),
      span(208, 219, "LOC"),
      span(230, 240, "MISC"),
    ];
    const predicted = [
      span(24, 30, "PER"),
      span(124, 134, "LOC"),
      span(164, 174, "PER"),
      span(197, 205, "LOC"),
      span(208, 219, "LOC"),
      span(225, 243, "LOC"),
    ];
    expect(spanF1(gold, predicted, "exact")).toBeCloseTo(0.3333333333333333, 12);
    expect(spanF1(gold, predicted, "overlap")).toBeCloseTo(0.5, 12);
  });

  it("reproduces nervaluate's test_evaluator_compare_results_and_results_agg_1 (F1 0.8)", () => {
    // Three documents, here three responses: gold [], ORG, MISC; predicted PER, ORG, MISC.
    const gold = [span(2, 4, "ORG", "doc2"), span(2, 4, "MISC", "doc3")];
    const predicted = [
      span(2, 4, "PER", "doc1"),
      span(2, 4, "ORG", "doc2"),
      span(2, 4, "MISC", "doc3"),
    ];
    expect(spanF1(gold, predicted, "exact")).toBeCloseTo(0.8, 12);
    expect(spanF1(gold, predicted, "overlap")).toBeCloseTo(0.8, 12);
  });

  it("reproduces nervaluate's single-entity scenarios 4 and 5 (type or boundary differs)", () => {
    // Scenario 5: PER [59,69) against PER [57,69): strict incorrect, ent_type correct.
    expect(spanF1([span(59, 69, "PER")], [span(57, 69, "PER")], "exact")).toBe(0);
    expect(spanF1([span(59, 69, "PER")], [span(57, 69, "PER")], "overlap")).toBe(1);
    // Scenario 4: PER against LOC at the same offsets: incorrect under both.
    expect(spanF1([span(59, 69, "PER")], [span(59, 69, "LOC")], "overlap")).toBe(0);
  });

  it("stays exact and bounded on a tangle of hundreds of overlapping spans", () => {
    const first = Array.from({ length: 300 }, (_, index) => span(0, 1000 + index));
    const second = [
      ...Array.from({ length: 200 }, (_, index) => span(index, 1000)),
      ...Array.from({ length: 100 }, (_, index) => span(2000 + index, 2001 + index)),
    ];
    // 300 × 200 mutually overlapping spans: at most 200 pairs; the other 100 match nothing.
    expect(spanF1(first, second, "overlap")).toBeCloseTo((2 * 200) / 600, 12);
  });
});

/** The best (pairs, total overlap) of any one-to-one matching, by exhaustive search. */
function bestMatching(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
  mode: SpanMatch,
): [number, number] {
  const matches = (a: SpanAnnotation, b: SpanAnnotation) =>
    a.responseId === b.responseId &&
    a.category === b.category &&
    (mode === "exact"
      ? a.start === b.start && a.end === b.end
      : a.start < b.end && b.start < a.end);
  const overlap = (a: SpanAnnotation, b: SpanAnnotation) =>
    Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const search = (index: number, used: Set<number>): [number, number] => {
    if (index === first.length) return [0, 0];
    let best = search(index + 1, used);
    second.forEach((candidate, j) => {
      if (used.has(j) || !matches(first[index]!, candidate)) return;
      const rest = search(index + 1, new Set([...used, j]));
      const total: [number, number] = [rest[0] + 1, rest[1] + overlap(first[index]!, candidate)];
      if (total[0] > best[0] || (total[0] === best[0] && total[1] > best[1])) best = total;
    });
    return best;
  };
  return search(0, new Set());
}

const spanArbitrary = fc
  .record({
    start: fc.integer({ min: 0, max: 30 }),
    length: fc.integer({ min: 1, max: 12 }),
    category: fc.constantFrom("factual", "omission"),
    responseId: fc.constantFrom("a", "b"),
    severity: fc.constantFrom("minor", "major", "critical"),
  })
  .map(({ start, length, category, responseId, severity }) =>
    span(start, start + length, category, responseId, severity),
  );

describe("matchSpans", () => {
  it("finds a maximum matching with the greatest overlap among those (property)", () => {
    fc.assert(
      fc.property(
        fc.array(spanArbitrary, { maxLength: 6 }),
        fc.array(spanArbitrary, { maxLength: 6 }),
        fc.constantFrom<SpanMatch>("exact", "overlap"),
        (first, second, mode) => {
          const pairs = matchSpans(first, second, mode);
          expect(new Set(pairs.map(([a]) => a)).size).toBe(pairs.length);
          expect(new Set(pairs.map(([, b]) => b)).size).toBe(pairs.length);
          const overlap = pairs.reduce((total, [a, b]) => {
            const x = first[a]!;
            const y = second[b]!;
            return total + Math.min(x.end, y.end) - Math.max(x.start, y.start);
          }, 0);
          expect([pairs.length, overlap]).toEqual(bestMatching(first, second, mode));
          // Symmetric: F1 does not depend on which annotator is the reference.
          expect(spanF1(first, second, mode)).toBe(spanF1(second, first, mode));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("sweepMatching", () => {
  it("pairs as many overlapping spans as any matching can (property)", () => {
    const oneTarget = spanArbitrary.map((value) => ({ ...value, responseId: "a", category: "c" }));
    fc.assert(
      fc.property(
        fc.array(oneTarget, { maxLength: 7 }),
        fc.array(oneTarget, { maxLength: 7 }),
        (first, second) => {
          const pairs = sweepMatching(first, second);
          expect(new Set(pairs.map(([a]) => a)).size).toBe(pairs.length);
          expect(new Set(pairs.map(([, b]) => b)).size).toBe(pairs.length);
          for (const [a, b] of pairs) {
            expect(first[a]!.start < second[b]!.end && second[b]!.start < first[a]!.end).toBe(true);
          }
          expect(pairs.length).toBe(bestMatching(first, second, "overlap")[0]);
        },
      ),
      { numRuns: 1000 },
    );
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

describe("spanClusters", () => {
  it("pairs the most alike of equally overlapping spans, so that annotator order does not matter", () => {
    // Found by the order property in disputes.test.ts: [2,9) and [7,9) overlap B's [7,9) by the
    // same length, and which one it was paired with decided how C's [8,11) clustered.
    const a = [span(2, 9, "x", "a", "minor"), span(7, 9, "x", "a", "major")];
    const b = [span(7, 9, "x", "a", "major")];
    const c = [span(2, 3, "x", "a", "minor"), span(8, 11, "x", "a", "minor")];
    const byValue = (sets: SpanAnnotation[][]) =>
      spanClusters(sets, "overlap").map((cluster) =>
        cluster.map(({ span: member }) => `${member.start}-${member.end} ${member.severity}`),
      );
    const expected = [
      ["2-3 minor", "2-9 minor"],
      ["7-9 major", "7-9 major", "8-11 minor"],
    ];
    for (const order of [
      [a, b, c],
      [a, c, b],
      [b, a, c],
      [b, c, a],
      [c, a, b],
      [c, b, a],
    ]) {
      expect(byValue(order)).toEqual(expected);
    }
  });

  it("puts three annotators' marks of one error into one cluster", () => {
    const clusters = spanClusters([[span(0, 10)], [span(1, 10)], [span(0, 9)]], "overlap");
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.map((member) => member.annotator).sort()).toEqual([0, 1, 2]);
    expect(clusterSpan(clusters[0]!, ["minor", "major", "critical"])).toEqual(span(0, 10));
  });

  it("keeps one span per annotator, and spans that share a character, in a cluster", () => {
    // A marks two errors where B and C see one long one.
    const clusters = spanClusters(
      [[span(0, 10), span(20, 30)], [span(0, 30)], [span(2, 28)]],
      "overlap",
    );
    for (const cluster of clusters) {
      const annotators = cluster.map((member) => member.annotator);
      expect(new Set(annotators).size).toBe(annotators.length);
      const latestStart = Math.max(...cluster.map((member) => member.span.start));
      const earliestEnd = Math.min(...cluster.map((member) => member.span.end));
      expect(latestStart).toBeLessThan(earliestEnd);
    }
    expect(clusters.map((cluster) => cluster.length).sort()).toEqual([1, 3]);
  });

  it("clusters only identical spans in exact mode", () => {
    const clusters = spanClusters([[span(0, 10)], [span(0, 10)], [span(0, 9)]], "exact");
    expect(clusters.map((cluster) => cluster.length).sort()).toEqual([1, 2]);
  });

  it("does not depend on the order of the annotators or their spans (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(spanArbitrary, { maxLength: 4 }), { minLength: 2, maxLength: 5 }),
        fc.constantFrom<SpanMatch>("exact", "overlap"),
        (sets, mode) => {
          const shape = (spanSets: SpanAnnotation[][]) =>
            spanClusters(spanSets, mode).map((cluster) => cluster.map((member) => member.span));
          const reversed = [...sets].reverse().map((spans) => [...spans].reverse());
          expect(shape(reversed)).toEqual(shape(sets));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("clusterSpan", () => {
  const severities = ["minor", "major", "critical"];
  const cluster = (...spans: SpanAnnotation[]) =>
    spans.map((member, annotator) => ({ annotator, span: member }));

  it("takes the outer middle boundaries of an even count, the more severe middle severity", () => {
    expect(
      clusterSpan(
        cluster(span(0, 9, "factual", "a", "minor"), span(2, 12, "factual", "a", "critical")),
        severities,
      ),
    ).toEqual(span(0, 12, "factual", "a", "critical"));
    expect(
      clusterSpan(
        cluster(
          span(0, 9, "factual", "a", "minor"),
          span(1, 10, "factual", "a", "major"),
          span(2, 12, "factual", "a", "critical"),
          span(3, 11, "factual", "a", "minor"),
        ),
        severities,
      ),
    ).toEqual(span(1, 11, "factual", "a", "major"));
  });

  it("quotes the text at the aggregate offsets when the spans carry text", () => {
    const text = "Take 5 mg of warfarin daily.";
    const quoted = (start: number, end: number) => ({
      ...span(start, end),
      text: text.slice(start, end),
    });
    expect(clusterSpan(cluster(quoted(5, 9), quoted(4, 9)), severities, text)).toEqual(
      quoted(4, 9),
    );
    // Without the response text, a member with the same boundaries gives it.
    expect(clusterSpan(cluster(quoted(5, 9), quoted(5, 9), quoted(4, 9)), severities)).toEqual(
      quoted(5, 9),
    );
    // Spans without text stay without.
    expect(clusterSpan(cluster(span(5, 9)), severities, text)).toEqual(span(5, 9));
  });
});
