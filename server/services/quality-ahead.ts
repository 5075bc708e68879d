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
 * Computes the quality figures of large projects that data came into in bulk, before anyone asks
 * (decision 032): every `intervalMs` it reads the project events logged since its last look, and
 * computes ahead each project of `AHEAD_ITEMS` items or more that an import completed in,
 * whichever process imported (this server's API, the CLI, another instance). The figures are
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

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bound: { intervalMs: number; closing: AbortSignal },
    private readonly log: Logger,
  ) {}

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
    const { rows } = await sql<{ latest: number | null; imported: number[] | null }>`
      select max(id)::float8 as latest,
             array_agg(distinct project_id) filter (where type = 'import.completed') as imported
      from project_events
      where id > ${this.seenEventId}`.execute(this.db);
    const { latest, imported } = rows[0] ?? { latest: null, imported: null };
    if (latest !== null) this.seenEventId = latest;
    await this.computeLarge(imported ?? [], true);
  }

  /**
   * The live projects of `AHEAD_ITEMS` items or more, those with the latest events first, as many
   * as the process keeps figures of.
   */
  private async largeProjectsByActivity(): Promise<number[]> {
    const { rows } = await sql<{ project_id: number }>`
      select sized.project_id
      from (select project_id from items group by project_id having count(*) >= ${AHEAD_ITEMS})
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
      if (checkSize && (await projectItemCount(this.db, projectId)) < AHEAD_ITEMS) continue;
      const exact = { maxStaleMs: 0, refreshUntil: this.bound.closing };
      await projectQualityComputation.computeAhead(this.db, projectId, exact);
      if (this.bound.closing.aborted) return;
      // The figures just computed, stored as a request would store them.
      await qualityFigures(this.db, await loadProjectModel(this.db, projectId), exact);
    }
  }
}
