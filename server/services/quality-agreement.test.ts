import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cohenKappas } from "../../app/domain/agreement.ts";
import { templateSchema, type Label } from "../../app/domain/template.ts";
import {
  AgreementTallies,
  fieldAgreementSteps,
  fieldAgreements,
  finished,
  itemsOfLabels,
  type FieldAgreement,
} from "./quality-agreement.ts";
import type { QualityLabel } from "./quality-economics.ts";

const template = templateSchema.parse({
  fields: [{ id: "order", type: "ranking", label: "Order" }],
});
const project = { template, overlap: 3 };

function labelOf(itemId: number, userId: number, order: string[] | undefined): QualityLabel {
  const label: Label = order === undefined ? {} : { order };
  return { itemId, userId, label, rejected: false, activeMs: null, goldLabel: null };
}

const orderField = (agreements: FieldAgreement[]) =>
  agreements.find((field) => field.fieldId === "order")!;

/**
 * For people a and b, the ranks each gave every response both ranked, over the items in order:
 * the reliability data their kappas over ranks are defined on.
 */
function ranksOfPair(labels: ReadonlyArray<QualityLabel>, a: number, b: number) {
  const first: number[] = [];
  const second: number[] = [];
  for (const itemId of [...new Set(labels.map((entry) => entry.itemId))]) {
    const rankingOf = (userId: number) =>
      labels.find((entry) => entry.itemId === itemId && entry.userId === userId)?.label.order as
        string[] | undefined;
    const rankingA = rankingOf(a);
    const rankingB = rankingOf(b);
    if (!rankingA || !rankingB) continue;
    for (const [position, responseId] of rankingA.entries()) {
      const positionB = rankingB.indexOf(responseId);
      if (positionB === -1) continue;
      first.push(position + 1);
      second.push(positionB + 1);
    }
  }
  return { first, second };
}

describe("agreement on a ranking field", () => {
  // Items 1–3 have two responses, item 4 three. Person 1 ranked items 1–4, person 2 items 1–3
  // and 5, person 3 items 1, 2 and 4; item 5 has one ranking only, item 6 none.
  const labels: QualityLabel[] = [
    labelOf(1, 1, ["r1", "r2"]),
    labelOf(1, 2, ["r1", "r2"]),
    labelOf(1, 3, ["r2", "r1"]),
    labelOf(2, 1, ["r2", "r1"]),
    labelOf(2, 2, ["r2", "r1"]),
    labelOf(2, 3, ["r2", "r1"]),
    labelOf(3, 1, ["r1", "r2"]),
    labelOf(3, 2, ["r2", "r1"]),
    labelOf(4, 1, ["r1", "r2", "r3"]),
    labelOf(4, 3, ["r1", "r3", "r2"]),
    labelOf(5, 2, ["r1", "r2"]),
    labelOf(6, 1, undefined),
  ];

  it("gives each pair the items both ranked, and its kappas over the responses' ranks", () => {
    const order = orderField(fieldAgreements(project, labels));
    expect(order).toMatchObject({ metric: "alpha-ranks", items: 4 });
    expect(order.cohenKappa.map(({ a, b, items }) => ({ a, b, items }))).toEqual([
      { a: 1, b: 2, items: 3 },
      { a: 1, b: 3, items: 3 },
      { a: 2, b: 3, items: 2 },
    ]);
    for (const pair of order.cohenKappa) {
      const { first, second } = ranksOfPair(labels, pair.a, pair.b);
      expect([pair.unweighted, pair.linear, pair.quadratic]).toEqual(
        cohenKappas(first, second, ["unweighted", "linear", "quadratic"]),
      );
    }
  });

  it("patched as items change, counts a pair's items as counting them from none does", () => {
    const items = itemsOfLabels(labels);
    const tallies = new AgreementTallies();
    finished(fieldAgreementSteps(project, items.slice(0, 2), tallies));
    finished(fieldAgreementSteps(project, items.slice(1), tallies));
    const patched = finished(fieldAgreementSteps(project, items, tallies));
    expect(patched).toEqual(fieldAgreements(project, labels));
    expect(orderField(patched).cohenKappa.map(({ items: both }) => both)).toEqual([3, 3, 2]);
  });
});

/** Items with one to four responses, each ranked (as a whole) by some of five people. */
const rankingsArbitrary = fc.array(
  fc.integer({ min: 1, max: 4 }).chain((responses) => {
    const responseIds = Array.from({ length: responses }, (_, index) => `r${index + 1}`);
    return fc.array(
      fc.option(fc.shuffledSubarray(responseIds, { minLength: responses, maxLength: responses }), {
        nil: undefined,
      }),
      { minLength: 5, maxLength: 5 },
    );
  }),
  { maxLength: 12 },
);

describe("agreement on a ranking field, for any rankings", () => {
  it("gives each pair the items both ranked, however the counts were reached", () => {
    fc.assert(
      fc.property(rankingsArbitrary, fc.array(fc.boolean()), (rankings, firstCounted) => {
        const labels = rankings.flatMap((byPerson, itemId) =>
          byPerson.flatMap((order, userId) => (order ? [labelOf(itemId, userId, order)] : [])),
        );
        const expected: Array<{ a: number; b: number; items: number }> = [];
        for (let a = 0; a < 5; a++) {
          for (let b = a + 1; b < 5; b++) {
            const both = rankings.filter((byPerson) => byPerson[a] && byPerson[b]).length;
            if (both > 0) expected.push({ a, b, items: both });
          }
        }
        const items = itemsOfLabels(labels);
        const tallies = new AgreementTallies();
        finished(
          fieldAgreementSteps(
            project,
            items.filter((_, index) => firstCounted[index]),
            tallies,
          ),
        );
        const patched = finished(fieldAgreementSteps(project, items, tallies));
        const scratch = fieldAgreements(project, labels);
        expect(patched).toEqual(scratch);
        const pairs = orderField(scratch).cohenKappa;
        expect(pairs.map(({ a, b, items: both }) => ({ a, b, items: both }))).toEqual(expected);
        for (const pair of pairs) {
          const { first, second } = ranksOfPair(labels, pair.a, pair.b);
          expect([pair.unweighted, pair.linear, pair.quadratic]).toEqual(
            cohenKappas(first, second, ["unweighted", "linear", "quadratic"]),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
