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
 * Items per status of each project. Gold items are never settled, so counted by status they
 * would stand apart (the only items still queued once the rest are done): projects where the
 * viewer is an annotator are counted without them. Gold items are mixed into every queue
 * precisely so that annotators cannot tell them apart.
 */
async function itemCountsByProject(
  db: Kysely<Database>,
  projectIds: number[],
  withoutGold: ReadonlySet<number>,
) {
  const counts = new Map<number, Record<string, number>>();
  if (projectIds.length === 0) return counts;
  const rows = await db
    .selectFrom("items")
    .select([
      "project_id",
      "status",
      (eb) => eb("gold_label", "is not", null).as("gold"),
      (eb) => eb.fn.countAll<number>().as("count"),
    ])
    .where("project_id", "in", projectIds)
    .groupBy(["project_id", "status", "gold"])
    .execute();
  for (const row of rows) {
    if (row.gold && withoutGold.has(row.project_id)) continue;
    const projectCounts = counts.get(row.project_id) ?? {};
    projectCounts[row.status] = (projectCounts[row.status] ?? 0) + row.count;
    counts.set(row.project_id, projectCounts);
  }
  return counts;
}

/** Where the viewer sees the items as an annotator does: without telling gold ones apart. */
function annotatorProjects(
  user: User,
  projects: ReadonlyArray<{ id: number; role: ProjectRole | null }>,
): Set<number> {
  if (user.is_admin) return new Set();
  return new Set(projects.filter((project) => project.role === "annotator").map((p) => p.id));
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
    rows.map((row) => row.id),
    annotatorProjects(user, rows),
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
    [projectId],
    annotatorProjects(user, [{ id: projectId, role: subject.role }]),
  );
  return summarise(project, subject.role, counts.get(projectId) ?? {});
}
