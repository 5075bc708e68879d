import { describe, expect, test } from "vitest";
import { CursorActivity } from "./presence.ts";

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
