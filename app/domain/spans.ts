import type { SpanAnnotation } from "./template.ts";

export type SpanMatch = "exact" | "overlap";

/** Two spans match when they mark the same category in the same response, at the same offsets
 * (exact) or at offsets that share at least one character (overlap). */
function spansMatch(first: SpanAnnotation, second: SpanAnnotation, mode: SpanMatch): boolean {
  if (first.responseId !== second.responseId || first.category !== second.category) return false;
  if (mode === "exact") return first.start === second.start && first.end === second.end;
  return first.start < second.end && second.start < first.end;
}

function overlapLength(first: SpanAnnotation, second: SpanAnnotation): number {
  return Math.max(0, Math.min(first.end, second.end) - Math.max(first.start, second.start));
}

/**
 * F1 between two annotators' span sets, treating either as the reference (F1 is symmetric).
 * Spans are paired one-to-one, longest overlap first, so one long span cannot match several
 * short ones. Two empty sets agree completely (nobody found an error): F1 = 1.
 */
export function spanF1(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
  mode: SpanMatch,
): number {
  if (first.length === 0 && second.length === 0) return 1;
  const candidates: Array<{ a: number; b: number; overlap: number }> = [];
  first.forEach((spanA, a) =>
    second.forEach((spanB, b) => {
      if (spansMatch(spanA, spanB, mode))
        candidates.push({ a, b, overlap: overlapLength(spanA, spanB) });
    }),
  );
  candidates.sort((x, y) => y.overlap - x.overlap || x.a - y.a || x.b - y.b);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  let matches = 0;
  for (const { a, b } of candidates) {
    if (usedA.has(a) || usedB.has(b)) continue;
    usedA.add(a);
    usedB.add(b);
    matches++;
  }
  return (2 * matches) / (first.length + second.length);
}

/** Mean F1 over every pair of annotators: the agreement of a group on one item's spans. */
export function meanPairwiseSpanF1(
  spanSets: ReadonlyArray<ReadonlyArray<SpanAnnotation>>,
  mode: SpanMatch,
): number | null {
  let total = 0;
  let pairs = 0;
  for (let first = 0; first < spanSets.length; first++) {
    for (let second = first + 1; second < spanSets.length; second++) {
      total += spanF1(spanSets[first], spanSets[second], mode);
      pairs++;
    }
  }
  return pairs === 0 ? null : total / pairs;
}
