import { sql, type Kysely } from "kysely";
import type { Database, ItemStatus, User } from "../../db/schema.ts";
import type { Subject } from "../permissions.ts";
import { byName, itemStatuses, pseudonymsFor, UNNAMED_ANNOTATOR } from "./items.ts";
import { loadProjectFor, type ProjectModel } from "./project-model.ts";
import { keeper, projectCosts, qualityFingerprint } from "./quality-economics.ts";

/**
 * Where a project stands: items by status, labels given against labels needed, each
 * annotator's output and pace, and (for those who may see them) what the work has cost so far
 * and what a published item cost on average. Gold items are counted apart: they are never "done".
 */
export async function projectProgress(db: Kysely<Database>, user: User, projectId: number) {
  const { project, subject } = await loadProjectFor(db, user, projectId, "project.viewQuality");
  const pseudonymised = seesPseudonymisedProgress(subject, project);
  const costs = seesProjectCosts(subject, project);
  const progressAs = await readProjectProgress(db, project, { pseudonyms: pseudonymised, costs });
  return progressAs(pseudonymised, costs, seesWorkingTimes(subject, project));
}

export type ProjectProgress = Awaited<ReturnType<typeof projectProgress>>;

/**
 * Whether the subject sees what the project's work cost: leads and admins do; clients only when
 * the project's `showCostsToClients` is on (docs/decisions/023-quality-endpoint.md).
 */
export function seesProjectCosts(subject: Subject, project: ProjectModel): boolean {
  return subject.role !== "client" || subject.isAdmin || project.settings.showCostsToClients;
}

/**
 * Whether the subject sees how long the work took: everyone but a client who sees its cost.
 * The project's cost rising by one label's cost, next to the time that label took (a person's
 * mean time moving, or the project's total), gives its annotator's rate away, which only leads
 * and admins may learn (docs/decisions/023-quality-endpoint.md).
 */
export function seesWorkingTimes(subject: Subject, project: ProjectModel): boolean {
  return !(subject.role === "client" && !subject.isAdmin && project.settings.showCostsToClients);
}

/** Whether the subject sees the project's annotators under pseudonyms in its progress. */
export function seesPseudonymisedProgress(subject: Subject, project: ProjectModel): boolean {
  return subject.role === "client" && !subject.isAdmin && project.settings.pseudonymiseForClients;
}

/**
 * The counts behind a project's progress, which scan its items and labels (seconds at 100,000
 * items): kept until the project's data change, as the quality figures are (decision 031). Every
 * input is in the fingerprint: item statuses and gold, labels submitted, rejected or revised, the
 * members' roles, and the people's names and levels.
 */
export const keptProgressCounts = keeper((db, project) => readProgressCounts(db, project.id));

async function readProgressCounts(db: Kysely<Database>, projectId: number) {
  const byStatusRows = await db
    .selectFrom("items")
    .select(["status", (eb) => eb.fn.countAll<number>().as("count")])
    .where("project_id", "=", projectId)
    .where("gold_label", "is", null)
    .groupBy("status")
    .execute();
  const byStatus = Object.fromEntries(itemStatuses.map((status) => [status, 0])) as Record<
    ItemStatus,
    number
  >;
  for (const row of byStatusRows) byStatus[row.status] = row.count;
  const items = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
  const { goldItems } = await db
    .selectFrom("items")
    .select((eb) => eb.fn.countAll<number>().as("goldItems"))
    .where("project_id", "=", projectId)
    .where("gold_label", "is not", null)
    .executeTakeFirstOrThrow();

  const perAnnotator = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .innerJoin("users", "users.id", "annotations.user_id")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.user_id", "=", "users.id")
        .on("project_members.project_id", "=", projectId),
    )
    .select([
      "users.id",
      "users.name",
      "users.level",
      "project_members.role",
      // Working time is the server's measure (decision 021). A label without one (an import)
      // is left out of the mean rather than counted as zero; gold answers are counted apart.
      sql<number>`count(*) filter (where items.gold_label is null)`.as("labels"),
      sql<number>`count(annotations.active_ms) filter (where items.gold_label is null)`.as(
        "timedLabels",
      ),
      sql<string | null>`sum(annotations.active_ms) filter (where items.gold_label is null)`.as(
        "totalActiveMs",
      ),
      sql<number>`count(*) filter (where items.gold_label is not null)`.as("goldAnswers"),
      sql<number>`count(annotations.active_ms) filter (where items.gold_label is not null)`.as(
        "timedGoldAnswers",
      ),
      sql<string | null>`sum(annotations.active_ms) filter (where items.gold_label is not null)`.as(
        "totalGoldActiveMs",
      ),
    ])
    .where("items.project_id", "=", projectId)
    .where("annotations.rejected_at", "is", null)
    .groupBy(["users.id", "users.name", "users.level", "project_members.role"])
    .orderBy("users.id")
    .execute();
  const { count: labelsGiven } = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("items.project_id", "=", projectId)
    .where("items.gold_label", "is", null)
    .where("annotations.rejected_at", "is", null)
    .executeTakeFirstOrThrow();

  return { items, goldItems, byStatus, perAnnotator, labelsGiven };
}

/**
 * The database side of a project's progress, the same whoever asks: one read that every
 * audience's view is then made from (the event streams of a project share it). The pseudonyms
 * are read only when `pseudonyms` says a pseudonymised view will be asked for, the costs only
 * when `costs` says a view with them will be.
 */
export async function readProjectProgress(
  db: Kysely<Database>,
  project: ProjectModel,
  options: { pseudonyms: boolean; costs?: boolean },
) {
  // The counts and the costs are kept under the same fingerprint: read once for both.
  const fingerprint = options.costs ? await qualityFingerprint(db, project.id) : undefined;
  const { items, goldItems, byStatus, perAnnotator, labelsGiven } = await keptProgressCounts(
    db,
    project,
    undefined,
    fingerprint,
  );
  const pseudonyms = options.pseudonyms
    ? await pseudonymsFor(db, project.id)
    : new Map<number, string>();
  // Under pseudonyms, annotators are listed by pseudonym, not by user id, and without their
  // level: next to the member list, either would narrow down who is behind a pseudonym.
  const nameUnderPseudonyms = (row: { id: number; name: string; role: string | null }) =>
    pseudonyms.get(row.id) ?? (row.role === "lead" ? row.name : UNNAMED_ANNOTATOR);
  const byPseudonym = [...perAnnotator].sort((a, b) =>
    byName(nameUnderPseudonyms(a), nameUnderPseudonyms(b)),
  );
  const costs = options.costs ? await projectCosts(db, project, undefined, fingerprint) : null;
  /**
   * The progress as an audience sees it: with names, or (`hideNames`) under pseudonyms; with the
   * costs (`showCosts`) or without; with each annotator's mean times (`showTimes`) or null.
   */
  return (hideNames: boolean, showCosts = false, showTimes = true) => ({
    items,
    goldItems,
    byStatus,
    done: byStatus.consensus + byStatus.published,
    labels: { given: labelsGiven, needed: items * project.overlap },
    annotators: (hideNames ? byPseudonym : perAnnotator).map((row) => ({
      id: hideNames ? null : row.id,
      name: hideNames ? nameUnderPseudonyms(row) : row.name,
      level: hideNames ? null : row.level,
      labels: Number(row.labels),
      goldAnswers: Number(row.goldAnswers),
      meanDurationMs: showTimes ? meanMs(row.totalActiveMs, row.timedLabels) : null,
      meanGoldDurationMs: showTimes ? meanMs(row.totalGoldActiveMs, row.timedGoldAnswers) : null,
    })),
    ...(showCosts && costs ? costs : {}),
  });
}

/** A mean of measured times; null when no label had one. */
function meanMs(total: string | number | null, count: string | number): number | null {
  return Number(count) === 0 ? null : Math.round(Number(total) / Number(count));
}
