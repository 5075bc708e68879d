import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activeTimeOf,
  addInstant,
  boundClaim,
  claimBoundMs,
  extendRun,
  foldRun,
  IDLE_THRESHOLD_MS,
  joinRuns,
  measureReservation,
  NO_ACTIVITY,
  type ActiveTime,
  type ActivityRun,
} from "./work-time.ts";

const minute = 60_000;

/** Instants in milliseconds over about a working day, gaps from none to well past the threshold. */
const instants = fc.array(fc.integer({ min: 0, max: 8 * 60 * minute }), {
  minLength: 1,
  maxLength: 60,
});

function foldAll(time: ActiveTime, at: readonly number[]): ActiveTime {
  return at.reduce(addInstant, time);
}

function runOf(at: readonly number[]): ActivityRun {
  return at.reduce<ActivityRun | null>(extendRun, null)!;
}

/** Sorted instants cut into consecutive pieces at the given (sorted, deduplicated) positions. */
function cut(sorted: readonly number[], positions: readonly number[]): number[][] {
  const pieces: number[][] = [];
  let start = 0;
  for (const position of [...new Set(positions)].sort((a, b) => a - b)) {
    if (position > start && position < sorted.length) {
      pieces.push(sorted.slice(start, position));
      start = position;
    }
  }
  pieces.push(sorted.slice(start));
  return pieces;
}

describe("active time", () => {
  it("counts each gap up to the idle threshold", () => {
    // Read for 30 s, away for 10 minutes, back for 45 s: the pause counts 2 minutes.
    expect(activeTimeOf([0, 30_000, 630_000, 675_000])).toBe(30_000 + IDLE_THRESHOLD_MS + 45_000);
    expect(activeTimeOf([5_000])).toBe(0);
    expect(activeTimeOf([])).toBe(0);
    expect(activeTimeOf([10_000, 0, 4_000])).toBe(10_000);
  });

  it("is what the instants add one by one, in order", () => {
    fc.assert(
      fc.property(instants, (at) => {
        const sorted = [...at].sort((a, b) => a - b);
        expect(foldAll(NO_ACTIVITY, sorted)).toEqual({
          activeMs: activeTimeOf(at),
          lastAt: sorted.at(-1),
        });
      }),
    );
  });

  it("never exceeds the wall time, nor one threshold per gap, and grows with every instant", () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 8 * 60 * minute }), (at, extra) => {
        const active = activeTimeOf(at);
        expect(active).toBeLessThanOrEqual(Math.max(...at) - Math.min(...at));
        expect(active).toBeLessThanOrEqual((at.length - 1) * IDLE_THRESHOLD_MS);
        expect(activeTimeOf([...at, extra])).toBeGreaterThanOrEqual(active);
      }),
    );
  });

  it("ignores an instant earlier than the latest (requests that crossed)", () => {
    fc.assert(
      fc.property(instants, fc.nat(), (at, back) => {
        const sorted = [...at].sort((a, b) => a - b);
        const time = foldAll(NO_ACTIVITY, sorted);
        expect(addInstant(time, sorted.at(-1)! - back)).toEqual(time);
      }),
    );
  });
});

describe("runs gathered between writes", () => {
  it("add up, however the instants are cut into runs, to the time of all the instants", () => {
    fc.assert(
      fc.property(instants, fc.array(fc.nat({ max: 60 })), (at, positions) => {
        const sorted = [...at].sort((a, b) => a - b);
        const runs = cut(sorted, positions).map(runOf);
        const stored = runs.reduce(foldRun, NO_ACTIVITY);
        expect(stored.activeMs).toBe(activeTimeOf(at));
        expect(stored.lastAt).toBe(sorted.at(-1));
        // A run kept after a failed write and joined with the next one is the same.
        expect(runs.reduce(joinRuns)).toEqual(runOf(sorted));
      }),
    );
  });

  it("add, when they overlap what is stored, only time after it and never more than their own", () => {
    fc.assert(
      fc.property(instants, instants, (first, second) => {
        const stored = foldAll(
          NO_ACTIVITY,
          [...first].sort((a, b) => a - b),
        );
        const run = runOf([...second].sort((a, b) => a - b));
        const folded = foldRun(stored, run);
        const added = folded.activeMs - stored.activeMs;
        expect(added).toBeGreaterThanOrEqual(0);
        expect(added).toBeLessThanOrEqual(run.activeMs + IDLE_THRESHOLD_MS);
        expect(added).toBeLessThanOrEqual(folded.lastAt! - stored.lastAt! + run.activeMs);
        expect(folded.activeMs).toBeLessThanOrEqual(
          Math.max(...first, ...second) - Math.min(...first, ...second),
        );
      }),
    );
  });
});

describe("a reservation's working time", () => {
  const reservation = fc
    .record({
      reservedAt: fc.integer({ min: 0, max: 10 * minute }),
      length: fc.integer({ min: minute, max: 60 * minute }),
      beats: fc.array(fc.integer({ min: 0, max: 60 * minute }), { maxLength: 30 }),
      submittedAfter: fc.integer({ min: 0, max: 120 * minute }),
    })
    .map(({ reservedAt, length, beats, submittedAfter }) => {
      const expiresAt = reservedAt + length;
      const submittedAt = reservedAt + submittedAfter;
      // Heartbeats come before the submission, and none is recorded past the reservation.
      const recorded = beats
        .map((beat) => reservedAt + beat)
        .filter((at) => at <= expiresAt && at <= submittedAt)
        .sort((a, b) => a - b);
      const time = foldAll({ activeMs: 0, lastAt: reservedAt }, recorded);
      return {
        reservedAt,
        expiresAt,
        recorded,
        submittedAt,
        stored: { reservedAt, expiresAt, activeMs: time.activeMs, lastActiveAt: time.lastAt },
      };
    });

  it("runs from the reservation through its heartbeats to the submission or the reservation's end", () => {
    fc.assert(
      fc.property(reservation, ({ reservedAt, expiresAt, recorded, submittedAt, stored }) => {
        const measured = measureReservation(stored, submittedAt);
        const endAt = Math.min(submittedAt, expiresAt);
        expect(measured.wallMs).toBe(endAt - reservedAt);
        expect(measured.activeMs).toBe(activeTimeOf([reservedAt, ...recorded, endAt]));
        expect(measured.activeMs).toBeLessThanOrEqual(measured.wallMs);
      }),
    );
  });

  it("without heartbeats (a script) is the reservation's wall time, up to one threshold", () => {
    const reservedAt = 1_000_000;
    const stored = { reservedAt, expiresAt: reservedAt + 30 * minute, activeMs: 0 };
    expect(measureReservation({ ...stored, lastActiveAt: null }, reservedAt + 46_000)).toEqual({
      activeMs: 46_000,
      wallMs: 46_000,
    });
    expect(measureReservation({ ...stored, lastActiveAt: null }, reservedAt + 7 * minute)).toEqual({
      activeMs: IDLE_THRESHOLD_MS,
      wallMs: 7 * minute,
    });
    // Instants of an earlier reservation of the same item do not count towards this one.
    expect(
      measureReservation(
        { ...stored, activeMs: 500_000, lastActiveAt: reservedAt - 1 },
        reservedAt + 10_000,
      ),
    ).toEqual({ activeMs: 10_000, wallMs: 10_000 });
    // Submitted a day late: measured up to the reservation's end.
    expect(
      measureReservation({ ...stored, lastActiveAt: null }, reservedAt + 24 * 60 * minute).wallMs,
    ).toBe(30 * minute);
  });

  it("bounds the client's claim by the wall time and by the measured time plus a threshold", () => {
    fc.assert(
      fc.property(
        reservation,
        fc.option(fc.integer({ min: 0, max: 24 * 60 * minute }), { nil: undefined }),
        ({ submittedAt, stored }, claim) => {
          const measured = measureReservation(stored, submittedAt);
          const bounded = boundClaim(claim, measured);
          if (claim === undefined) {
            expect(bounded).toBeNull();
            return;
          }
          expect(bounded).toBeLessThanOrEqual(claim);
          expect(bounded).toBeLessThanOrEqual(measured.wallMs);
          expect(bounded).toBeLessThanOrEqual(measured.activeMs + IDLE_THRESHOLD_MS);
          expect(bounded).toBe(Math.min(claim, claimBoundMs(measured)));
          if (claim <= claimBoundMs(measured)) expect(bounded).toBe(claim);
        },
      ),
    );
  });

  it("keeps the seven-day claim on an item reserved seconds earlier to those seconds", () => {
    const measured = { activeMs: 4_000, wallMs: 4_000 };
    expect(boundClaim(7 * 24 * 60 * minute, measured)).toBe(4_000);
    expect(boundClaim(3_000, measured)).toBe(3_000);
  });
});
