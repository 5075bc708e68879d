/**
 * Working time as the server measures it (docs/decisions/021-working-time.md). A person's work
 * on something — a reserved item, a room, a review — leaves activity instants on the server: the
 * reservation, each draft save or heartbeat, each presence change or edit in a room, the
 * submission, publish or decision. Active time is the sum of the gaps between consecutive
 * instants, each gap counted up to the idle threshold: a pause shorter than it is work (reading,
 * thinking), and of a longer one only the threshold is, since the person was at work when the
 * gap began and left at some point within it.
 *
 * Instants are folded into a running total as they arrive, which needs no list of instants: the
 * total and the latest instant are all the state there is. Pure: no clock, no I/O.
 */

/** A gap between two activity instants counts as work up to this much. */
export const IDLE_THRESHOLD_MS = 120_000;

/**
 * How often, at most, a page tells the server that the person is active (heartbeats, presence):
 * well below the idle threshold, so that steady work never looks like a pause.
 */
export const ACTIVITY_SIGNAL_INTERVAL_MS = 15_000;

/** The largest working time a client may claim for one label; more is refused. */
export const MAX_CLAIMED_DURATION_MS = 24 * 3_600_000;

/** Times are stored in PostgreSQL `integer` columns. */
export const MAX_STORED_MS = 2_147_483_647;

/** Active time after a sequence of instants: the running total and the latest instant. */
export interface ActiveTime {
  activeMs: number;
  /** Milliseconds since the epoch; null before the first instant. */
  lastAt: number | null;
}

export const NO_ACTIVITY: ActiveTime = { activeMs: 0, lastAt: null };

/** What a gap between two instants adds: nothing when negative, at most the idle threshold. */
export function gapCredit(gapMs: number): number {
  return Math.min(IDLE_THRESHOLD_MS, Math.max(0, gapMs));
}

function bounded(ms: number): number {
  return Math.min(MAX_STORED_MS, Math.round(ms));
}

/**
 * Adds one instant. An instant earlier than the latest (two requests crossing) adds nothing and
 * does not move the latest back.
 */
export function addInstant(time: ActiveTime, at: number): ActiveTime {
  if (time.lastAt === null) return { activeMs: time.activeMs, lastAt: at };
  if (at <= time.lastAt) return time;
  return { activeMs: bounded(time.activeMs + gapCredit(at - time.lastAt)), lastAt: at };
}

/** The active time of a set of instants, in any order: the definition the folds must meet. */
export function activeTimeOf(instants: readonly number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let total = 0;
  for (let index = 1; index < sorted.length; index++) {
    total += gapCredit(sorted[index] - sorted[index - 1]);
  }
  return bounded(total);
}

/**
 * Instants gathered in memory between two writes to the database (a room's presence and edits):
 * the first and latest instant and the active time between them.
 */
export interface ActivityRun {
  firstAt: number;
  lastAt: number;
  activeMs: number;
}

export function extendRun(run: ActivityRun | null, at: number): ActivityRun {
  if (run === null) return { firstAt: at, lastAt: at, activeMs: 0 };
  const next = addInstant({ activeMs: run.activeMs, lastAt: run.lastAt }, at);
  return { firstAt: run.firstAt, lastAt: next.lastAt ?? at, activeMs: next.activeMs };
}

/**
 * Adds a run to a stored total. A run that begins at or after the stored latest instant adds
 * exactly what its instants would have one by one. One that begins earlier (the same person
 * active through two instances at once) overlaps time already counted: it adds only its time
 * after the stored latest instant, and never more than its own active time.
 */
export function foldRun(time: ActiveTime, run: ActivityRun): ActiveTime {
  if (time.lastAt === null) {
    return { activeMs: bounded(time.activeMs + run.activeMs), lastAt: run.lastAt };
  }
  if (run.firstAt >= time.lastAt) {
    return {
      activeMs: bounded(time.activeMs + gapCredit(run.firstAt - time.lastAt) + run.activeMs),
      lastAt: run.lastAt,
    };
  }
  const after = Math.max(0, run.lastAt - time.lastAt);
  return {
    activeMs: bounded(time.activeMs + Math.min(run.activeMs, after)),
    lastAt: Math.max(time.lastAt, run.lastAt),
  };
}

/** Two runs of one person, the earlier first, as one (a run kept after a failed write). */
export function joinRuns(earlier: ActivityRun, later: ActivityRun): ActivityRun {
  const joined = foldRun({ activeMs: earlier.activeMs, lastAt: earlier.lastAt }, later);
  return {
    firstAt: Math.min(earlier.firstAt, later.firstAt),
    lastAt: joined.lastAt ?? later.lastAt,
    activeMs: joined.activeMs,
  };
}

/** A label's measured working time, and the wall time it lies within. */
export interface MeasuredWork {
  activeMs: number;
  /** From the reservation to the end of the work (the submission, or the reservation's end). */
  wallMs: number;
}

/**
 * The working time of a reserved item: from the reservation, through the instants recorded
 * while it was held, to `endAt` — the submission, or the reservation's expiry when the
 * submission came later (work past the reservation is not measured).
 */
export function measureReservation(
  reservation: {
    reservedAt: number;
    expiresAt: number;
    activeMs: number;
    lastActiveAt: number | null;
  },
  submittedAt: number,
): MeasuredWork {
  const endAt = Math.max(reservation.reservedAt, Math.min(submittedAt, reservation.expiresAt));
  const end = addInstant(reservationTime(reservation), endAt);
  return {
    activeMs: Math.min(end.activeMs, endAt - reservation.reservedAt),
    wallMs: bounded(endAt - reservation.reservedAt),
  };
}

/**
 * A reservation's active time so far. Instants before the reservation belong to an earlier
 * reservation of the same item, which expired: the count starts again at this one.
 */
export function reservationTime(reservation: {
  reservedAt: number;
  activeMs: number;
  lastActiveAt: number | null;
}): ActiveTime {
  if (reservation.lastActiveAt === null || reservation.lastActiveAt < reservation.reservedAt) {
    return { activeMs: 0, lastAt: reservation.reservedAt };
  }
  return { activeMs: reservation.activeMs, lastAt: reservation.lastActiveAt };
}

/**
 * The most working time a client may claim for a label: never more than the wall time of the
 * reservation, nor more than the measured active time plus one idle threshold (the margin for a
 * reader who sent no signal for a while).
 */
export function claimBoundMs(measured: MeasuredWork): number {
  return Math.min(measured.wallMs, measured.activeMs + IDLE_THRESHOLD_MS);
}

/** The client's claim as stored: within the bound, or null when there was no claim. */
export function boundClaim(claimMs: number | undefined, measured: MeasuredWork): number | null {
  if (claimMs === undefined) return null;
  return Math.min(claimMs, claimBoundMs(measured));
}

/** The sum of people's times, as one `integer` column holds it. */
export function totalTime(times: ReadonlyArray<{ activeMs: number }>): number {
  return bounded(times.reduce((sum, time) => sum + time.activeMs, 0));
}
