import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkAgreement } from "./disputes.ts";
import {
  addTallies,
  EconomicsTallies,
  projectEconomics,
  rollUp,
  roundedQuotient,
  splitCents,
  workCostCents,
  type CostedItem,
  type EconomicsInput,
  type Tally,
} from "./cost.ts";
import { caseArbitrary, labelArbitrary } from "../../tests/fixtures/label-arbitraries.ts";
import { templateSchema } from "./template.ts";

describe("workCostCents: rate × measured time, in whole cents", () => {
  it("rounds each piece to the nearest cent, halves up", () => {
    // $60 an hour for 90 s: 6000 × 90,000 / 3,600,000 = 150 cents.
    expect(workCostCents(6000, 90_000)).toEqual({ value: 150, reason: null });
    expect(workCostCents(5000, 1000).value).toBe(1); // 1.39
    expect(workCostCents(1800, 1000).value).toBe(1); // 0.5
    expect(workCostCents(1799, 1000).value).toBe(0); // 0.4997
    expect(workCostCents(0, 5000).value).toBe(0);
    expect(workCostCents(6000, 0).value).toBe(0);
  });

  it("is exact past 2⁵³ (the integer columns' largest rate and time)", () => {
    // (2³¹ − 1)² / 3,600,000 = 1,281,023,892,814.56…
    expect(workCostCents(2 ** 31 - 1, 2 ** 31 - 1).value).toBe(1_281_023_892_815);
  });

  it("says why there is no cost: no time first, then no rate", () => {
    expect(workCostCents(null, 1000)).toEqual({ value: null, reason: "missing-rate" });
    expect(workCostCents(6000, null)).toEqual({ value: null, reason: "no-time" });
    expect(workCostCents(null, null)).toEqual({ value: null, reason: "no-time" });
    expect(workCostCents(-1, 1000).reason).toBe("missing-rate");
    expect(workCostCents(Number.NaN, 1000).reason).toBe("missing-rate");
    expect(workCostCents(6000, 1.5).reason).toBe("no-time");
    expect(workCostCents(6000, Number.POSITIVE_INFINITY).reason).toBe("no-time");
  });
});

describe("roundedQuotient and splitCents", () => {
  it("round halves up, exactly", () => {
    expect([roundedQuotient(5, 2), roundedQuotient(7, 2), roundedQuotient(1, 3)]).toEqual([
      3, 4, 0,
    ]);
    expect(roundedQuotient(2, 3)).toBe(1);
    expect(roundedQuotient(2 ** 53 - 1, 2)).toBe(2 ** 52);
  });

  it("split cents into shares that add up, the remainder to the first", () => {
    expect(splitCents(100, 3)).toEqual([34, 33, 33]);
    expect(splitCents(2, 3)).toEqual([1, 1, 0]);
    expect(splitCents(0, 2)).toEqual([0, 0]);
    expect(splitCents(5, 0)).toEqual([]);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 100 }), (cents, parts) => {
        const shares = splitCents(cents, parts);
        expect(shares.reduce((sum, share) => sum + share, 0)).toBe(cents);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

const template = templateSchema.parse({
  fields: [
    { id: "score", type: "rating", label: "Score", min: 1, max: 5 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "note", type: "text", label: "Note" },
  ],
});

/**
 * A small project worked out by hand. Rates in cents an hour: p1 6000, p2 3000, p3 none, L
 * (a lead) 12000.
 */
const example: EconomicsInput<string> = {
  template,
  policy: {},
  gold: { ratingTolerance: 1 },
  rates: [
    { person: "p1", rateCentsPerHour: 6000 },
    { person: "p2", rateCentsPerHour: 3000 },
    { person: "p3", rateCentsPerHour: null },
    { person: "L", rateCentsPerHour: 12_000 },
  ],
  items: [
    // A: consensus, published automatically. p1 60 s = 100¢, p2 120 s = 100¢. Each agrees with
    // the other's label on both fields: 2 right each.
    {
      labels: [
        { person: "p1", label: { score: 4, verdict: "safe" }, activeMs: 60_000 },
        { person: "p2", label: { score: 4, verdict: "safe" }, activeMs: 120_000 },
      ],
      final: {
        source: "published",
        label: { score: 4, verdict: "safe" },
        votes: [
          { person: "p1", label: { score: 4, verdict: "safe" } },
          { person: "p2", label: { score: 4, verdict: "safe" } },
        ],
      },
      versions: [{ panel: [] }],
    },
    // B: disputed, published by a panel as {4, unsafe}, the aggregate of the votes p1 {4,
    // unsafe}, p2 {5, unsafe}, L {4, unsafe}. p1 30 s = 50¢, p2 36 s = 30¢. Leave-one-out on
    // the votes: without p1, {5, 4} settle on 4 and {unsafe, unsafe} on unsafe: p1's {2, safe}
    // is wrong twice; without p2, {4, 4} and unsafe: p2's {5, unsafe} right twice. Panel: p1 10
    // min = 1000¢, p2 10 min = 500¢, L 5 min = 1000¢. L's review of a label: 3 min = 600¢.
    {
      labels: [
        { person: "p1", label: { score: 2, verdict: "safe" }, activeMs: 30_000 },
        { person: "p2", label: { score: 5, verdict: "unsafe" }, activeMs: 36_000 },
      ],
      final: {
        source: "published",
        label: { score: 4, verdict: "unsafe" },
        votes: [
          { person: "p1", label: { score: 4, verdict: "unsafe" } },
          { person: "p2", label: { score: 5, verdict: "unsafe" } },
          { person: "L", label: { score: 4, verdict: "unsafe" } },
        ],
      },
      versions: [
        {
          panel: [
            { person: "p1", activeMs: 600_000 },
            { person: "p2", activeMs: 600_000 },
            { person: "L", activeMs: 300_000 },
          ],
        },
      ],
      reviews: [{ people: [{ person: "L", activeMs: 180_000 }] }],
    },
    // C: consensus, not published. p1 45 s = 75¢; p3 has no rate. Both right twice.
    {
      labels: [
        { person: "p1", label: { score: 3, verdict: "safe" }, activeMs: 45_000 },
        { person: "p3", label: { score: 3, verdict: "safe" }, activeMs: 90_000 },
      ],
      final: { source: "consensus", label: { score: 3, verdict: "safe" } },
    },
    // D: gold {4, unsafe}. p2 60 s = 50¢: score 3 is within 1 (right), verdict wrong.
    {
      labels: [{ person: "p2", label: { score: 3, verdict: "safe" }, activeMs: 60_000 }],
      gold: { score: 4, verdict: "unsafe" },
    },
    // E: still being labelled. p1's label was imported (no time); p2 7.2 s = 6¢.
    {
      labels: [
        { person: "p1", label: { score: 1 }, activeMs: null },
        { person: "p2", label: { score: 2 }, activeMs: 7200 },
      ],
    },
  ],
};

describe("projectEconomics, worked by hand", () => {
  const result = projectEconomics(example);
  const person = (id: string) => result.people.find((entry) => entry.person === id)!;

  it("charges each piece of work to its person", () => {
    expect(result.people.map((entry) => entry.person)).toEqual(["L", "p1", "p2", "p3"]);
    // p1: labels 100 + 50 + 75 (E has no time), panel 1000.
    expect(person("p1")).toMatchObject({
      labels: 4,
      activeMs: 135_000,
      costCents: { value: 1225, reason: null },
      tally: { labelCostCents: 225, panelCostCents: 1000, workWithoutTime: 1, costedWork: 4 },
    });
    // p2: labels 100 + 30 + 50 + 6, panel 500.
    expect(person("p2")).toMatchObject({
      labels: 4,
      activeMs: 223_200,
      costCents: { value: 686, reason: null },
    });
    expect(person("p3").costCents).toEqual({ value: null, reason: "missing-rate" });
    // L: panel 1000, review 600.
    expect(person("L")).toMatchObject({
      labels: 0,
      costCents: { value: 1600, reason: null },
      tally: { panelCostCents: 1000, reviewCostCents: 600 },
    });
    expect(result.whole.costCents).toEqual({ value: 1225 + 686 + 1600, reason: null });
  });

  it("judges labels against final and gold labels, and divides cost by correct answers", () => {
    // p1: right on A twice, wrong on B twice, right on C twice: 4 of 6. Cost 225 / 4 = 56.25.
    expect(person("p1").accuracyVsFinal).toMatchObject({
      correct: 4,
      scored: 6,
      value: { value: 4 / 6 },
    });
    expect(person("p1").costPerCorrectCents).toEqual({ value: 56.25, reason: null });
    // p2: 4 of 4 against finals, 1 of 2 on gold; cost of A, B, D 180 / 5 correct = 36.
    expect(person("p2").accuracyVsFinal).toMatchObject({ correct: 4, scored: 4 });
    expect(person("p2").goldAccuracy).toMatchObject({ correct: 1, scored: 2 });
    expect(person("p2").costPerCorrectCents).toEqual({ value: 36, reason: null });
    // p3 is right twice, but their label has no cost.
    expect(person("p3").accuracyVsFinal).toMatchObject({ correct: 2, scored: 2 });
    expect(person("p3").costPerCorrectCents).toEqual({ value: null, reason: "missing-rate" });
    expect(person("L").costPerCorrectCents).toEqual({ value: null, reason: "no-data" });
    expect(person("L").accuracyVsFinal.value).toEqual({ value: null, reason: "no-data" });
    expect(
      person("p1").fields.map((field) => [field.fieldId, field.correct, field.scored]),
    ).toEqual([
      ["score", 2, 3],
      ["verdict", 2, 3],
    ]);
    // The whole project: (225 + 180) / (4 + 5) = 45; 10 of 12 against finals.
    expect(result.whole.costPerCorrectCents).toEqual({ value: 45, reason: null });
    expect(result.whole.accuracyVsFinal).toMatchObject({ correct: 10, scored: 12 });
  });

  it("costs published items and splits them evenly over the fields", () => {
    // A: 200 for labels. B: 80 for labels, 2500 for the panel, 600 for the review.
    expect(result.publishedItems).toEqual({
      items: 2,
      costedItems: 2,
      sums: { labelsCents: 280, adjudicationCents: 2500, reviewCents: 600, totalCents: 3380 },
      means: {
        labelsCents: { value: 140, reason: null },
        adjudicationCents: { value: 1250, reason: null },
        reviewCents: { value: 300, reason: null },
        totalCents: { value: 1690, reason: null },
      },
    });
    // 3380 over three fields: 1127, 1127, 1126; per item 563.5 → 564, 564, 563.
    expect(result.fields.map((field) => field.perPublishedItemCents.value)).toEqual([
      564, 564, 563,
    ]);
    // Judged cost 405 over three fields: 135 each. Correct answers of costed labels: score 5
    // (p1 A, C; p2 A, B, D), verdict 4 (p1 A, C; p2 A, B): 135 / 5 = 27, 135 / 4 = 33.75.
    expect(result.fields.map((field) => field.costPerCorrectCents)).toEqual([
      { value: 27, reason: null },
      { value: 33.75, reason: null },
      { value: null, reason: "not-scored" },
    ]);
    expect(result.fields[0]!.accuracyVsFinal).toMatchObject({ correct: 5, scored: 6 });
    expect(result.fields[1]!.goldAccuracy).toMatchObject({ correct: 0, scored: 1 });
    expect(result.unmeasured).toEqual({ versions: 0, reviews: 0 });
  });

  it("rolls people up by level and by domain, summing counts", () => {
    const groups = rollUp(
      result.people.map((entry) => ({
        tally: entry.tally,
        level: { p1: "expert", p2: "junior", p3: "junior" }[entry.person as "p1"] ?? null,
        domains: { p1: ["medical", "legal"], p2: ["medical"] }[entry.person as "p1"] ?? [],
      })),
    );
    expect(groups.byLevel.map((group) => [group.key, group.people])).toEqual([
      ["expert", 1],
      ["junior", 2],
      [null, 1],
    ]);
    const junior = groups.byLevel[1]!;
    expect(junior.costCents).toEqual({ value: 686, reason: null });
    expect(junior.accuracyVsFinal).toMatchObject({ correct: 6, scored: 6 });
    expect(junior.costPerCorrectCents).toEqual({ value: 36, reason: null });
    expect(groups.byDomain.map((group) => [group.key, group.people])).toEqual([
      ["legal", 1],
      ["medical", 2],
      [null, 2],
    ]);
    expect(groups.byDomain[1]!.costPerCorrectCents).toEqual({ value: 45, reason: null });
    expect(addTallies(groups.byLevel.map((group) => group.tally))).toEqual(result.whole.tally);
  });
});

describe("degenerate projects give reasons, never NaN", () => {
  const base = { template, policy: {}, gold: { ratingTolerance: 1 } };

  it("no labels", () => {
    const result = projectEconomics({ ...base, rates: [], items: [] });
    expect(result.people).toEqual([]);
    expect(result.whole).toMatchObject({
      costCents: { value: null, reason: "no-data" },
      accuracyVsFinal: { value: { value: null, reason: "no-data" }, ci: null },
      goldAccuracy: { value: { value: null, reason: "no-data" } },
      costPerCorrectCents: { value: null, reason: "no-data" },
    });
    expect(result.publishedItems.means.totalCents).toEqual({ value: null, reason: "no-data" });
    expect(result.fields.map((field) => field.costPerCorrectCents.reason)).toEqual([
      "no-data",
      "no-data",
      "not-scored",
    ]);
  });

  it("one annotator: nothing to compare with but their own label", () => {
    const result = projectEconomics({
      ...base,
      rates: [{ person: 1, rateCentsPerHour: 6000 }],
      items: [
        {
          labels: [{ person: 1, label: { score: 4, verdict: "safe" }, activeMs: 60_000 }],
          final: { source: "consensus", label: { score: 4, verdict: "safe" } },
        },
      ],
    });
    expect(result.people[0]).toMatchObject({
      costCents: { value: 100, reason: null },
      accuracyVsFinal: { selfDecided: 2, value: { value: null, reason: "self-decided" } },
      costPerCorrectCents: { value: null, reason: "self-decided" },
    });
  });

  it("a field nobody filled, and all-identical values", () => {
    const items: Array<CostedItem<number>> = [1, 2, 3].map(() => ({
      labels: [1, 2, 3].map((person) => ({ person, label: { verdict: "safe" }, activeMs: 1000 })),
      final: { source: "consensus", label: { verdict: "safe" } },
    }));
    const result = projectEconomics({
      ...base,
      rates: [1, 2, 3].map((person) => ({ person, rateCentsPerHour: 3600 })),
      items,
    });
    const [score, verdict] = result.fields;
    expect(score!.accuracyVsFinal.value).toEqual({ value: null, reason: "no-data" });
    expect(score!.costPerCorrectCents).toEqual({ value: null, reason: "no-data" });
    expect(verdict!.accuracyVsFinal).toMatchObject({ correct: 9, scored: 9, value: { value: 1 } });
    // 9 labels of 1¢; 3 of 9 cents for the verdict field over 9 correct answers: a third of a
    // cent, to the hundredth (whole cents said 0: a correct answer cost nothing).
    expect(verdict!.costPerCorrectCents).toEqual({ value: 0.33, reason: null });
    expect(result.whole.costPerCorrectCents).toEqual({ value: 1, reason: null });
  });

  it("a missing rate, and no time", () => {
    const result = projectEconomics({
      ...base,
      rates: [{ person: "a", rateCentsPerHour: 6000 }],
      items: [
        {
          labels: [
            { person: "a", label: { verdict: "safe" }, activeMs: null },
            { person: "b", label: { verdict: "safe" }, activeMs: 1000 },
          ],
          final: { source: "published", label: { verdict: "safe" } },
          versions: [{ panel: null }],
        },
      ],
    });
    expect(result.people.map((entry) => entry.costCents.reason)).toEqual([
      "no-time",
      "missing-rate",
    ]);
    expect(result.people.map((entry) => entry.costPerCorrectCents.reason)).toEqual([
      "no-time",
      "missing-rate",
    ]);
    expect(result.publishedItems).toMatchObject({ items: 1, costedItems: 0 });
    expect(result.publishedItems.means.totalCents.reason).toBe("missing-rate");
    expect(result.unmeasured.versions).toBe(1);
  });

  it("zero correct labels", () => {
    const result = projectEconomics({
      ...base,
      rates: [
        { person: "a", rateCentsPerHour: 6000 },
        { person: "b", rateCentsPerHour: 6000 },
      ],
      items: [
        {
          labels: [
            { person: "a", label: { score: 1, verdict: "safe" }, activeMs: 60_000 },
            { person: "b", label: { score: 1, verdict: "safe" }, activeMs: 60_000 },
          ],
          final: { source: "published", label: { score: 5, verdict: "unsafe" } },
        },
      ],
    });
    expect(result.whole.accuracyVsFinal).toMatchObject({
      correct: 0,
      scored: 4,
      value: { value: 0 },
    });
    expect(result.whole.costPerCorrectCents).toEqual({ value: null, reason: "no-correct" });
    expect(result.people[0]!.costPerCorrectCents.reason).toBe("no-correct");
  });
});

/** Random projects: labels valid under a random template, by a pool of five people. */
const pool = ["a", "b", "c", "d", "e"];
const time = fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: null, freq: 6 });
const personTimes = fc
  .shuffledSubarray(pool, { maxLength: 3 })
  .chain((people) =>
    fc
      .tuple(...people.map(() => time))
      .map((times) => people.map((person, index) => ({ person, activeMs: times[index]! }))),
  );
const projectArbitrary = caseArbitrary.chain(({ template: on, policy }) => {
  const item = fc
    .record({
      given: fc.array(labelArbitrary(on), { minLength: 0, maxLength: 4 }),
      people: fc.shuffledSubarray(pool, { minLength: 4, maxLength: 4 }),
      times: fc.array(time, { minLength: 4, maxLength: 4 }),
      rejected: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      kind: fc.constantFrom("open", "consensus", "published", "gold"),
      other: labelArbitrary(on),
      versions: fc.array(fc.option(personTimes, { nil: null, freq: 4 }), { maxLength: 2 }),
      reviews: fc.array(fc.option(personTimes, { nil: null, freq: 4 }), { maxLength: 2 }),
    })
    .map(
      ({ given, people, times, rejected, kind, other, versions, reviews }): CostedItem<string> => {
        const labels = given.map((label, index) => ({
          person: people[index]!,
          label,
          activeMs: times[index]!,
          rejected: rejected[index]!,
        }));
        const aggregate = checkAgreement(on, policy, given).aggregated;
        return {
          labels,
          gold: kind === "gold" ? other : null,
          final:
            kind === "consensus"
              ? { source: "consensus", label: aggregate }
              : kind === "published"
                ? {
                    source: "published",
                    label: other,
                    votes: labels.slice(0, 2).map(({ person, label }) => ({ person, label })),
                  }
                : null,
          versions: versions.map((panel) => ({ panel })),
          reviews: reviews.map((people) => ({ people })),
        };
      },
    );
  return fc.record({
    template: fc.constant(on),
    policy: fc.constant(policy),
    items: fc.array(item, { maxLength: 6 }),
    rates: fc.array(fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: null, freq: 5 }), {
      minLength: pool.length,
      maxLength: pool.length,
    }),
    levels: fc.array(fc.constantFrom("junior", "expert", null), {
      minLength: pool.length,
      maxLength: pool.length,
    }),
    domains: fc.array(fc.subarray(["medical", "legal", "code"]), {
      minLength: pool.length,
      maxLength: pool.length,
    }),
  });
});

type Project = typeof projectArbitrary extends fc.Arbitrary<infer Value> ? Value : never;

const inputOf = (project: Project): EconomicsInput<string> => ({
  template: project.template,
  policy: project.policy,
  items: project.items,
  rates: pool.map((person, index) => ({ person, rateCentsPerHour: project.rates[index]! })),
  gold: { ratingTolerance: 1 },
});

/** Every number anywhere in a value is finite. */
function expectFinite(value: unknown, path = "result"): void {
  if (typeof value === "number") {
    expect(Number.isFinite(value), path).toBe(true);
  } else if (Array.isArray(value)) {
    value.forEach((entry, index) => expectFinite(entry, `${path}[${index}]`));
  } else if (value !== null && typeof value === "object") {
    for (const [key, entry] of Object.entries(value)) expectFinite(entry, `${path}.${key}`);
  }
}

const isWholeCents = (value: number) => Number.isSafeInteger(value) && value >= 0;
const isHundredthsOfACent = (value: number) =>
  value >= 0 && Number.isSafeInteger(Math.round(value * 100)) && Number(value.toFixed(2)) === value;

describe("properties", () => {
  it("costs work at the rate it recorded, whatever the rates are now; at the rate now where it recorded none", () => {
    const rateNow = fc.array(fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: null }), {
      minLength: pool.length,
      maxLength: pool.length,
    });
    fc.assert(
      fc.property(
        projectArbitrary,
        rateNow,
        rateNow,
        fc.integer({ min: 0, max: 20_000 }),
        (project, before, after, recorded) => {
          const withRates = (
            items: ReadonlyArray<CostedItem<string>>,
            rates: Array<number | null>,
          ) =>
            projectEconomics({
              ...inputOf(project),
              items,
              rates: pool.map((person, index) => ({ person, rateCentsPerHour: rates[index]! })),
            });
          const costs = (result: ReturnType<typeof withRates>) =>
            JSON.stringify([
              result.people.map((entry) => [entry.person, entry.costCents, entry.tally]),
              result.publishedItems,
            ]);
          const stamp = <Piece extends { rateCentsPerHour?: number | null }>(piece: Piece) => ({
            ...piece,
            rateCentsPerHour: recorded,
          });
          const recordedItems = project.items.map((item) => ({
            ...item,
            labels: item.labels.map(stamp),
            versions: item.versions?.map((version) => ({
              panel: version.panel?.map(stamp) ?? null,
            })),
            reviews: item.reviews?.map((review) => ({ people: review.people?.map(stamp) ?? null })),
          }));
          // Every piece recorded its rate: the rates now change nothing, and the cost is the
          // recorded rate's for everyone.
          expect(costs(withRates(recordedItems, after))).toBe(
            costs(withRates(recordedItems, before)),
          );
          expect(costs(withRates(recordedItems, before))).toBe(
            costs(
              withRates(
                recordedItems,
                pool.map(() => recorded),
              ),
            ),
          );
          // No piece recorded one (null, as before any rate was set): the rates now cost them.
          const unrecorded = recordedItems.map((item) => ({
            ...item,
            labels: item.labels.map((entry) => ({ ...entry, rateCentsPerHour: null })),
            versions: item.versions?.map((version) => ({
              panel:
                version.panel?.map((member) => ({ ...member, rateCentsPerHour: null })) ?? null,
            })),
            reviews: item.reviews?.map((review) => ({
              people:
                review.people?.map((member) => ({ ...member, rateCentsPerHour: null })) ?? null,
            })),
          }));
          expect(costs(withRates(unrecorded, after))).toBe(costs(withRates(project.items, after)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("costs are whole cents ≥ 0 that add up: over people to the whole, and to every piece; costs per correct answer are hundredths of a cent", () => {
    fc.assert(
      fc.property(projectArbitrary, (project) => {
        const input = inputOf(project);
        const result = projectEconomics(input);
        const rate = new Map(input.rates.map((entry) => [entry.person, entry.rateCentsPerHour]));
        let pieces = 0;
        let costed = 0;
        for (const item of project.items) {
          const work = [
            ...item.labels,
            ...(item.versions ?? []).flatMap((version) => version.panel ?? []),
            ...(item.reviews ?? []).flatMap((review) => review.people ?? []),
          ];
          for (const piece of work) {
            const cost = workCostCents(rate.get(piece.person), piece.activeMs);
            if (cost.value !== null) {
              pieces += cost.value;
              costed++;
            }
          }
        }
        const sum = result.people.reduce((total, entry) => total + (entry.costCents.value ?? 0), 0);
        expect(result.whole.costCents.value ?? 0).toBe(sum);
        expect(sum).toBe(pieces);
        expect(result.whole.costCents.value === null).toBe(costed === 0);
        for (const entry of [...result.people, result.whole]) {
          if (entry.costCents.value !== null) {
            expect(isWholeCents(entry.costCents.value)).toBe(true);
          }
          const perCorrect = entry.costPerCorrectCents.value;
          if (perCorrect !== null) expect(isHundredthsOfACent(perCorrect)).toBe(true);
        }
        for (const cents of Object.values(result.publishedItems.sums)) {
          expect(isWholeCents(cents)).toBe(true);
        }
        for (const field of result.fields) {
          const perItem = field.perPublishedItemCents.value;
          if (perItem !== null) expect(isWholeCents(perItem)).toBe(true);
          const perCorrect = field.costPerCorrectCents.value;
          if (perCorrect !== null) expect(isHundredthsOfACent(perCorrect)).toBe(true);
        }
      }),
    );
  });

  it("accuracy lies in [0, 1] inside its interval, cost per correct is cost ÷ correct, nothing is NaN", () => {
    fc.assert(
      fc.property(projectArbitrary, (project) => {
        const result = projectEconomics(inputOf(project));
        expectFinite(result);
        for (const entry of [...result.people, result.whole]) {
          for (const figure of [entry.accuracyVsFinal, entry.goldAccuracy]) {
            if (figure.value.value === null) {
              expect(figure.ci).toBeNull();
              continue;
            }
            expect(figure.value.value).toBeGreaterThanOrEqual(0);
            expect(figure.value.value).toBeLessThanOrEqual(1);
            expect(figure.ci!.lower).toBeLessThanOrEqual(figure.value.value + 1e-12);
            expect(figure.ci!.upper).toBeGreaterThanOrEqual(figure.value.value - 1e-12);
          }
          const { judgedCostCents, judgedCorrect } = entry.tally;
          const perCorrect = entry.costPerCorrectCents.value;
          if (perCorrect === null) {
            expect(entry.costPerCorrectCents.reason).not.toBeNull();
          } else {
            // Rounded to the hundredth of a cent: off by at most half of one per answer.
            expect(
              Math.abs(perCorrect * 100 * judgedCorrect - judgedCostCents * 100),
            ).toBeLessThanOrEqual(judgedCorrect / 2 + 1e-6 * judgedCostCents * 100);
          }
        }
      }),
    );
  });

  it("group rollups sum to the whole (levels) and to their members (domains)", () => {
    fc.assert(
      fc.property(projectArbitrary, (project) => {
        const result = projectEconomics(inputOf(project));
        const members = result.people.map((entry) => {
          const index = pool.indexOf(entry.person);
          return {
            tally: entry.tally,
            level: project.levels[index]!,
            domains: project.domains[index]!,
          };
        });
        const { byLevel, byDomain } = rollUp(members);
        expect(addTallies(byLevel.map((group) => group.tally))).toEqual(result.whole.tally);
        expect(byLevel.reduce((sum, group) => sum + group.people, 0)).toBe(result.people.length);
        for (const group of byDomain) {
          const inGroup = members.filter((member) =>
            group.key === null ? member.domains.length === 0 : member.domains.includes(group.key),
          );
          expect(group.people).toBe(inGroup.length);
          expect(group.tally).toEqual(addTallies(inGroup.map((member) => member.tally)));
        }
        const whole = addTallies(members.map((member) => member.tally));
        const tallySum = (groups: Array<{ tally: Tally }>, key: keyof Tally) =>
          groups.reduce((sum, group) => sum + group.tally[key], 0);
        expect(tallySum(byLevel, "judgedCostCents")).toBe(whole.judgedCostCents);
      }),
    );
  });

  it("the order of items, of labels within an item and of the rates changes nothing", () => {
    const shuffled = projectArbitrary.chain((project) =>
      fc.record({
        project: fc.constant(project),
        items: fc.shuffledSubarray(project.items, {
          minLength: project.items.length,
          maxLength: project.items.length,
        }),
        seeds: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
      }),
    );
    fc.assert(
      fc.property(shuffled, ({ project, items, seeds }) => {
        const input = inputOf(project);
        const rotate = <Entry>(entries: ReadonlyArray<Entry>, seed: number) =>
          entries.map((_, index) => entries[(index + seed) % entries.length]!);
        const permuted = {
          ...input,
          items: items.map((item, index) => ({
            ...item,
            labels: rotate(item.labels, seeds[index % seeds.length]!),
          })),
          rates: [...input.rates].reverse(),
        };
        expect(projectEconomics(permuted)).toEqual(projectEconomics(input));
      }),
    );
  });

  it("patched item by item from the sums of other items, gives the figures counted anew", () => {
    const versioned = projectArbitrary.chain((project) => {
      const slots = Math.floor(project.items.length / 2);
      return fc.record({
        project: fc.constant(project),
        // Per version, each slot's item: none, its first form, or its second.
        versions: fc.array(
          fc.record({
            slots: fc.array(fc.constantFrom(null, 0, 1), { minLength: slots, maxLength: slots }),
            ratesReversed: fc.boolean(),
          }),
          { minLength: 2, maxLength: 5 },
        ),
      });
    });
    fc.assert(
      fc.property(versioned, ({ project, versions }) => {
        const input = inputOf(project);
        const half = Math.floor(project.items.length / 2);
        const tallies = new EconomicsTallies<string>();
        let previous: Array<CostedItem<string> | undefined> = [];
        for (const [version, { slots, ratesReversed }] of versions.entries()) {
          const current = slots.map((form, slot) =>
            form === null ? undefined : project.items[form * half + slot]!,
          );
          const items = current.filter((item) => item !== undefined);
          const rates = ratesReversed
            ? input.rates.map(({ person }, index) => ({
                person,
                rateCentsPerHour: input.rates[input.rates.length - 1 - index]!.rateCentsPerHour,
              }))
            : input.rates;
          const changed = current
            .map((after, slot) => ({ before: previous[slot], after }))
            .filter(({ before, after }) => before !== after);
          const patched = projectEconomics({
            ...input,
            rates,
            items,
            tallies,
            changed: version === 0 ? undefined : changed,
          });
          expect(patched).toEqual(projectEconomics({ ...input, rates, items }));
          previous = current;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("renaming people renames their figures and changes nothing else", () => {
    const renamed = projectArbitrary.chain((project) =>
      fc.record({
        project: fc.constant(project),
        names: fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length }),
      }),
    );
    fc.assert(
      fc.property(renamed, ({ project, names }) => {
        const input = inputOf(project);
        const rename = (person: string) => names[pool.indexOf(person)]!;
        const times = <Entry extends { person: string }>(entries: ReadonlyArray<Entry> | null) =>
          entries && entries.map((entry) => ({ ...entry, person: rename(entry.person) }));
        const other = projectEconomics({
          ...input,
          rates: times(input.rates)!,
          items: input.items.map((item) => ({
            ...item,
            labels: times(item.labels)!,
            final: item.final && { ...item.final, votes: times(item.final.votes ?? null) ?? [] },
            versions: item.versions?.map((version) => ({ panel: times(version.panel) })),
            reviews: item.reviews?.map((review) => ({ people: times(review.people) })),
          })),
        });
        const original = projectEconomics(input);
        const { people, ...rest } = original;
        const { people: otherPeople, ...otherRest } = other;
        expect(otherRest).toEqual(rest);
        for (const entry of people) {
          expect(
            otherPeople.find((candidate) => candidate.person === rename(entry.person)),
          ).toEqual({ ...entry, person: rename(entry.person) });
        }
      }),
    );
  });
});
