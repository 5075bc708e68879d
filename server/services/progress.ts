import type { Kysely } from "kysely";
import type { Database, ItemStatus, User } from "../../db/schema.ts";
import { itemStatuses, pseudonym } from "./items.ts";
import { loadProjectFor } from "./project-model.ts";

/**
 * Where a project stands: items by status, labels given against labels needed, and each
 * annotator's output and pace. Gold items are counted apart: they are never "done".
 */
export async function projectProgress(db: Kysely<Database>, user: User, projectId: number) {
  const { project, subject } = await loadProjectFor(db, user, projectId, "project.viewQuality");
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
    .select([
      "users.id",
      "users.name",
      "users.level",
      (eb) => eb.fn.countAll<number>().as("labels"),
      (eb) => eb.fn.sum<number>("annotations.duration_ms").as("totalDurationMs"),
    ])
    .where("items.project_id", "=", projectId)
    .where("annotations.rejected_at", "is", null)
    .groupBy(["users.id", "users.name", "users.level"])
    .orderBy("users.id")
    .execute();
  const labelsGiven = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("items.project_id", "=", projectId)
    .where("items.gold_label", "is", null)
    .where("annotations.rejected_at", "is", null)
    .executeTakeFirstOrThrow();

  const hideNames =
    subject.role === "client" && !subject.isAdmin && project.settings.pseudonymiseForClients;
  const members = hideNames
    ? await db
        .selectFrom("project_members")
        .select("user_id")
        .where("project_id", "=", projectId)
        .where("role", "=", "annotator")
        .orderBy("created_at")
        .orderBy("user_id")
        .execute()
    : [];
  const position = new Map(members.map((member, index) => [member.user_id, index]));
  return {
    items,
    goldItems,
    byStatus,
    done: byStatus.consensus + byStatus.published,
    labels: { given: labelsGiven.count, needed: items * project.overlap },
    annotators: perAnnotator.map((row) => ({
      id: hideNames ? null : row.id,
      name: hideNames ? pseudonym(position.get(row.id) ?? 0) : row.name,
      level: row.level,
      labels: row.labels,
      meanDurationMs:
        row.totalDurationMs === null ? null : Math.round(Number(row.totalDurationMs) / row.labels),
    })),
  };
}
