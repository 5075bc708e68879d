import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { contrastRatio, CursorActivity, readableTextOn, relativeLuminance } from "./presence.ts";

const caret = (index: number) => ({ anchor: { item: { client: 7, clock: index } }, head: null });

describe("remote carets", () => {
  test("a caret is live while it moves and idle once it has stood still long enough", () => {
    const activity = new CursorActivity(60_000);
    expect(activity.isLive(7, caret(1), 0)).toBe(true);
    // The awareness renewal repeats the same caret: not a move.
    expect(activity.isLive(7, caret(1), 30_000)).toBe(true);
    expect(activity.isLive(7, caret(1), 59_999)).toBe(true);
    expect(activity.isLive(7, caret(1), 60_000)).toBe(false);
    expect(activity.isLive(7, caret(2), 61_000)).toBe(true);
  });

  test("no caret is never live, and forgets the last one", () => {
    const activity = new CursorActivity(1_000);
    activity.isLive(7, caret(1), 0);
    expect(activity.isLive(7, null, 10)).toBe(false);
    expect(activity.isLive(7, caret(1), 5_000)).toBe(true);
  });

  test("the idle check names only carets still drawn", () => {
    const activity = new CursorActivity(1_000);
    activity.isLive(7, caret(1), 0);
    activity.isLive(8, caret(1), 500);
    expect(activity.newlyIdle(1_200, new Set([7, 8]))).toEqual([7]);
    expect(activity.newlyIdle(1_200, new Set([8]))).toEqual([]);
  });
});

describe("avatar initials", () => {
  test("luminance and contrast match WCAG's worked values", () => {
    expect(relativeLuminance("#ffffff")).toBe(1);
    expect(relativeLuminance("#000")).toBe(0);
    // WCAG 2.1's definition: black on white is 21:1; #767676 on white is the classic 4.54:1.
    expect(contrastRatio(1, 0)).toBe(21);
    expect(contrastRatio(relativeLuminance("#767676")!, 1)).toBeCloseTo(4.54, 2);
    expect(relativeLuminance("not a colour")).toBeNull();
  });

  test("are written in whichever of white or black reads at least 4.5:1 on any colour", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), (value) => {
        const background = `#${value.toString(16).padStart(6, "0")}`;
        const text = readableTextOn(background);
        const ratio = contrastRatio(relativeLuminance(background)!, relativeLuminance(text)!);
        // The better of the two always reaches 4.5:1 (the worst case, luminance 0.18, is 4.58).
        expect(ratio, `${text} on ${background}`).toBeGreaterThanOrEqual(4.5);
      }),
      { numRuns: 2_000 },
    );
  });
});
