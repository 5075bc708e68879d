import type { SpanAnnotation } from "./template.ts";
import { pairwiseMean } from "./pairwise-mean.ts";

export type SpanMatch = "exact" | "overlap";

/** A span as labels store it: with the quoted `text` where the template's span schema has one. */
type QuotedSpan = SpanAnnotation & { text?: string };

/** Two spans can match when they mark the same category in the same response. */
function sameTarget(first: SpanAnnotation, second: SpanAnnotation): boolean {
  return first.responseId === second.responseId && first.category === second.category;
}

function overlapLength(first: SpanAnnotation, second: SpanAnnotation): number {
  return Math.max(0, Math.min(first.end, second.end) - Math.max(first.start, second.start));
}

function compareText(first: string, second: string): number {
  return first < second ? -1 : first > second ? 1 : 0;
}

/** A total order on spans by what they mark, so that no result depends on the order of input. */
export function compareSpans(first: SpanAnnotation, second: SpanAnnotation): number {
  return (
    compareText(first.responseId, second.responseId) ||
    first.start - second.start ||
    first.end - second.end ||
    compareText(first.category, second.category) ||
    compareText(first.severity, second.severity)
  );
}

/**
 * The Hungarian algorithm (Kuhn–Munkres, in the O(n²m) form with potentials) on a rows × columns
 * weight matrix, rows ≤ columns: the assignment of every row to a distinct column with the
 * greatest total weight. Returns, per row, its column.
 */
function maximumWeightAssignment(weights: ReadonlyArray<ReadonlyArray<number>>): number[] {
  const rows = weights.length;
  const columns = weights[0]?.length ?? 0;
  const rowPotential = new Array<number>(rows + 1).fill(0);
  const columnPotential = new Array<number>(columns + 1).fill(0);
  const rowOfColumn = new Array<number>(columns + 1).fill(0);
  const way = new Array<number>(columns + 1).fill(0);
  for (let row = 1; row <= rows; row++) {
    rowOfColumn[0] = row;
    let column = 0;
    const minimum = new Array<number>(columns + 1).fill(Infinity);
    const used = new Array<boolean>(columns + 1).fill(false);
    do {
      used[column] = true;
      const currentRow = rowOfColumn[column]!;
      let delta = Infinity;
      let nextColumn = 0;
      for (let candidate = 1; candidate <= columns; candidate++) {
        if (used[candidate]) continue;
        const reduced =
          -weights[currentRow - 1]![candidate - 1]! -
          rowPotential[currentRow]! -
          columnPotential[candidate]!;
        if (reduced < minimum[candidate]!) {
          minimum[candidate] = reduced;
          way[candidate] = column;
        }
        if (minimum[candidate]! < delta) {
          delta = minimum[candidate]!;
          nextColumn = candidate;
        }
      }
      for (let candidate = 0; candidate <= columns; candidate++) {
        if (used[candidate]) {
          rowPotential[rowOfColumn[candidate]!]! += delta;
          columnPotential[candidate]! -= delta;
        } else {
          minimum[candidate]! -= delta;
        }
      }
      column = nextColumn;
    } while (rowOfColumn[column] !== 0);
    do {
      const previous = way[column]!;
      rowOfColumn[column] = rowOfColumn[previous]!;
      column = previous;
    } while (column !== 0);
  }
  const columnOfRow = new Array<number>(rows).fill(-1);
  for (let column = 1; column <= columns; column++) {
    if (rowOfColumn[column]! > 0) columnOfRow[rowOfColumn[column]! - 1] = column - 1;
  }
  return columnOfRow;
}

/**
 * A maximum-cardinality matching of overlapping spans, by one sweep in order of end. Each span,
 * when its end is reached, takes the waiting span of the other side that overlaps it and ends
 * first; with none, it waits. This is exact for intervals: a waiting span overlaps a later span
 * exactly when the later one starts before the waiting one ends, so of two waiting spans the
 * one ending later can serve every later span the other can, and an exchange argument shows
 * that taking the earliest-ending partner never loses a pair. O(n log n) comparisons, no edges.
 * Returns index pairs into `first` and `second`.
 */
export function sweepMatching(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
): Array<[number, number]> {
  const events = [
    ...first.map((span, index) => ({ span, index, side: 0 })),
    ...second.map((span, index) => ({ span, index, side: 1 })),
  ].sort((x, y) => x.span.end - y.span.end || x.side - y.side || x.index - y.index);
  // Per side, the spans still waiting for a partner, in order of end (they arrive in that order).
  const waiting: Array<Array<{ index: number; end: number }>> = [[], []];
  const pairs: Array<[number, number]> = [];
  for (const event of events) {
    const others = waiting[1 - event.side]!;
    let low = 0;
    let high = others.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (others[middle]!.end > event.span.start) high = middle;
      else low = middle + 1;
    }
    if (low < others.length) {
      const [partner] = others.splice(low, 1);
      pairs.push(event.side === 0 ? [event.index, partner!.index] : [partner!.index, event.index]);
    } else {
      waiting[event.side]!.push({ index: event.index, end: event.span.end });
    }
  }
  return pairs;
}

/** Past this many cells times rows, a tangle is matched by cardinality alone (see below). */
const HUNGARIAN_BUDGET = 125_000;

/**
 * A maximum one-to-one matching between two annotators' spans: as many matching pairs as
 * possible and, among the matchings with that many, the greatest total overlap. Greedy pairing
 * (longest overlap first) can pair fewer: A = [0,10), [10,12) and B = [1,11), [0,1) pair only
 * [0,10)–[1,11) greedily, but fully as [0,10)–[0,1) and [10,12)–[1,11).
 *
 * Each tangle of overlapping spans (`tangles`) is solved exactly by the Hungarian algorithm on
 * the weight `bonus + overlap + likeness` (the bonus, above any total overlap, puts the number
 * of pairs first; the likeness, below any difference in overlap, prefers alike pairs among
 * equals). A tangle beyond `HUNGARIAN_BUDGET` (some 50 spans a side chained by overlaps, which
 * no reviewer marks) gets the maximum-cardinality `sweepMatching` instead, so that the cost
 * stays bounded whatever a label holds; the count of pairs, and so F1, is exact either way.
 * Returns index pairs into `first` and `second`.
 */
export function matchSpans(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
  mode: SpanMatch,
): Array<[number, number]> {
  // Solved on the spans in a canonical order, so that among equally good matchings the same one
  // is found whatever order the input has.
  const firstOrder = sortedIndices(first);
  const secondOrder = sortedIndices(second);
  const sortedFirst = firstOrder.map((index) => first[index]!);
  const sortedSecond = secondOrder.map((index) => second[index]!);
  return matchSorted(sortedFirst, sortedSecond, mode)
    .map(([a, b]): [number, number] => [firstOrder[a]!, secondOrder[b]!])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

function sortedIndices(spans: ReadonlyArray<SpanAnnotation>): number[] {
  return spans.map((_, index) => index).sort((a, b) => compareSpans(spans[a]!, spans[b]!) || a - b);
}

function compareSpanLists(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
): number {
  for (let index = 0; index < Math.min(first.length, second.length); index++) {
    const order = compareSpans(first[index]!, second[index]!);
    if (order !== 0) return order;
  }
  return first.length - second.length;
}

function matchSorted(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
  mode: SpanMatch,
): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (const { lefts, rights } of tangles(first, second, mode)) {
    if (lefts.length === 0 || rights.length === 0) continue;
    const leftSpans = lefts.map((a) => first[a]!);
    const rightSpans = rights.map((b) => second[b]!);
    // Each tangle is solved with its two sides in an order of their own spans, so that a tie
    // between equally good matchings is broken the same way whichever annotator comes first,
    // and whatever the other responses' ids and spans are (a tangle is one response's).
    const swap = compareSpanLists(rightSpans, leftSpans) < 0;
    const matched = swap
      ? matchTangle(rightSpans, leftSpans, mode).map(([b, a]): [number, number] => [a, b])
      : matchTangle(leftSpans, rightSpans, mode);
    for (const [a, b] of matched) pairs.push([lefts[a]!, rights[b]!]);
  }
  return pairs;
}

/** A maximum matching within one tangle, as `matchSpans` describes; index pairs into the two. */
function matchTangle(
  lefts: ReadonlyArray<SpanAnnotation>,
  rights: ReadonlyArray<SpanAnnotation>,
  mode: SpanMatch,
): Array<[number, number]> {
  if (mode === "exact") {
    // Identical offsets: any pairing is as good as any other.
    return Array.from({ length: Math.min(lefts.length, rights.length) }, (_, index) => [
      index,
      index,
    ]);
  }
  const transpose = lefts.length > rights.length;
  const rowSpans = transpose ? rights : lefts;
  const columnSpans = transpose ? lefts : rights;
  if (rowSpans.length * rowSpans.length * columnSpans.length > HUNGARIAN_BUDGET) {
    return sweepMatching(lefts, rights);
  }
  const longest = Math.max(...rowSpans.map((span) => span.end - span.start));
  const bonus = longest * rowSpans.length + 1;
  // Among matchings with as many pairs and as much overlap, the one whose pairs are most alike
  // (overlap over union): a sum of those stays below 1, the least difference in overlap, so it
  // only breaks ties. Without it, [2,9) and [7,9) tie for another annotator's [7,9), and the
  // clusters built on the pairs depended on the order of the annotators.
  const likeness = 1 / (rowSpans.length + 1);
  const weights = rowSpans.map((rowSpan) =>
    columnSpans.map((columnSpan) => {
      const overlap = overlapLength(rowSpan, columnSpan);
      if (overlap <= 0) return 0;
      const union =
        Math.max(rowSpan.end, columnSpan.end) - Math.min(rowSpan.start, columnSpan.start);
      return bonus + overlap + (likeness * overlap) / union;
    }),
  );
  const pairs: Array<[number, number]> = [];
  maximumWeightAssignment(weights).forEach((column, row) => {
    if (column < 0 || weights[row]![column] === 0) return;
    pairs.push(transpose ? [column, row] : [row, column]);
  });
  return pairs;
}

/**
 * The two sets split into tangles that no matching pair crosses: per response and category, in
 * overlap mode the runs of spans (of either side) that overlap one another in a chain, in exact
 * mode the groups of identical offsets. Each tangle lists indices of `first` and of `second`.
 */
function tangles(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
  mode: SpanMatch,
): Array<{ lefts: number[]; rights: number[] }> {
  const all = [
    ...first.map((span, index) => ({ span, index, side: 0 })),
    ...second.map((span, index) => ({ span, index, side: 1 })),
  ].sort(
    (x, y) =>
      compareText(x.span.responseId, y.span.responseId) ||
      compareText(x.span.category, y.span.category) ||
      x.span.start - y.span.start ||
      x.span.end - y.span.end ||
      x.side - y.side ||
      x.index - y.index,
  );
  const result: Array<{ lefts: number[]; rights: number[] }> = [];
  let current: { lefts: number[]; rights: number[] } | undefined;
  let previous: SpanAnnotation | undefined;
  let reach = -Infinity;
  for (const entry of all) {
    const joins =
      previous !== undefined &&
      sameTarget(previous, entry.span) &&
      (mode === "exact"
        ? previous.start === entry.span.start && previous.end === entry.span.end
        : entry.span.start < reach);
    if (!joins || !current) {
      current = { lefts: [], rights: [] };
      result.push(current);
      reach = -Infinity;
    }
    (entry.side === 0 ? current.lefts : current.rights).push(entry.index);
    previous = entry.span;
    reach = Math.max(reach, entry.span.end);
  }
  return result;
}

/**
 * F1 between two annotators' span sets under a maximum one-to-one matching (`matchSpans`):
 * 2·pairs / (|first| + |second|), symmetric, so either may be the reference. Two empty sets agree
 * completely (nobody found an error): F1 = 1.
 */
export function spanF1(
  first: ReadonlyArray<SpanAnnotation>,
  second: ReadonlyArray<SpanAnnotation>,
  mode: SpanMatch,
): number {
  if (first.length === 0 && second.length === 0) return 1;
  return (2 * matchSpans(first, second, mode).length) / (first.length + second.length);
}

/** Mean F1 over every pair of annotators: the agreement of a group on one item's spans. */
export function meanPairwiseSpanF1(
  spanSets: ReadonlyArray<ReadonlyArray<SpanAnnotation>>,
  mode: SpanMatch,
): number | null {
  return pairwiseMean(spanSets, (first, second) => spanF1(first, second, mode));
}

export interface SpanClusterMember {
  /** Index of the annotator (their span set) the span came from. */
  annotator: number;
  span: QuotedSpan;
}

/** Spans of several annotators taken to mark the same thing: at most one per annotator. */
export type SpanCluster = SpanClusterMember[];

/**
 * Groups the spans of several annotators into clusters of spans that mark the same thing. Every
 * pair of annotators is matched as `matchSpans` does; the matched pairs, strongest first
 * (overlap over union, then overlap, then by what the spans mark), join their two clusters when
 * the clusters hold no span of the same annotator and all their spans still share at least one
 * character (in exact mode: the same offsets). So a cluster has at most one span per annotator,
 * its spans overlap one another, and its spans are linked by maximum matchings. A span no
 * other annotator's matched is a cluster of its own. Clusters and their members are in span
 * order; nothing depends on the order of the annotators or of their spans.
 */
export function spanClusters(
  spanSets: ReadonlyArray<ReadonlyArray<QuotedSpan>>,
  mode: SpanMatch,
): SpanCluster[] {
  const nodes: SpanClusterMember[] = spanSets.flatMap((spans, annotator) =>
    spans.map((span) => ({ annotator, span })),
  );
  const firstNode: number[] = [];
  spanSets.reduce((next, spans) => {
    firstNode.push(next);
    return next + spans.length;
  }, 0);

  const links: Array<{ from: number; to: number; strength: number; overlap: number }> = [];
  for (let a = 0; a < spanSets.length; a++) {
    for (let b = a + 1; b < spanSets.length; b++) {
      for (const [i, j] of matchSpans(spanSets[a]!, spanSets[b]!, mode)) {
        const first = spanSets[a]![i]!;
        const second = spanSets[b]![j]!;
        const overlap = overlapLength(first, second);
        const union = Math.max(first.end, second.end) - Math.min(first.start, second.start);
        links.push({
          from: firstNode[a]! + i,
          to: firstNode[b]! + j,
          strength: overlap / union,
          overlap,
        });
      }
    }
  }
  const linkedSpans = (link: (typeof links)[number]) =>
    [nodes[link.from]!.span, nodes[link.to]!.span].sort(compareSpans);
  links.sort((x, y) => {
    const byStrength = y.strength - x.strength || y.overlap - x.overlap;
    if (byStrength !== 0) return byStrength;
    const [x1, x2] = linkedSpans(x);
    const [y1, y2] = linkedSpans(y);
    return compareSpans(x1!, y1!) || compareSpans(x2!, y2!);
  });

  const parent = nodes.map((_, node) => node);
  const clusterOf = nodes.map((member) => ({
    annotators: new Set([member.annotator]),
    latestStart: member.span.start,
    earliestEnd: member.span.end,
  }));
  const find = (node: number): number => {
    while (parent[node] !== node) {
      parent[node] = parent[parent[node]!]!;
      node = parent[node]!;
    }
    return node;
  };
  for (const link of links) {
    const from = find(link.from);
    const to = find(link.to);
    const joined = clusterOf[from]!;
    const joining = clusterOf[to]!;
    if (from === to || [...joining.annotators].some((a) => joined.annotators.has(a))) continue;
    const latestStart = Math.max(joined.latestStart, joining.latestStart);
    const earliestEnd = Math.min(joined.earliestEnd, joining.earliestEnd);
    if (latestStart >= earliestEnd) continue;
    parent[to] = from;
    for (const annotator of joining.annotators) joined.annotators.add(annotator);
    joined.latestStart = latestStart;
    joined.earliestEnd = earliestEnd;
  }
  const clusters = new Map<number, SpanCluster>();
  nodes.forEach((member, node) => {
    const root = find(node);
    clusters.set(root, [...(clusters.get(root) ?? []), member]);
  });
  return [...clusters.values()]
    .map((cluster) => cluster.sort((x, y) => compareSpans(x.span, y.span)))
    .sort((x, y) => compareSpans(x[0]!.span, y[0]!.span));
}

/**
 * The median of a cluster's boundaries. An odd count has one; of an even count's two middle
 * values the outer one is taken (the lower start, the higher end), which depends on no
 * annotator's position and never cuts the marked error short.
 */
function medianBoundary(values: number[], side: "start" | "end"): number {
  const sorted = [...values].sort((a, b) => a - b);
  const upper = sorted.length >> 1;
  return sorted.length % 2 === 1 || side === "end" ? sorted[upper]! : sorted[upper - 1]!;
}

/**
 * The one span a cluster stands for: median start and end (`medianBoundary`), and the median
 * severity by the template's severity order, the more severe of an even count's middle two, so
 * that an aggregate never understates an error. Its `text` is the quoted text at those offsets:
 * from the response when `responseText` is given, else from a member span with the same
 * boundaries; it is kept only when the members quote (the template's spans carry text).
 */
export function clusterSpan(
  cluster: SpanCluster,
  severities: ReadonlyArray<string>,
  responseText?: string,
): QuotedSpan {
  const spans = cluster.map((member) => member.span);
  const first = spans[0]!;
  const start = medianBoundary(
    spans.map((span) => span.start),
    "start",
  );
  const end = medianBoundary(
    spans.map((span) => span.end),
    "end",
  );
  const bySeverity = [...spans].sort(
    (a, b) => severities.indexOf(a.severity) - severities.indexOf(b.severity),
  );
  const severity = bySeverity[bySeverity.length >> 1]!.severity;
  const span: QuotedSpan = {
    responseId: first.responseId,
    start,
    end,
    category: first.category,
    severity,
  };
  if (spans.every((member) => typeof member.text === "string")) {
    const text =
      responseText?.slice(start, end) ??
      spans.find((member) => member.start === start && member.end === end)?.text;
    if (text !== undefined) span.text = text;
  }
  return span;
}
