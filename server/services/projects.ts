import type { Kysely } from "kysely";
import type { Database, Project, ProjectRole, User } from "../../db/schema.ts";
import { requireProjectPermission } from "../permissions.ts";

export interface ProjectSummary {
  id: number;
  name: string;
  description: string;
  domain: string | null;
  role: ProjectRole | null;
  overlap: number;
  autoPublishConsensus: boolean;
  template: unknown;
  disputePolicy: unknown;
  archived: boolean;
  createdAt: string;
  /** Items by status; empty where the viewer may not see them (`seesItemCounts`). */
  itemCounts: Record<string, number>;
}

function summarise(
  project: Project,
  role: ProjectRole | null,
  itemCounts: Record<string, number>,
): ProjectSummary {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    domain: project.domain,
    role,
    overlap: project.overlap,
    autoPublishConsensus: project.auto_publish_consensus,
    template: project.template,
    disputePolicy: project.dispute_policy,
    archived: project.archived_at !== null,
    createdAt: project.created_at.toISOString(),
    itemCounts,
  };
}

/**
 * Whether the viewer sees a project's items counted by status. Annotators (admins aside) do not:
 * counts that anyone's work moves tell hidden things apart. A fresh item moves from queued to
 * annotating when it is reserved and a gold item moves nothing (gold items are never settled),
 * so the reservation just made would be known to be gold; and an annotator whose label was the
 * last an item needed would see the item join the consensus or the disputed ones, learning the
 * outcome the blind phase hides. What concerns their own work is in `GET …/queue/mine`.
 */
export function seesItemCounts(user: User, role: ProjectRole | null): boolean {
  return user.is_admin || role !== "annotator";
}

/** Items per status of each project, gold items included. */
async function itemCountsByProject(db: Kysely<Database>, projectIds: number[]) {
  const counts = new Map<number, Record<string, number>>();
  if (projectIds.length === 0) return counts;
  const rows = await db
    .selectFrom("items")
    .select(["project_id", "status", (eb) => eb.fn.countAll<number>().as("count")])
    .where("project_id", "in", projectIds)
    .groupBy(["project_id", "status"])
    .execute();
  for (const row of rows) {
    const projectCounts = counts.get(row.project_id) ?? {};
    projectCounts[row.status] = row.count;
    counts.set(row.project_id, projectCounts);
  }
  return counts;
}

/**
 * The labels a user submitted in each of these projects: what an annotator's pages show of a
 * project's progress, counted as `GET …/queue/mine` counts them.
 */
export async function labelsSubmittedBy(
  db: Kysely<Database>,
  userId: number,
  projectIds: number[],
): Promise<Map<number, number>> {
  const labels = new Map<number, number>();
  if (projectIds.length === 0) return labels;
  const rows = await db
    .selectFrom("assignments")
    .innerJoin("items", "items.id", "assignments.item_id")
    .select(["items.project_id", (eb) => eb.fn.countAll<number>().as("count")])
    .where("assignments.user_id", "=", userId)
    .where("assignments.status", "=", "submitted")
    .where("items.project_id", "in", projectIds)
    .groupBy("items.project_id")
    .execute();
  for (const row of rows) labels.set(row.project_id, row.count);
  return labels;
}

/** Projects the user belongs to (every project for an admin), newest first. */
export async function listVisibleProjects(
  db: Kysely<Database>,
  user: User,
): Promise<ProjectSummary[]> {
  const rows = await db
    .selectFrom("projects")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.project_id", "=", "projects.id")
        .on("project_members.user_id", "=", user.id),
    )
    .selectAll("projects")
    .select("project_members.role")
    .$if(!user.is_admin, (query) => query.where("project_members.role", "is not", null))
    .orderBy("projects.archived_at", (order) => order.desc().nullsFirst())
    .orderBy("projects.id", "desc")
    .execute();
  const counts = await itemCountsByProject(
    db,
    rows.filter((row) => seesItemCounts(user, row.role)).map((row) => row.id),
  );
  return rows.map(({ role, ...project }) => summarise(project, role, counts.get(project.id) ?? {}));
}

export async function getVisibleProject(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<ProjectSummary> {
  const subject = await requireProjectPermission(db, user, projectId, "project.view");
  const project = await db
    .selectFrom("projects")
    .selectAll()
    .where("id", "=", projectId)
    .executeTakeFirstOrThrow();
  const counts = await itemCountsByProject(
    db,
    seesItemCounts(user, subject.role) ? [projectId] : [],
  );
  return summarise(project, subject.role, counts.get(projectId) ?? {});
}
