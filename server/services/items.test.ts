import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byName, pseudonym } from "./items.ts";

const sign = (value: number) => Math.sign(value);

describe("byName", () => {
  it("orders pseudonyms by their letters, past the 26th", () => {
    fc.assert(
      fc.property(fc.nat(2_000), fc.nat(2_000), (a, b) => {
        expect(sign(byName(pseudonym(a), pseudonym(b)))).toBe(sign(a - b));
      }),
    );
    expect(["Annotator AA", "Annotator B", "Annotator Z", "Annotator A"].sort(byName)).toEqual([
      "Annotator A",
      "Annotator B",
      "Annotator Z",
      "Annotator AA",
    ]);
  });

  it("is a total order over names and pseudonyms mixed", () => {
    const name = fc.oneof(
      fc.nat(800).map(pseudonym),
      fc.string({ maxLength: 14 }),
      fc.stringMatching(/^Annotator [A-Za-z0-9 ]{0,4}$/),
    );
    fc.assert(
      fc.property(name, name, name, (a, b, c) => {
        expect(sign(byName(a, b))).toBe(-sign(byName(b, a)) || 0);
        if (byName(a, b) <= 0 && byName(b, c) <= 0) expect(byName(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it("leaves lists of people's names in alphabetical order", () => {
    expect(["Zoë", "ada", "Ben", "Annotator C", "Anne"].sort(byName)).toEqual(
      ["Zoë", "ada", "Ben", "Annotator C", "Anne"].sort((a, b) => a.localeCompare(b)),
    );
  });
});
