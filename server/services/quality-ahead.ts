import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { Logger } from "../logger.ts";
import { projectItemCount } from "./items.ts";
import { loadProjectModel } from "./project-model.ts";
import { KEPT_PROJECTS, projectQualityComputation } from "./quality-economics.ts";
import { qualityFigures } from "./quality.ts";

/**
 * Projects from this size on have their quality figures computed after each import: below it
 * they compute in well under a second (decision 032).
 */
export const AHEAD_ITEMS = 5_000;

/**
 * Events (labels submitted, reviews decided, versions published …) after which a large project's
 * figures that this process holds are patched ahead: a request patches the items changed since
 * the figures, which at 100,000 items takes about a second for 500 of them, and past
 * `MOST_PATCHED_ITEMS` (10,000) it reads every item instead (decision 031), so figures left
 * alone through a busy week would be read whole by the next request (bench/RESULTS.md).
 */
export const PATCH_AHEAD_EVENTS = 500;

/**
 * Computes the quality figures of large projects that data came into in bulk, before anyone asks
 * (decision 032): every `intervalMs` it reads the project events logged since its last look, and
 * computes ahead each project of `AHEAD_ITEMS` items or more that an import completed in,
 * whichever process imported (this server's API, the CLI, another instance), and patches the
 * figures it holds of such a project every `PATCH_AHEAD_EVENTS` events, and once its template,
 * policy or settings changed. The figures are
 * then stored as a request stores them (those slow to compute from nothing), so that a process
 * that has just started answers from them too. Its first look, when the server starts, computes
 * the projects of that size that saw the latest events (as many as the process keeps), whatever
 * changed them while no server ran: the first request after a restart answers from the stored
 * figures while they compute, and later changes are patched into them. One project at a time,
 * each computation in steps, so that requests keep being served meanwhile. An import whose event
 * commits after a later event of another project was read is left to the first request, which
 * computes as without this.
 */
export class QualityAhead {
  private timer: NodeJS.Timeout | undefined;
  private look: Promise<void> | undefined;
  /** The latest event seen; null before the first look, which only takes note of it. */
  private seenEventId: number | null = null;
  /** Per project whose figures this process holds, the events since they were computed ahead. */
  private readonly eventsSince = new Map<number, number>();
  /** Per project whose figures this process holds, its row's `updated_at` when last looked at. */
  private readonly projectStamps = new Map<number, number>();
  private readonly aheadItems: number;
  private readonly patchAfterEvents: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bound: {
      intervalMs: number;
      closing: AbortSignal;
      /** `AHEAD_ITEMS` and `PATCH_AHEAD_EVENTS` unless given (tests give small ones). */
      aheadItems?: number;
      patchAfterEvents?: number;
    },
    private readonly log: Logger,
  ) {
    this.aheadItems = bound.aheadItems ?? AHEAD_ITEMS;
    this.patchAfterEvents = bound.patchAfterEvents ?? PATCH_AHEAD_EVENTS;
  }

  start(): void {
    const round = () => {
      if (this.look || this.bound.closing.aborted) return;
      this.look = this.computeImported()
        .catch((error: unknown) => this.log.warn({ err: error }, "quality ahead failed"))
        .finally(() => {
          this.look = undefined;
        });
    };
    round();
    this.timer = setInterval(round, this.bound.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.look;
  }

  /**
   * One look: the projects imported into since the last. The first only notes where the log
   * ends, and computes the large projects most recently active.
   */
  private async computeImported(): Promise<void> {
    if (this.seenEventId === null) {
      const { rows } = await sql<{ latest: number | null }>`
        select max(id)::float8 as latest from project_events`.execute(this.db);
      this.seenEventId = rows[0]?.latest ?? 0;
      await this.computeLarge(await this.largeProjectsByActivity(), false);
      return;
    }
    const { rows } = await sql<{
      project_id: number;
      latest: number;
      events: number;
      imported: boolean;
    }>`
      select project_id, max(id)::float8 as latest, count(*)::int as events,
             bool_or(type = 'import.completed') as imported
      from project_events
      where id > ${this.seenEventId}
      group by project_id`.execute(this.db);
    const imported: number[] = [];
    const patched: number[] = [];
    for (const row of rows) {
      this.seenEventId = Math.max(this.seenEventId, row.latest);
      if (row.imported) {
        imported.push(row.project_id);
        continue;
      }
      // Held figures only: patching them costs the changed items, while computing figures
      // nobody holds would read the whole project, and push out figures someone asked for.
      // Figures held later are computed then, so events before that do not count.
      if (!projectQualityComputation.holds(this.db, row.project_id)) {
        this.eventsSince.delete(row.project_id);
        continue;
      }
      const events = (this.eventsSince.get(row.project_id) ?? 0) + row.events;
      this.eventsSince.set(row.project_id, events);
      if (events >= this.patchAfterEvents) patched.push(row.project_id);
    }
    for (const projectId of await this.changedProjects()) {
      if (!patched.includes(projectId)) patched.push(projectId);
    }
    await this.computeLarge(imported, true);
    await this.computeLarge(patched, true);
  }

  /**
   * The projects whose figures this process holds and whose row changed since the last look: a
   * new template, policy or settings writes no event, and every item is judged again under them,
   * which takes seconds at 100,000 items, so it is done ahead rather than by the next request.
   */
  private async changedProjects(): Promise<number[]> {
    const held = projectQualityComputation.heldProjects(this.db);
    for (const projectId of this.projectStamps.keys()) {
      if (!held.includes(projectId)) this.projectStamps.delete(projectId);
    }
    if (held.length === 0) return [];
    const rows = await this.db
      .selectFrom("projects")
      .select(["id", "updated_at"])
      .where("id", "in", held)
      .execute();
    const changed: number[] = [];
    for (const row of rows) {
      const stamp = row.updated_at.getTime();
      const seen = this.projectStamps.get(row.id);
      if (seen !== undefined && seen !== stamp) changed.push(row.id);
      this.projectStamps.set(row.id, stamp);
    }
    return changed;
  }

  /**
   * The live projects of `AHEAD_ITEMS` items or more, those with the latest events first, as many
   * as the process keeps figures of.
   */
  private async largeProjectsByActivity(): Promise<number[]> {
    const { rows } = await sql<{ project_id: number }>`
      select sized.project_id
      from (select project_id from items group by project_id
            having count(*) >= ${this.aheadItems})
             as sized
      join projects on projects.id = sized.project_id and projects.archived_at is null
      order by (select max(id) from project_events
                where project_events.project_id = sized.project_id) desc nulls last,
               sized.project_id desc
      limit ${KEPT_PROJECTS}`.execute(this.db);
    return rows.map((row) => row.project_id);
  }

  /** Computes and stores the figures of each project, one by one, skipping the small ones. */
  private async computeLarge(projectIds: number[], checkSize: boolean): Promise<void> {
    for (const projectId of projectIds) {
      if (this.bound.closing.aborted) return;
      this.eventsSince.delete(projectId);
      if (checkSize && (await projectItemCount(this.db, projectId)) < this.aheadItems) continue;
      const exact = { maxStaleMs: 0, refreshUntil: this.bound.closing };
      await projectQualityComputation.computeAhead(this.db, projectId, exact);
      if (this.bound.closing.aborted) return;
      // The figures just computed, stored as a request would store them.
      await qualityFigures(this.db, await loadProjectModel(this.db, projectId), exact);
    }
  }
}
