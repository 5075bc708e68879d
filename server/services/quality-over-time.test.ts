import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { projectEconomics } from "../../app/domain/cost.ts";
import { templateSchema, type Label } from "../../app/domain/template.ts";
import {
  AgreementTallies,
  fieldAgreementSteps,
  fieldAgreements,
  fieldAgreementsOfItems,
  fieldAlphasOfItems,
  finished,
  itemsOfLabels,
  type ItemLabels,
} from "./quality-agreement.ts";
import type { QualityLabel, ReadItem } from "./quality-economics.ts";
import { DailyTallies, qualityOverTime } from "./quality-over-time.ts";

const template = templateSchema.parse({
  fields: [
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe", "unclear"] },
    { id: "tags", type: "choice", label: "Tags", options: ["a", "b", "c"], multiple: true },
    { id: "score", type: "rating", label: "Score", min: 1, max: 5 },
    { id: "order", type: "ranking", label: "Order" },
  ],
});
const project = { template, disputePolicy: {}, overlap: 3 };
const NOW = new Date("2026-03-31T15:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;

const labelArbitrary: fc.Arbitrary<Label> = fc.record(
  {
    verdict: fc.constantFrom("safe", "unsafe", "unclear"),
    tags: fc.subarray(["a", "b", "c"]),
    score: fc.integer({ min: 1, max: 5 }),
    order: fc.shuffledSubarray(["r1", "r2"], { minLength: 2, maxLength: 2 }),
  },
  { requiredKeys: [] },
);

/** Items with up to four labels each, submitted over the last 40 days, some gold, some final. */
const projectArbitrary = fc.array(
  fc.record({
    labels: fc.array(
      fc.record({ label: labelArbitrary, rejected: fc.boolean(), daysAgo: fc.nat(40) }),
      { maxLength: 4 },
    ),
    gold: fc.option(labelArbitrary, { nil: null }),
    final: fc.option(labelArbitrary, { nil: null }),
  }),
  { maxLength: 25 },
);

type GeneratedProject = typeof projectArbitrary extends fc.Arbitrary<infer Value> ? Value : never;

function dataOf(generated: GeneratedProject) {
  const labels: QualityLabel[] = [];
  const items: ReadItem[] = generated.map((item, itemId) => {
    const itemLabels = item.labels.map((entry, person) => ({
      person,
      label: entry.label,
      rejected: entry.rejected,
      activeMs: null,
    }));
    for (const [person, entry] of item.labels.entries()) {
      labels.push({
        itemId,
        userId: person,
        label: entry.label,
        rejected: entry.rejected,
        activeMs: null,
        goldLabel: item.gold,
      });
    }
    const latest = Math.min(...item.labels.map((entry) => entry.daysAgo));
    return {
      id: itemId,
      labels: itemLabels,
      gold: item.gold,
      final: item.final === null ? null : { label: item.final, source: "consensus" as const },
      lastLabelAt: item.labels.length === 0 ? null : new Date(NOW.getTime() - latest * DAY_MS),
    };
  });
  return { labels, items };
}

/**
 * Per pair of people "a-b" (a < b), the items on which both gave a ranking that counts: not
 * rejected, on an item that is not gold.
 */
function itemsRankedByBoth(items: ReadonlyArray<ItemLabels>): Record<string, number> {
  const pairs: Record<string, number> = {};
  for (const item of items) {
    const rankers = item.labels
      .filter((entry) => !entry.rejected && entry.goldLabel === null && entry.label.order)
      .map((entry) => entry.userId)
      .sort((a, b) => a - b);
    for (const [index, a] of rankers.entries()) {
      for (const b of rankers.slice(index + 1)) pairs[`${a}-${b}`] = (pairs[`${a}-${b}`] ?? 0) + 1;
    }
  }
  return pairs;
}

describe("quality over time", () => {
  it("alone gives each field the alpha the agreement table gives it", () => {
    fc.assert(
      fc.property(projectArbitrary, (generated) => {
        const { labels } = dataOf(generated);
        const full = new Map(
          fieldAgreements(project, labels).map((field) => [field.fieldId, field.alpha]),
        );
        for (const { fieldId, alpha } of fieldAlphasOfItems(template, itemsOfLabels(labels))) {
          expect(alpha).toEqual(full.get(fieldId));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("gives, from units kept per item, the agreement table the labels give", () => {
    fc.assert(
      fc.property(projectArbitrary, fc.array(fc.boolean()), (generated, rereads) => {
        const { labels } = dataOf(generated);
        // Label ids out of item order, as labels come in across items.
        const idOf = (entry: QualityLabel) =>
          ((entry.itemId * 7 + entry.userId * 13) % 97) * 1_000 + entry.itemId * 10 + entry.userId;
        const ordered = [...labels].sort((a, b) => idOf(a) - idOf(b));
        const byItem = new Map<number, { labels: QualityLabel[]; labelIds: number[] }>();
        for (const entry of ordered) {
          const item = byItem.get(entry.itemId) ?? { labels: [], labelIds: [] };
          item.labels.push(entry);
          item.labelIds.push(idOf(entry));
          byItem.set(entry.itemId, item);
        }
        // Kept rows hold items in id order.
        const kept = [...byItem.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
        const scratch = fieldAgreements(project, ordered);
        expect(fieldAgreementsOfItems(project, kept)).toEqual(scratch);
        // Items read again are new objects; the others keep their units.
        const items = kept.map((item, index) => (rereads[index] ? { ...item } : item));
        expect(fieldAgreementsOfItems(project, items)).toEqual(scratch);
      }),
      { numRuns: 200 },
    );
  });

  it("patched from the counts of other items, gives the agreement table counted from none", () => {
    const itemsOf = (generated: GeneratedProject): ItemLabels[] => {
      const byItem = new Map<number, QualityLabel[]>();
      for (const entry of dataOf(generated).labels) {
        byItem.set(entry.itemId, [...(byItem.get(entry.itemId) ?? []), entry]);
      }
      return [...byItem.values()].map((labels) => ({ labels, labelIds: [] }));
    };
    fc.assert(
      fc.property(
        fc.array(projectArbitrary, { minLength: 2, maxLength: 4 }),
        fc.array(fc.boolean()),
        (versions, kept) => {
          // Each version of the project keeps some items of the one before as they were (the
          // same objects, as kept rows keep them); the others changed, came or left.
          const tallies = new AgreementTallies();
          let previous: ItemLabels[] = [];
          for (const [version, generated] of versions.entries()) {
            const items = itemsOf(generated).map((item) => {
              const before = previous.find(
                (entry) => entry.labels[0]!.itemId === item.labels[0]!.itemId,
              );
              return before && kept[version * 25 + item.labels[0]!.itemId] ? before : item;
            });
            const patched = finished(fieldAgreementSteps(project, items, tallies));
            const counted = fieldAgreementsOfItems(project, items);
            expect(patched).toEqual(counted);
            const order = patched.find((field) => field.fieldId === "order")!;
            expect(
              Object.fromEntries(
                order.cohenKappa.map(({ a, b, items: both }) => [`${a}-${b}`, both]),
              ),
            ).toEqual(itemsRankedByBoth(items));
            expect(counted).toEqual(
              fieldAgreements(
                project,
                items.flatMap((item) => item.labels),
              ),
            );
            previous = items;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("patched with the items that changed, gives the days counted from none", () => {
    type Row = ItemLabels & { item: ReadItem };
    const rowsOf = (generated: GeneratedProject): Map<number, Row> => {
      const { labels, items } = dataOf(generated);
      const grouped = new Map(
        itemsOfLabels(labels).map((entry) => [entry.labels[0]!.itemId, entry]),
      );
      return new Map(
        items.map((item) => {
          const entry = grouped.get(item.id) ?? { labels: [], labelIds: [] };
          return [item.id, { ...entry, item }];
        }),
      );
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(projectArbitrary, fc.nat(3)), { minLength: 2, maxLength: 5 }),
        fc.array(fc.boolean()),
        (versions, kept) => {
          // Each version keeps some items of the one before as they were (the same objects, as
          // kept rows keep them); the others changed, came or left. Days pass between versions,
          // so that the window moves and days leave it.
          const tallies = new DailyTallies();
          let previous = new Map<number, Row>();
          let now = NOW.getTime();
          for (const [version, [generated, daysLater]] of versions.entries()) {
            now += daysLater * DAY_MS;
            const rows = new Map(
              [...rowsOf(generated)].map(([id, row]) => {
                const before = previous.get(id);
                return [id, before && kept[version * 25 + id] ? before : row];
              }),
            );
            const changed = new Set(
              [...previous.keys(), ...rows.keys()].filter(
                (id) => previous.get(id) !== rows.get(id),
              ),
            );
            const data = {
              items: [...rows.values()].map((row) => row.item),
              labels: [...rows.values()].flatMap((row) => row.labels),
            };
            const at = new Date(now);
            const patched = qualityOverTime(project, data, {
              now: at,
              tallies,
              changed: version === 0 ? undefined : changed,
              rows,
            });
            expect(patched).toEqual(qualityOverTime(project, data, { now: at }));
            previous = rows;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("splits the project's accuracy against the final label into its days, none counted twice", () => {
    fc.assert(
      fc.property(projectArbitrary, (generated) => {
        const data = dataOf(generated);
        const days = qualityOverTime(project, data, { now: NOW });
        expect(days).toHaveLength(30);
        expect(days.at(-1)!.day).toBe("2026-03-31");
        // Only the items last labelled within the window: the project's figure over them.
        const inWindow = data.items.filter(
          (item) =>
            item.lastLabelAt !== null && NOW.getTime() - item.lastLabelAt.getTime() < 30 * DAY_MS,
        );
        const whole = projectEconomics({
          template,
          policy: {},
          rates: [],
          items: inWindow,
          gold: { ratingTolerance: 1 },
        }).whole.accuracyVsFinal;
        const sum = (pick: (day: (typeof days)[number]) => number) =>
          days.reduce((total, day) => total + pick(day), 0);
        expect(sum((day) => day.accuracyVsFinal.correct)).toBe(whole.correct);
        expect(sum((day) => day.accuracyVsFinal.scored)).toBe(whole.scored);
        expect(sum((day) => day.items)).toBe(inWindow.filter((item) => !item.gold).length);
        for (const day of days) {
          const figures = [day.accuracyVsFinal, ...day.alpha];
          for (const figure of figures) {
            expect(Number.isNaN(figure.value)).toBe(false);
            expect(figure.value === null).toBe(figure.reason !== null);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
