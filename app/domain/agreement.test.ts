import { describe, expect, it } from "vitest";
import { cohenKappa, fleissKappa, krippendorffAlpha } from "./agreement.ts";

describe("krippendorffAlpha", () => {
  // Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
  // Pennsylvania, section C: four observers, twelve units, values 1–5, with missing data.
  const example = [
    [1, 1, null, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [null, 5, 5, 5],
    [null, null, 1, 1],
    [null, 3, null, null],
  ];

  it("matches the published nominal, ordinal, interval and ratio values", () => {
    expect(krippendorffAlpha(example, "nominal")).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(example, "ordinal")).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(example, "interval")).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(example, "ratio")).toBeCloseTo(0.797, 3);
  });

  it("matches the published binary example for two observers", () => {
    // Krippendorff (2011), section A: two observers, ten units, binary data, α = 0.095.
    const observerA = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const observerB = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    const units = observerA.map((value, unit) => [value, observerB[unit]]);
    expect(krippendorffAlpha(units, "nominal")).toBeCloseTo(0.095, 3);
  });

  it("accepts nominal string values", () => {
    const units = [
      ["safe", "safe"],
      ["unsafe", "unsafe"],
      ["safe", "unsafe"],
      ["unsafe", "unsafe"],
    ];
    const numeric = units.map((unit) => unit.map((value) => (value === "safe" ? 0 : 1)));
    expect(krippendorffAlpha(units, "nominal")).toBeCloseTo(
      krippendorffAlpha(numeric, "nominal")!,
      12,
    );
  });

  it("is 1 for perfect agreement with variation, and undefined without variation", () => {
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [2, 2],
        ],
        "interval",
      ),
    ).toBe(1);
    expect(krippendorffAlpha([[3, 3, 3]], "ordinal")).toBeNull();
    expect(krippendorffAlpha([[3], [4]], "ordinal")).toBeNull();
  });
});

describe("fleissKappa", () => {
  // Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters,
  // 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
  it("matches the worked example", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(table)).toBeCloseTo(0.21, 2);
  });

  it("refuses tables with varying numbers of raters", () => {
    expect(() =>
      fleissKappa([
        [1, 1],
        [2, 1],
      ]),
    ).toThrow(RangeError);
  });
});

describe("cohenKappa", () => {
  // Wikipedia's "Cohen's kappa" example: 50 grant proposals, yes/yes 20, yes/no 5, no/yes 10,
  // no/no 15; p_o = 0.7, p_e = 0.5, κ = 0.4.
  it("matches the worked example", () => {
    const first = [
      ...Array<string>(20).fill("yes"),
      ...Array<string>(5).fill("yes"),
      ...Array<string>(10).fill("no"),
      ...Array<string>(15).fill("no"),
    ];
    const second = [
      ...Array<string>(20).fill("yes"),
      ...Array<string>(5).fill("no"),
      ...Array<string>(10).fill("yes"),
      ...Array<string>(15).fill("no"),
    ];
    expect(cohenKappa(first, second)).toBeCloseTo(0.4, 10);
  });
});
