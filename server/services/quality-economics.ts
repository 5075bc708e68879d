import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import { type AnswerOutcome } from "../../app/domain/accuracy.ts";
import {
  EconomicsTallies,
  projectEconomics,
  rollUp,
  type CostedItem,
  type GroupEconomics,
  type ProjectEconomics,
} from "../../app/domain/cost.ts";
import {
  estimated,
  notEstimable,
  type Estimate,
  type UndefinedReason,
} from "../../app/domain/estimate.ts";
import type { Label } from "../../app/domain/template.ts";
import type { AnnotatorLevel, Database, ProjectRole, ReviewVerdict } from "../../db/schema.ts";
import { loadProjectModel, type ProjectModel } from "./project-model.ts";
import {
  AgreementTallies,
  fieldAgreementSteps,
  finished,
  type FieldAgreement,
} from "./quality-agreement.ts";
import { DailyTallies, qualityOverTime, type DailyQuality } from "./quality-over-time.ts";
import { categoricalModelSteps, ModelTallies, type CategoricalModel } from "./quality-models.ts";
import { patchKeptRows, readKeptRows, type KeptRows } from "./quality-rows.ts";

/** Everyone whose work the quality figures count: annotators, panel members, reviewers. */
export interface Worker {
  id: number;
  name: string;
  level: AnnotatorLevel | null;
  domains: string[];
  rateCentsPerHour: number | null;
  role: ProjectRole | null;
}

/** An independent label as the quality figures read it. */
export interface QualityLabel {
  itemId: number;
  userId: number;
  label: Label;
  rejected: boolean;
  activeMs: number | null;
  /** The item's gold label; null on items that are not gold. */
  goldLabel: Label | null;
}

export interface QualityReview {
  userId: number;
  verdict: ReviewVerdict;
}

/**
 * One read of everything a project's quality figures come from, in a fixed number of queries
 * whatever the number of items: labels, final labels, versions with their panel's time, reviews
 * with their reviewers' time, and the people with their rates.
 */
export interface QualityData {
  labels: QualityLabel[];
  reviews: QualityReview[];
  workers: Map<number, Worker>;
  items: Array<ReadItem>;
}

/** An item's costed parts, with its id and when its latest label was submitted (null: none). */
export interface ReadItem extends CostedItem<number> {
  id: number;
  lastLabelAt: Date | null;
}

/**
 * With `labels: false` (costs only) the labels' contents are not read: no label, consensus or
 * version label is parsed, and every label and final label is the empty label.
 */
export async function readQualityData(
  db: Kysely<Database>,
  project: ProjectModel,
  options: { labels: boolean } = { labels: true },
): Promise<QualityData> {
  return (await readKeptRows(db, project.id, options)).data;
}

/**
 * Each annotator's reliability by Dawid–Skene: the expected share of their labels that are
 * correct, pooled over the project's single choice fields and the directions of its preference
 * fields (one model per field, each annotator's expected correct labels added up over fields).
 * Counted labels of items that are not gold, as agreement reads them.
 */
export interface Reliability {
  /** Expected correct labels and labels per person, over the fields the model could be fitted. */
  byPerson: Map<number, { expectedCorrect: number; labels: number }>;
  /** Why there is no figure for someone with no label in a fitted model. */
  reason: UndefinedReason;
}

export function reliabilityOf(models: ReadonlyArray<CategoricalModel>): Reliability {
  const byPerson = new Map<number, { expectedCorrect: number; labels: number }>();
  let reason: UndefinedReason | null = null;
  for (const { model } of models) {
    if (model.value === null) {
      reason ??= model.reason;
      continue;
    }
    for (const annotator of model.value.annotators) {
      const sum = byPerson.get(annotator.annotator) ?? { expectedCorrect: 0, labels: 0 };
      sum.expectedCorrect += annotator.accuracy * annotator.labels;
      sum.labels += annotator.labels;
      byPerson.set(annotator.annotator, sum);
    }
  }
  return { byPerson, reason: reason ?? "no-data" };
}

/** The reliability of a person or of a group of people: their expected correct share, pooled. */
export function pooledReliability(
  reliability: Reliability,
  people: ReadonlyArray<number>,
): Estimate<number> {
  let expectedCorrect = 0;
  let labels = 0;
  for (const person of people) {
    const sum = reliability.byPerson.get(person);
    if (!sum) continue;
    expectedCorrect += sum.expectedCorrect;
    labels += sum.labels;
  }
  return labels === 0 ? notEstimable(reliability.reason) : estimated(expectedCorrect / labels);
}

/**
 * The outcomes of each kept item's labels against its final label, under the template and
 * policy (serialised) they were judged by: most items are unchanged between two computations.
 */
const outcomesOfItem = new WeakMap<
  CostedItem<number>,
  { judgedBy: string; outcomes: Array<Record<string, AnswerOutcome>> }
>();

/**
 * The outcomes of an item's labels against its final label, kept with the item: judged once
 * per template and policy, for the economics and quality over time alike.
 */
function keptOutcomesAgainstFinal(project: Pick<ProjectModel, "template" | "disputePolicy">) {
  const judgedBy = JSON.stringify([project.template, project.disputePolicy]);
  return (
    item: CostedItem<number>,
    judge: () => Array<Record<string, AnswerOutcome>>,
  ): Array<Record<string, AnswerOutcome>> => {
    const judged = outcomesOfItem.get(item);
    if (judged?.judgedBy === judgedBy) return judged.outcomes;
    const outcomes = judge();
    outcomesOfItem.set(item, { judgedBy, outcomes });
    return outcomes;
  };
}

export interface QualityEconomics {
  data: QualityData;
  economics: ProjectEconomics<number>;
  groups: { byLevel: GroupEconomics[]; byDomain: GroupEconomics[] };
  /** The people of each group, by level and by domain (null: none). */
  groupPeople: { byLevel: Map<string | null, number[]>; byDomain: Map<string | null, number[]> };
}

const ratesOf = (data: QualityData) =>
  [...data.workers.values()].map((worker) => ({
    person: worker.id,
    rateCentsPerHour: worker.rateCentsPerHour,
  }));

/**
 * A project's quality economics (docs/decisions/023 and 024): every person's, group's, field's
 * and the project's accuracy and cost, in one pass over the data. Groups are made of the people
 * `projectEconomics` lists, by the level and domains they have now.
 */
export function qualityEconomicsOf(
  project: ProjectModel,
  data: QualityData,
  patch?: Pick<Parameters<typeof projectEconomics<number>>[0], "tallies" | "changed">,
): QualityEconomics {
  const economics = projectEconomics({
    template: project.template,
    policy: project.disputePolicy,
    rates: ratesOf(data),
    items: data.items,
    gold: { ratingTolerance: project.settings.goldRatingTolerance },
    // An item read again is a new object; one kept from an earlier read keeps its outcomes.
    againstFinal: keptOutcomesAgainstFinal(project),
    ...patch,
  });
  const members = economics.people.map((person) => {
    const worker = data.workers.get(person.person);
    return {
      person: person.person,
      tally: person.tally,
      level: worker?.level ?? null,
      domains: worker?.domains ?? [],
    };
  });
  const byLevel = new Map<string | null, number[]>();
  const byDomain = new Map<string | null, number[]>();
  for (const member of members) {
    byLevel.set(member.level, [...(byLevel.get(member.level) ?? []), member.person]);
    const domains = member.domains.length === 0 ? [null] : [...new Set(member.domains)];
    for (const domain of domains)
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), member.person]);
  }
  return {
    data,
    economics,
    groups: rollUp(members),
    groupPeople: { byLevel, byDomain },
  };
}

/** Reads and computes a project's quality economics. */
export async function readQualityEconomics(
  db: Kysely<Database>,
  project: ProjectModel,
): Promise<QualityEconomics> {
  return qualityEconomicsOf(project, await readQualityData(db, project));
}

/**
 * Everything the quality endpoint shows, before it is cut to what the viewer may see: the
 * economics, and (computed on first use, since the progress endpoint needs only costs) the
 * Dawid–Skene reliability and the agreement per field.
 */
export interface QualityComputation extends QualityEconomics {
  models(): CategoricalModel[];
  reliability(): Reliability;
  agreements(): FieldAgreement[];
  /** The daily series of the last 30 days as of when the figures were computed. */
  overTime(): DailyQuality[];
}

/**
 * How old the figures a caller is given may be. By default they are never older than the data at
 * the request. With `maxStaleMs`, a project whose figures took at least `slowComputationMs` to
 * compute is answered at once with the figures it has, as long as the data were last seen to
 * match them no more than `maxStaleMs` before the request, while one recomputation runs behind;
 * past that bound the request waits for figures of the data as they are.
 */
export interface Freshness {
  maxStaleMs: number;
  /** 500 ms unless given: below it the figures are computed afresh, exact at the request. */
  slowComputationMs?: number;
  /**
   * Given, a slow project's figures are kept within the bound in the background for
   * `refreshForMs` after each request, until this signal (the server's closing) aborts: the
   * fingerprint is checked every half bound and the figures recomputed once it changed, so that
   * a request after a quiet spell is not the one that waits for the computation.
   */
  refreshUntil?: AbortSignal;
  /** How long after its last request a project is kept fresh: `KEPT_FRESH_MS` unless given. */
  refreshForMs?: number;
}

export const EXACT: Freshness = { maxStaleMs: 0 };
/**
 * Half a second: a request within a bound never waits for more computation than this (decision
 * 031), and figures slower than this from nothing are stored (decision 032).
 */
export const SLOW_COMPUTATION_MS = 500;

/** Figures of one project, kept with the fingerprint of the data they were computed from. */
interface Kept<Figures> {
  fingerprint: string;
  figures: Promise<Figures>;
  /** When the data were last seen to have this fingerprint (ms since the epoch). */
  matchedAt: number;
  /** How long the figures took to compute; null until they are. */
  computeMs: number | null;
  /**
   * For figures patched from earlier ones, what computing the first of them from nothing took
   * (null for figures computed from nothing): what a process holding nothing would pay, while a
   * patch may take a fraction of it.
   */
  fromNothingMs: number | null;
  /** The recomputation running behind these figures while they are served stale. */
  next: Kept<Figures> | null;
  /** The figures once computed, for the next computation to start from. */
  settled: Figures | null;
}

/**
 * Figures with parts computed on first use (a caller that needs one part does not wait for the
 * others): a computation behind kept figures completes them, and their time counts towards
 * whether the figures are slow to compute.
 */
export interface PartsOnFirstUse<Figures> {
  /** Computes every part, letting other work run between two parts. */
  complete(figures: Figures): Promise<void>;
  /** Time spent so far computing the figures' parts. */
  spentMs(figures: Figures): number;
}

/** Projects whose figures are kept, per database and kind, the most recently asked for last. */
export const KEPT_PROJECTS = 16;

/** The map of one database in `maps`, made on first use. */
export function projectsOf<Value>(
  maps: WeakMap<Kysely<Database>, Map<number, Value>>,
  db: Kysely<Database>,
): Map<number, Value> {
  let projects = maps.get(db);
  if (!projects) {
    projects = new Map();
    maps.set(db, projects);
  }
  return projects;
}

/** Keeps a project's entry as the most recently asked for, and forgets the oldest past the few. */
function keepLatest<Entry>(cache: Map<number, Entry>, projectId: number, entry: Entry): void {
  cache.delete(projectId);
  cache.set(projectId, entry);
  for (const oldest of cache.keys()) {
    if (cache.size <= KEPT_PROJECTS) break;
    cache.delete(oldest);
  }
}

/** How long after its last request with `refreshUntil` a slow project is kept fresh. */
const KEPT_FRESH_MS = 10 * 60_000;

/**
 * Figures of a project computed once and kept (per process, for the last few projects asked for)
 * until the data they come from change: a 100,000-item project takes seconds to read and
 * compute, and the quality page and progress are asked for far more often than the data change.
 * Each call reads the fingerprint first, so that, whichever process of the application wrote,
 * nobody is shown figures older than the data at their request, or than the bound `Freshness`
 * allows. A computation is given the project's latest computed figures (`base`, null if none) to
 * start from: the rows they were read from are patched rather than read again (decision 031).
 */
export function keeper<Figures extends object>(
  compute: (db: Kysely<Database>, project: ProjectModel, base: Figures | null) => Promise<Figures>,
  parts?: PartsOnFirstUse<Figures>,
) {
  const kept = new WeakMap<Kysely<Database>, Map<number, Kept<Figures>>>();
  /** The entry each computed figures were kept under, for `describe`. */
  const entryOf = new WeakMap<Figures, Kept<Figures>>();
  /** The projects kept fresh in the background, per database, with when each was last asked for. */
  const refreshed = new WeakMap<Kysely<Database>, Map<number, number>>();
  const start = (
    db: Kysely<Database>,
    projectId: number,
    fingerprint: string,
    matchedAt: number,
    base: Figures | null,
    behind: boolean,
  ): Kept<Figures> => {
    const started = performance.now();
    // The project is read after the fingerprint, so that the template and settings the figures
    // are computed under are never older than the fingerprint they are kept under.
    const figures = loadProjectModel(db, projectId)
      .then((project) => compute(db, project, base))
      .then(async (computed) => {
        entry.computeMs = performance.now() - started;
        // Nobody waits for a computation behind the kept figures: it computes every part, so
        // that the request that takes its figures over finds them complete.
        if (behind) await parts?.complete(computed);
        entry.settled = computed;
        entryOf.set(computed, entry);
        return computed;
      });
    figures.catch(() => undefined);
    const patched = base ? entryOf.get(base) : undefined;
    const entry: Kept<Figures> = {
      fingerprint,
      figures,
      matchedAt,
      computeMs: null,
      fromNothingMs: patched ? (patched.fromNothingMs ?? costMs(patched)) : null,
      next: null,
      settled: null,
    };
    return entry;
  };
  /** What the kept figures cost to compute, the parts computed on first use included. */
  const costMs = (entry: Kept<Figures>): number | null =>
    entry.computeMs === null
      ? null
      : entry.computeMs + (parts && entry.settled ? parts.spentMs(entry.settled) : 0);

  const figuresOf = async (
    db: Kysely<Database>,
    projectId: number,
    freshness: Freshness,
    asker: "request" | "refresh",
    readFingerprint?: string,
    waitedSince?: number,
  ): Promise<Figures> => {
    const requestedAt = waitedSince ?? Date.now();
    const fingerprint = readFingerprint ?? (await qualityFingerprint(db, projectId));
    const cache = projectsOf(kept, db);
    const keep = (entry: Kept<Figures>) => keepLatest(cache, projectId, entry);
    const forget = (entry: Kept<Figures>) => () => {
      if (cache.get(projectId) === entry) cache.delete(projectId);
    };

    const entry = cache.get(projectId);
    if (entry && entry.fingerprint === fingerprint) {
      entry.matchedAt = Math.max(entry.matchedAt, requestedAt);
      keep(entry);
      return entry.figures;
    }
    const slow = freshness.slowComputationMs ?? SLOW_COMPUTATION_MS;
    const entryMs = entry ? costMs(entry) : null;
    if (
      entry &&
      entryMs !== null &&
      entryMs >= slow &&
      requestedAt - entry.matchedAt <= freshness.maxStaleMs
    ) {
      if (!entry.next) {
        const next = start(db, projectId, fingerprint, requestedAt, entry.settled, true);
        entry.next = next;
        next.figures.then(
          () => {
            if (cache.get(projectId) === entry) cache.set(projectId, next);
          },
          () => {
            if (entry.next === next) entry.next = null;
          },
        );
      }
      keep(entry);
      return entry.figures;
    }
    if (entry?.next && entry.next.fingerprint === fingerprint) {
      keep(entry.next);
      return entry.next.figures;
    }
    // A computation of older data is under way (one ahead, or one behind kept figures): its rows
    // are the ones to patch, so this one waits for it rather than read the whole project again.
    // Once only: figures that failed stay unsettled.
    if (entry && entry.settled === null && waitedSince === undefined) {
      await entry.figures.catch(() => undefined);
      return figuresOf(db, projectId, freshness, asker, fingerprint, requestedAt);
    }
    const computed = start(
      db,
      projectId,
      fingerprint,
      requestedAt,
      entry?.settled ?? null,
      asker === "refresh",
    );
    computed.figures.catch(forget(computed));
    keep(computed);
    return computed.figures;
  };

  /**
   * Checks a slow project's fingerprint every half bound, as a request would, until it has not
   * been asked for in `refreshForMs`, it computes fast, or the signal aborts. One loop per
   * project and database; a request while it runs only moves its deadline.
   */
  const keepFresh = (
    db: Kysely<Database>,
    projectId: number,
    { refreshUntil, ...bound }: Freshness & { refreshUntil: AbortSignal },
    requestedAt: number,
  ) => {
    const askedFor = projectsOf(refreshed, db);
    const running = askedFor.has(projectId);
    askedFor.set(projectId, Math.max(askedFor.get(projectId) ?? 0, requestedAt));
    if (running) return;
    const slow = bound.slowComputationMs ?? SLOW_COMPUTATION_MS;
    const tick = async () => {
      const entry = kept.get(db)?.get(projectId);
      const entryMs = entry ? costMs(entry) : null;
      const computesFast = entryMs !== null && entryMs < slow;
      const idleMs = Date.now() - (askedFor.get(projectId) ?? 0);
      const refreshForMs = bound.refreshForMs ?? KEPT_FRESH_MS;
      if (refreshUntil.aborted || idleMs > refreshForMs || !entry || computesFast) {
        askedFor.delete(projectId);
        return;
      }
      try {
        await figuresOf(db, projectId, bound, "refresh");
      } catch {
        // The database closed or failed; the next request computes as without this loop.
        askedFor.delete(projectId);
        return;
      }
      setTimeout(() => void tick(), bound.maxStaleMs / 2).unref();
    };
    setTimeout(() => void tick(), bound.maxStaleMs / 2).unref();
  };

  /**
   * The project's figures within `freshness`. A caller that has just read the fingerprint for
   * another keeper passes it (`fingerprint`), so that one request reads it once: read before
   * either computation reads its data, it is never newer than the data they are computed from.
   */
  const figuresFor = async (
    db: Kysely<Database>,
    project: ProjectModel,
    freshness: Freshness = EXACT,
    fingerprint?: string,
  ): Promise<Figures> => {
    const requestedAt = Date.now();
    const figures = await figuresOf(db, project.id, freshness, "request", fingerprint);
    const { refreshUntil } = freshness;
    if (refreshUntil && !refreshUntil.aborted && freshness.maxStaleMs > 0) {
      keepFresh(db, project.id, { ...freshness, refreshUntil }, requestedAt);
    }
    return figures;
  };
  /** Per database, the projects being computed ahead, and whether their data changed since. */
  const ahead = new WeakMap<
    Kysely<Database>,
    Map<number, { again: boolean; done: Promise<void> }>
  >();
  return Object.assign(figuresFor, {
    /**
     * Brings the project's figures up to its data in the background, as the check that keeps
     * them fresh does (decision 031), ahead of a request: after data arrived in bulk (an import),
     * so that the first request after it does not wait for a large project's computation. One run
     * per project at a time; a call while one runs has it run once more after. Settles when the
     * run ends, never with an error.
     */
    computeAhead(
      db: Kysely<Database>,
      projectId: number,
      bound: Freshness & { refreshUntil: AbortSignal },
    ): Promise<void> {
      const computing = projectsOf(ahead, db);
      const running = computing.get(projectId);
      if (running) {
        running.again = true;
        return running.done;
      }
      const state = { again: true, done: Promise.resolve() };
      computing.set(projectId, state);
      const run = async () => {
        try {
          while (state.again && !bound.refreshUntil.aborted) {
            state.again = false;
            await figuresOf(db, projectId, bound, "refresh");
          }
        } catch {
          // The database closed or failed: the next request computes as without this.
        } finally {
          computing.delete(projectId);
        }
      };
      state.done = run();
      return state.done;
    },
    /**
     * Whether this process holds computed figures of the project, current or not, or, given a
     * fingerprint, figures of the data that have it.
     */
    holds(db: Kysely<Database>, projectId: number, fingerprint?: string): boolean {
      const entry = kept.get(db)?.get(projectId);
      return (
        entry?.settled != null && (fingerprint === undefined || entry.fingerprint === fingerprint)
      );
    },
    /** The projects this process holds computed figures of, current or not. */
    heldProjects(db: Kysely<Database>): number[] {
      return [...(kept.get(db) ?? [])].flatMap(([projectId, entry]) =>
        entry.settled === null ? [] : [projectId],
      );
    },
    /**
     * Starts computing the project's figures behind, every part included, unless they are kept
     * or being computed: figures read from elsewhere are served meanwhile, and the next change
     * is then patched into kept rows rather than waiting for a full read.
     */
    warm(db: Kysely<Database>, projectId: number, fingerprint: string, seenAt: number): void {
      const cache = projectsOf(kept, db);
      if (cache.has(projectId)) return;
      const entry = start(db, projectId, fingerprint, seenAt, null, true);
      entry.figures.catch(() => {
        if (cache.get(projectId) === entry) cache.delete(projectId);
      });
      keepLatest(cache, projectId, entry);
    },
    /**
     * What computed figures were kept under: the fingerprint of their data, when the data were
     * last seen to have it, and what they cost to compute (parts included); null for figures
     * still being computed.
     */
    describe(
      figures: Figures,
    ): { fingerprint: string; matchedAt: number; computeMs: number; fromNothingMs: number } | null {
      const entry = entryOf.get(figures);
      const computeMs = entry ? costMs(entry) : null;
      if (!entry || computeMs === null) return null;
      const fromNothingMs = entry.fromNothingMs ?? computeMs;
      return {
        fingerprint: entry.fingerprint,
        matchedAt: entry.matchedAt,
        computeMs,
        fromNothingMs,
      };
    },
  });
}

/**
 * What the figures of a project depend on, in one query that reads no label: a change to any of
 * it changes the answer, and the figures are computed again.
 *
 * - The project's row (template, policy, settings): its `updated_at`.
 * - The project's event log (decision 012): its latest id. Every label submitted, review decided
 *   (rejection, reviewer time), version published (panel time, final label), reopening and import
 *   (items, gold, labels) writes an event in its own transaction, and ids grow in commit order.
 * - Its items: how many, and the sum of their `updated_at` from the index. Every change of status
 *   sets it, including those without an event (a consensus reached, a room opened); a sum, unlike
 *   a maximum, moves when a transaction that began earlier commits later.
 * - Its audit log: how many entries, and the latest. A revision of a label writes no event, but
 *   writes an entry in its transaction.
 * - Its members and their roles, and the name, level, domains and rate of everyone who takes part
 *   in it (`project_participants`: every member it ever had, and, by triggers, everyone whose
 *   label, panel time or review time it stores). Few rows, read whole, since working out who
 *   worked on the project from its rows would read every label; people who never took part in
 *   the project can change without making its figures stale.
 * - The UTC day, since quality over time is the last 30 days as of the computation.
 */
export async function qualityFingerprint(db: Kysely<Database>, projectId: number): Promise<string> {
  return (await fingerprintParts(db, projectId, null)).fingerprint;
}

/**
 * The fingerprint, with, in the same snapshot, how many of the project's events have an id
 * above `eventsAfter` (null: not counted). A write that computes figures before its commit,
 * when its events have no final id yet, tells by them whether the fingerprint others read once
 * it committed is that of the same data (`fingerprintOfSameData`).
 */
export async function fingerprintParts(
  db: Kysely<Database>,
  projectId: number,
  eventsAfter: number | null,
): Promise<FingerprintParts> {
  const eventsCounted =
    eventsAfter === null
      ? sql`0`
      : sql`(select count(*) from project_events
              where project_id = ${projectId} and id > ${eventsAfter})`;
  const { rows } = await sql<FingerprintRow>`
    select
      ${eventsCounted}::text as events,
      (select coalesce(max(id), 0) from project_events where project_id = ${projectId})::text
        as latest_event,
      concat_ws('|',
        (select count(*) || ':'
            || coalesce(sum((extract(epoch from updated_at) * 1000000)::bigint), 0)
          from items where project_id = ${projectId}),
        (select count(*) || ':' || coalesce(max(created_at)::text, '') from audit_log
          where project_id = ${projectId}),
        (select md5(coalesce(string_agg(user_id || ':' || role, ';' order by user_id), ''))
          from project_members where project_id = ${projectId}),
        (select md5(coalesce(string_agg(concat_ws(':', id, hourly_rate_cents, level,
            array_to_string(domains, ','), name), ';' order by id), ''))
          from users
          where id in (select user_id from project_participants
                       where project_id = ${projectId}))
      ) as rest,
      (select updated_at::text from projects where id = ${projectId}) as project`.execute(db);
  const row = rows[0] as FingerprintRow;
  const day = new Date().toISOString().slice(0, 10);
  return {
    fingerprint: [row.project, row.latest_event, row.rest, day].join("|"),
    withoutEvents: [row.project, row.rest, day].join("|"),
    eventsAfter: eventsAfter === null ? null : { afterId: eventsAfter, count: Number(row.events) },
  };
}

interface FingerprintRow {
  events: string;
  latest_event: string;
  rest: string;
  project: string | null;
}

export interface FingerprintParts {
  fingerprint: string;
  /** The fingerprint without the project's latest event id. */
  withoutEvents: string;
  eventsAfter: { afterId: number; count: number } | null;
}

/**
 * Whether fingerprints read before and after a commit are of the same data: the same but for
 * the latest event id, and no event committed in between. Events take their ids at commit, so
 * the fingerprint a transaction reads of its own writes differs from the one read after it in
 * that id alone; events are never deleted, so their count above an id known before the writes
 * tells whether another committed meanwhile.
 */
export function fingerprintOfSameData(before: FingerprintParts, after: FingerprintParts): boolean {
  return (
    before.withoutEvents === after.withoutEvents &&
    before.eventsAfter !== null &&
    after.eventsAfter !== null &&
    before.eventsAfter.afterId === after.eventsAfter.afterId &&
    before.eventsAfter.count === after.eventsAfter.count
  );
}

/**
 * Everything the quality endpoint shows, kept until the project's data change, and recomputed
 * from the kept rows patched with what changed.
 */
export const projectQualityComputation = keeper(
  async (db, project, base): Promise<QualityComputation> => {
    const before = base ? kept.get(base) : undefined;
    const rows = before
      ? await patchKeptRows(db, project.id, before.rows)
      : await readKeptRows(db, project.id);
    // The base's sums and counts are patched with the changed items rather than every item
    // counted again, unless every item was read anew; the first computation to take them has
    // them. The models' counts are taken only once the base has finished with them.
    const changedRows = rows.full
      ? undefined
      : [...rows.changed].map((id) => ({ before: rows.before.get(id), after: rows.rows.get(id) }));
    const economicsTallies = (changedRows && before?.economics) || new EconomicsTallies<number>();
    const baseModels = changedRows && before?.modelsComputed() ? before.models : undefined;
    if (before) {
      before.economics = undefined;
      if (baseModels) before.models = undefined;
    }
    const economics = qualityEconomicsOf(project, rows.data, {
      tallies: economicsTallies,
      changed:
        economicsTallies.basis === undefined
          ? undefined
          : changedRows?.map((change) => ({
              before: change.before?.item,
              after: change.after?.item,
            })),
    });
    const modelTallies = baseModels ?? new ModelTallies();
    const state: KeptComputation = {
      rows,
      economics: economicsTallies,
      models: modelTallies,
      modelsComputed: () => models.done,
      overTime: undefined,
      tallies: undefined,
      agreementsComputed: () => agreements.done,
      partsMs: 0,
      complete: async () => {
        await models.complete();
        await agreements.complete();
        await nextTurn();
        computation.overTime();
      },
    };
    const spend = (ms: number) => {
      state.partsMs += ms;
    };
    const models = new PartInSteps(
      () =>
        categoricalModelSteps(
          project.template,
          rows.rows.values(),
          modelTallies,
          baseModels ? changedRows : undefined,
        ),
      spend,
    );
    // The base's counts are patched rather than all items counted again, once the base is done
    // with them and unless every item was read anew (decision 033); this computation's steps,
    // however many are started, share them.
    let counted = rows.full ? undefined : before;
    const agreements = new PartInSteps(() => {
      if (!state.tallies) {
        state.tallies =
          (counted?.agreementsComputed() ? counted.tallies : undefined) ?? new AgreementTallies();
        if (counted?.tallies === state.tallies) counted.tallies = undefined;
        counted = undefined;
      }
      return fieldAgreementSteps(project, rows.rows.values(), state.tallies);
    }, spend);
    let reliability: Reliability | undefined;
    const computation: QualityComputation = {
      ...economics,
      models: () => models.get(),
      reliability: () => (reliability ??= reliabilityOf(models.get())),
      agreements: () => agreements.get(),
      overTime: () => {
        if (!state.overTime) {
          const started = performance.now();
          state.overTime = overTimeNow();
          spend(performance.now() - started);
        }
        return state.overTime.days;
      },
    };
    // The base's day counts are patched rather than every item counted again, unless every
    // item was read anew; the first computation to take them has them.
    // Only the base's quality over time is held, not the base itself: computations do not chain
    // to every one before them.
    const baseOverTime = rows.full ? undefined : before?.overTime;
    const overTimeNow = () => {
      const base = baseOverTime;
      const taken = base?.tallies;
      if (base) base.tallies = undefined;
      const tallies = taken ?? new DailyTallies();
      const days = qualityOverTime(project, economics.data, {
        tallies,
        changed: taken ? rows.changed : undefined,
        againstFinal: keptOutcomesAgainstFinal(project),
        rows: rows.rows,
      });
      return { days, tallies };
    };
    kept.set(computation, state);
    return computation;
  },
  {
    complete: async (computation) => kept.get(computation)?.complete(),
    spentMs: (computation) => kept.get(computation)?.partsMs ?? 0,
  },
);

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A part of the figures computed on first use, from steps (`finished`): at once for a caller
 * that needs it, or a step per turn of the event loop behind kept figures.
 */
class PartInSteps<Part> {
  private computed: { part: Part } | null = null;

  get done(): boolean {
    return this.computed !== null;
  }

  constructor(
    private readonly steps: () => Generator<void, Part, void>,
    private readonly spend: (ms: number) => void,
  ) {}

  get(): Part {
    if (!this.computed) {
      const started = performance.now();
      this.computed = { part: finished(this.steps()) };
      this.spend(performance.now() - started);
    }
    return this.computed.part;
  }

  async complete(): Promise<void> {
    const steps = this.steps();
    for (;;) {
      await nextTurn();
      // A caller may have needed the part meanwhile.
      if (this.computed) return;
      const started = performance.now();
      const step = steps.next();
      this.spend(performance.now() - started);
      if (step.done) {
        this.computed = { part: step.value };
        return;
      }
    }
  }
}

/** What a quality computation keeps for the next one to start from. */
interface KeptComputation {
  rows: KeptRows;
  /** The economics' sums, until the next computation takes them over. */
  economics: EconomicsTallies<number> | undefined;
  /** The Dawid–Skene models' pattern counts, until the next computation takes them over. */
  models: ModelTallies | undefined;
  modelsComputed(): boolean;
  /**
   * Quality over time, with its day counts until the next computation takes them over: their
   * changed items are patched rather than every item counted again, unless every item was read
   * anew; the first computation to take them has them.
   */
  overTime: { days: DailyQuality[]; tallies: DailyTallies | undefined } | undefined;
  /** The agreement table's counts, until the next computation takes them over. */
  tallies: AgreementTallies | undefined;
  agreementsComputed(): boolean;
  /** Time spent computing the parts computed on first use. */
  partsMs: number;
  /** Computes every part, a step per turn of the event loop. */
  complete(): Promise<void>;
}

const kept = new WeakMap<QualityComputation, KeptComputation>();
const keptCosts = new WeakMap<ProjectCosts, KeptRows>();

export interface ProjectCosts {
  costCents: Estimate<number>;
  costPerPublishedItemCents: Estimate<number>;
}

/**
 * What the project's work cost so far and what a published item cost on average, for the
 * progress and its event streams: the same pieces and rounding as the quality endpoint's, read
 * without the labels' contents and costed under a template without fields, so that nothing is
 * judged (a cost does not depend on whether a label was right). Kept like the quality figures.
 */
export const projectCosts = keeper(async (db, project, base): Promise<ProjectCosts> => {
  const before = base ? keptCosts.get(base) : undefined;
  const rows = before
    ? await patchKeptRows(db, project.id, before, { labels: false })
    : await readKeptRows(db, project.id, { labels: false });
  const { data } = rows;
  const { whole, publishedItems } = projectEconomics({
    template: { fields: [] },
    policy: {},
    rates: ratesOf(data),
    items: data.items,
    gold: { ratingTolerance: project.settings.goldRatingTolerance },
  });
  const costs: ProjectCosts = {
    costCents: whole.costCents,
    costPerPublishedItemCents: publishedItems.means.totalCents,
  };
  keptCosts.set(costs, rows);
  return costs;
});
