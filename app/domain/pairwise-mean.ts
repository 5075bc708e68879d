/**
 * The mean of `measure` over every unordered pair of `members`, or null when there is no pair.
 * The pair values are summed in ascending order, so the mean is the same bit for bit whatever the
 * order of the members: floating-point addition is not associative, and a mean that sits on a
 * policy's threshold (F1 0.3 is 0.30000000000000004 summed one way, 0.29999999999999993 another)
 * would otherwise settle or dispute an item by the order its annotators submitted in.
 */
export function pairwiseMean<Member>(
  members: ReadonlyArray<Member>,
  measure: (first: Member, second: Member) => number,
): number | null {
  const values: number[] = [];
  for (let first = 0; first < members.length; first++) {
    for (let second = first + 1; second < members.length; second++) {
      values.push(measure(members[first]!, members[second]!));
    }
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}
