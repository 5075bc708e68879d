import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { undefinedReasons, type Estimate, type UndefinedReason } from "~/domain/estimate.ts";
import {
  estimateText,
  formatCents,
  formatDuration,
  formatWithInterval,
  reasonInWords,
} from "./figures.ts";

const reasons = Object.keys(undefinedReasons) as UndefinedReason[];
const anEstimate: fc.Arbitrary<Estimate<number>> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => ({ value, reason: null })),
  fc.constantFrom(...reasons).map((reason) => ({ value: null, reason })),
);
const unreadable = /NaN|null|undefined|Infinity/;

describe("figures as the pages show them", () => {
  it("formats money from whole cents and back", () => {
    expect(formatCents(123_456)).toBe("$1,234.56");
    expect(formatCents(5)).toBe("$0.05");
    expect(formatCents(0.4)).toBe("$0.004");
    expect(formatCents(56.33)).toBe("$0.5633");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (hundredths) => {
        const cents = hundredths / 100;
        const dollars = Number(formatCents(cents).replace(/[$,]/g, ""));
        expect(Math.round(dollars * 10_000)).toBe(hundredths);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (cents) => {
        const text = formatCents(cents);
        expect(text).toMatch(/^\$\d{1,3}(,\d{3})*\.\d\d$/);
        expect(Math.round(Number(text.replace(/[$,]/g, "")) * 100)).toBe(cents);
      }),
    );
  });

  it("formats durations in hours and minutes that add back up to the rounded minutes", () => {
    expect(formatDuration(0)).toBe("none");
    expect(formatDuration(20_000)).toBe("under a minute");
    expect(formatDuration(10 * 60_000)).toBe("10 min");
    expect(formatDuration(185 * 60_000)).toBe("3 h 05 min");
    fc.assert(
      fc.property(fc.integer({ min: 30_000, max: 10 ** 10 }), (ms) => {
        const match = /^(?:(\d+) h (\d\d) min|(\d+) min)$/.exec(formatDuration(ms));
        expect(match).not.toBeNull();
        const minutes = match![3] ? Number(match![3]) : Number(match![1]) * 60 + Number(match![2]);
        expect(minutes).toBe(Math.round(ms / 60_000));
      }),
    );
  });

  it("writes an interval after its value, with minus signs", () => {
    expect(formatWithInterval(0.62, [0.48, 0.74])).toBe("0.62 (0.48–0.74)");
    expect(formatWithInterval(-0.42, [-0.89, 0.06])).toBe("−0.42 (−0.89–0.06)");
    expect(formatWithInterval(0.5, null)).toBe("0.50");
    expect(formatWithInterval(-0.001, [-0.004, 0.2])).toBe("0.00 (0.00–0.20)");
  });

  it("never shows NaN, null or undefined: a missing figure reads as its reason in words", () => {
    fc.assert(
      fc.property(anEstimate, (estimate) => {
        const text = estimateText(estimate);
        expect(text).not.toMatch(unreadable);
        if (estimate.value === null) expect(text).toBe(reasonInWords(estimate.reason));
      }),
    );
    for (const reason of reasons) expect(reasonInWords(reason)).toMatch(/^[a-z][a-z -]+$/);
  });
});
