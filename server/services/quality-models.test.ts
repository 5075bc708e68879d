import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { templateSchema, type Label } from "../../app/domain/template.ts";
import type { ItemLabels } from "./quality-agreement.ts";
import { categoricalModels, categoricalModelSteps, ModelTallies } from "./quality-models.ts";
import { finished } from "./quality-agreement.ts";

const template = templateSchema.parse({
  fields: [
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe", "unclear"] },
    { id: "preference", type: "preference", label: "Preference", scale: 2 },
  ],
});

const labelArbitrary: fc.Arbitrary<Label> = fc.record(
  {
    verdict: fc.constantFrom("safe", "unsafe", "unclear"),
    preference: fc.integer({ min: -2, max: 2 }),
  },
  { requiredKeys: [] },
);

/** An item's labels by up to four people (of six), some rejected, some items gold. */
const itemArbitrary = fc.record({
  labels: fc.array(
    fc.record({ person: fc.nat(5), label: labelArbitrary, rejected: fc.boolean() }),
    {
      maxLength: 4,
    },
  ),
  gold: fc.boolean(),
});

type GeneratedItem = typeof itemArbitrary extends fc.Arbitrary<infer Value> ? Value : never;

function entryOf(itemId: number, generated: GeneratedItem): ItemLabels {
  const people = [...new Set(generated.labels.map((entry) => entry.person))];
  const labels = people.map((person) => {
    const entry = generated.labels.find((label) => label.person === person)!;
    return {
      itemId,
      userId: person,
      label: entry.label,
      rejected: entry.rejected,
      activeMs: null,
      goldLabel: generated.gold ? { verdict: "safe" } : null,
    };
  });
  return { labels, labelIds: labels.map((_, index) => itemId * 10 + index) };
}

describe("Dawid–Skene models of a project's items", () => {
  it("patched with the items that changed, give the models counted anew", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.option(itemArbitrary, { nil: null }), { maxLength: 12 }), {
          minLength: 2,
          maxLength: 5,
        }),
        fc.array(fc.boolean()),
        (versions, kept) => {
          // Each version keeps some items of the one before as they were (the same objects, as
          // kept rows keep them); the others changed, came or left. People and classes come and
          // go with them.
          const tallies = new ModelTallies();
          let previous = new Map<number, ItemLabels>();
          for (const [version, generated] of versions.entries()) {
            const current = new Map<number, ItemLabels>();
            generated.forEach((item, itemId) => {
              if (item === null) return;
              const before = previous.get(itemId);
              current.set(
                itemId,
                before && kept[version * 12 + itemId] ? before : entryOf(itemId, item),
              );
            });
            const changed = [...new Set([...previous.keys(), ...current.keys()])]
              .filter((id) => previous.get(id) !== current.get(id))
              .map((id) => ({ before: previous.get(id), after: current.get(id) }));
            const patched = finished(
              categoricalModelSteps(
                template,
                current.values(),
                tallies,
                version === 0 ? undefined : changed,
              ),
            );
            const labels = [...current.values()].flatMap((entry) => entry.labels);
            expect(patched).toEqual(categoricalModels(template, labels));
            previous = current;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
