import { sql, type Kysely } from "kysely";
import type { Database, User } from "../../db/schema.ts";
import { loadProjectFor } from "./project-model.ts";

/** How many UTC days the daily series covers, today included. */
export const THROUGHPUT_DAYS = 30;
/** The window whose mean daily rate the finish is estimated from. */
export const RECENT_RATE_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DailyThroughput {
  /** A UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Labels submitted in Quorum that day that still count (not rejected in review). */
  labels: number;
  /** Versions published that day, republished items included. */
  published: number;
}

/** Why no finish can be estimated. */
export type EtaReason = "no-items" | "no-recent-labels";

export type ThroughputEta =
  | { days: number; finishesOn: string; reason: null }
  | { days: null; finishesOn: null; reason: EtaReason };

export interface ProjectThroughput {
  /** The last `THROUGHPUT_DAYS` UTC days, oldest first, today last; days without work are 0. */
  days: DailyThroughput[];
  /** Labels that still count submitted in the last `RECENT_RATE_DAYS` × 24 hours, and per day. */
  recent: { labels: number; perDay: number };
  /** Labels the items still being labelled need before each has `overlap` of them. */
  remainingLabels: number;
  /** `remainingLabels` ÷ the recent mean daily rate, or why there is none. */
  eta: ThroughputEta;
}

/** The UTC day of an instant, as `YYYY-MM-DD`. */
function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/**
 * A project's pace: labels submitted and versions published per UTC day over the last 30 days,
 * and when the labelling should be done at the last 7 days' rate. Gold items are left out as in
 * the progress (they are never "done"), and so are imported labels: they were not made here, and
 * an import of a thousand old labels would otherwise read as a day of record throughput.
 * Three queries whatever the project's size: two grouped by day, one for what is left.
 */
export async function projectThroughput(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  now: Date = new Date(),
): Promise<ProjectThroughput> {
  const { project } = await loadProjectFor(db, user, projectId, "project.viewQuality");
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const firstDay = new Date(today - (THROUGHPUT_DAYS - 1) * DAY_MS);
  // The end of today rather than `now`: a database whose clock runs a little ahead still has
  // the label just submitted counted today.
  const tomorrow = new Date(today + DAY_MS);
  const recentSince = new Date(now.getTime() - RECENT_RATE_DAYS * DAY_MS);
  const dayOf = (column: string) =>
    sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD')`;

  const [labelDays, publishedDays, remaining] = await Promise.all([
    db
      .selectFrom("annotations")
      .innerJoin("items", "items.id", "annotations.item_id")
      .select([
        dayOf("annotations.submitted_at").as("day"),
        (eb) => eb.fn.countAll<number>().as("labels"),
        sql<number>`count(*) filter (where annotations.submitted_at > ${recentSince})`.as("recent"),
      ])
      .where("items.project_id", "=", projectId)
      .where("items.gold_label", "is", null)
      .where("annotations.rejected_at", "is", null)
      .where("annotations.source", "=", "quorum")
      .where("annotations.submitted_at", ">=", firstDay)
      .where("annotations.submitted_at", "<", tomorrow)
      .groupBy("day")
      .execute(),
    db
      .selectFrom("adjudications")
      .innerJoin("items", "items.id", "adjudications.item_id")
      .select([
        dayOf("adjudications.published_at").as("day"),
        (eb) => eb.fn.countAll<number>().as("published"),
      ])
      .where("items.project_id", "=", projectId)
      .where("items.gold_label", "is", null)
      .where("adjudications.published_at", ">=", firstDay)
      .where("adjudications.published_at", "<", tomorrow)
      .groupBy("day")
      .execute(),
    db
      .selectFrom("items")
      .select([
        (eb) => eb.fn.countAll<number>().as("items"),
        // Items already settled, disputed or in adjudication need no more independent labels.
        sql<number>`coalesce(sum(greatest(${project.overlap} - items.label_count, 0))
          filter (where items.status in ('queued', 'annotating')), 0)`.as("labels"),
      ])
      .where("project_id", "=", projectId)
      .where("gold_label", "is", null)
      .executeTakeFirstOrThrow(),
  ]);

  const labelsByDay = new Map(labelDays.map((row) => [row.day, row.labels]));
  const publishedByDay = new Map(publishedDays.map((row) => [row.day, row.published]));
  const days = Array.from({ length: THROUGHPUT_DAYS }, (_, index): DailyThroughput => {
    const day = utcDay(new Date(firstDay.getTime() + index * DAY_MS));
    return { day, labels: labelsByDay.get(day) ?? 0, published: publishedByDay.get(day) ?? 0 };
  });
  const recentLabels = labelDays.reduce((sum, row) => sum + row.recent, 0);
  const perDay = recentLabels / RECENT_RATE_DAYS;
  const remainingLabels = remaining.labels;
  return {
    days,
    recent: { labels: recentLabels, perDay },
    remainingLabels,
    eta: estimateFinish(remaining.items, remainingLabels, perDay, now),
  };
}

function estimateFinish(
  items: number,
  remainingLabels: number,
  perDay: number,
  now: Date,
): ThroughputEta {
  if (items === 0) return { days: null, finishesOn: null, reason: "no-items" };
  if (remainingLabels === 0) return { days: 0, finishesOn: utcDay(now), reason: null };
  if (perDay === 0) return { days: null, finishesOn: null, reason: "no-recent-labels" };
  const days = remainingLabels / perDay;
  return { days, finishesOn: utcDay(new Date(now.getTime() + days * DAY_MS)), reason: null };
}
