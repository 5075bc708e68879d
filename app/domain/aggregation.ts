/**
 * The median of integer scale values whose middle is `centre` (0 for a preference, the midpoint
 * of a rating scale). An odd count has one. Of an even count whose two middle values differ, the
 * mean is taken when it is a point of the scale; a half point is rounded toward the centre. So
 * the result depends on no annotator's or response's position, and mirroring the scale about its
 * centre (swapping the responses of a preference) mirrors the result exactly. A half point that
 * is the centre itself (the middle ratings 2 and 3 on 1–4) has no median: undefined.
 */
export function centralMedian(values: ReadonlyArray<number>, centre: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const upper = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[upper];
  const mean = (sorted[upper - 1]! + sorted[upper]!) / 2;
  if (Number.isInteger(mean)) return mean;
  if (mean === centre) return undefined;
  const rounded = mean < centre ? Math.ceil(mean) : Math.floor(mean);
  // Math.ceil(−0.5) is −0, which JSON writes as 0 but Object.is tells apart.
  return rounded === 0 ? 0 : rounded;
}

/** The value chosen most often and how often, or undefined when several share the top count. */
export function uniqueMostChosen<Value extends string | number>(
  values: ReadonlyArray<Value>,
): { value: Value; count: number } | undefined {
  const counts = new Map<Value, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: { value: Value; count: number } | undefined;
  let tied = false;
  for (const [value, count] of counts) {
    if (best === undefined || count > best.count) {
      best = { value, count };
      tied = false;
    } else if (count === best.count) {
      tied = true;
    }
  }
  return tied ? undefined : best;
}

/**
 * Borda count: in a ranking of n responses the best gets n−1 points, the worst 0; the aggregate
 * orders the responses by points. Equal points are a tie that no id or position may break:
 * `tied` names the responses that share points, and `ranking` is undefined.
 */
export function bordaRanking(rankings: ReadonlyArray<ReadonlyArray<string>>): {
  ranking: string[] | undefined;
  tied: string[];
} {
  const points = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, position) =>
      points.set(id, (points.get(id) ?? 0) + ranking.length - 1 - position),
    );
  }
  const byPoints = new Map<number, string[]>();
  for (const [id, score] of points) byPoints.set(score, [...(byPoints.get(score) ?? []), id]);
  const tied = [...byPoints.values()]
    .filter((ids) => ids.length > 1)
    .flat()
    .sort();
  if (tied.length > 0) return { ranking: undefined, tied };
  return {
    ranking: [...points.entries()].sort(([, a], [, b]) => b - a).map(([id]) => id),
    tied,
  };
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
