import type { Label, LabelValue, SpanAnnotation, Template, TemplateField } from "./template.ts";

/**
 * The median of integer scale values. With an even count the lower of the two middle values is
 * taken: the result must be a point of the scale, and the lower median is the conservative one
 * for quality ratings.
 */
export function lowerMedian(values: ReadonlyArray<number>): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The value a strict majority chose, or undefined when no value has more than half. */
export function strictMajority<Value extends string | number>(
  values: ReadonlyArray<Value>,
): Value | undefined {
  const counts = new Map<Value, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  for (const [value, count] of counts) if (count * 2 > values.length) return value;
  return undefined;
}

/**
 * Borda count: in a ranking of n responses the best gets n−1 points, the worst 0. Ties in points
 * are broken by the response id so that the result does not depend on input order.
 */
export function bordaRanking(rankings: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const points = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, position) =>
      points.set(id, (points.get(id) ?? 0) + ranking.length - 1 - position),
    );
  }
  return [...points.entries()]
    .sort(([idA, a], [idB, b]) => b - a || (idA < idB ? -1 : idA > idB ? 1 : 0))
    .map(([id]) => id);
}

/**
 * Kendall's tau-a between two rankings of the same items: (concordant − discordant) pairs over
 * all pairs; 1 for identical orders, −1 for reversed ones.
 */
export function kendallTau(first: ReadonlyArray<string>, second: ReadonlyArray<string>): number {
  const positionInSecond = new Map(second.map((id, position) => [id, position]));
  const shared = first.filter((id) => positionInSecond.has(id));
  const pairs = (shared.length * (shared.length - 1)) / 2;
  if (pairs === 0) return 1;
  let score = 0;
  for (let i = 0; i < shared.length; i++) {
    for (let j = i + 1; j < shared.length; j++) {
      score += Math.sign(positionInSecond.get(shared[j])! - positionInSecond.get(shared[i])!);
    }
  }
  return score / pairs;
}

/** Spans that a strict majority of annotators marked identically (response, offsets, category). */
export function majoritySpans(
  spanSets: ReadonlyArray<ReadonlyArray<SpanAnnotation>>,
): SpanAnnotation[] {
  const byKey = new Map<
    string,
    { span: SpanAnnotation; annotators: number; severities: string[] }
  >();
  for (const spans of spanSets) {
    const seen = new Set<string>();
    for (const span of spans) {
      const key = `${span.responseId}\u0000${span.start}\u0000${span.end}\u0000${span.category}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = byKey.get(key) ?? { span, annotators: 0, severities: [] };
      entry.annotators++;
      entry.severities.push(span.severity);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()]
    .filter((entry) => entry.annotators * 2 > spanSets.length)
    .map(({ span, severities }) => ({
      responseId: span.responseId,
      start: span.start,
      end: span.end,
      category: span.category,
      severity: strictMajority(severities) ?? span.severity,
    }))
    .sort((a, b) =>
      a.responseId < b.responseId ? -1 : a.responseId > b.responseId ? 1 : a.start - b.start,
    );
}

/**
 * The aggregated value of one field from the annotators' values (absent values left out), as
 * DESIGN.md's template table says: median, majority, Borda; span and free-text fields are the
 * panel's to settle, so only spans a majority marked identically are suggested and text is not.
 */
export function aggregateField(field: TemplateField, values: ReadonlyArray<unknown>): unknown {
  const present = values.filter((value) => value !== undefined && value !== null);
  if (present.length === 0) return undefined;
  switch (field.type) {
    case "rating":
    case "preference":
      return lowerMedian(present as number[]);
    case "ranking":
      return bordaRanking(present as string[][]);
    case "choice":
      if (!field.multiple) return strictMajority(present as string[]);
      return field.options.filter(
        (option) =>
          (present as string[][]).filter((chosen) => chosen.includes(option)).length * 2 >
          present.length,
      );
    case "spans":
      return majoritySpans(present as SpanAnnotation[][]);
    case "text":
    case "rewrite":
      return undefined;
  }
}

/**
 * The label a set of independent labels implies: each field aggregated as `aggregateField` says,
 * fields without an aggregate left out. This is the label a consensus item settles on.
 */
export function aggregateLabel(
  template: Template,
  labels: ReadonlyArray<Record<string, unknown>>,
): Label {
  const aggregated: Label = {};
  for (const field of template.fields) {
    const value = aggregateField(
      field,
      labels.map((label) => label[field.id]),
    );
    if (value !== undefined) aggregated[field.id] = value as LabelValue;
  }
  return aggregated;
}
