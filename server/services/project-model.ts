import type { Kysely } from "kysely";
import { disputePolicySchema, type DisputePolicy } from "../../app/domain/disputes.ts";
import { projectSettingsSchema, type ProjectSettings } from "../../app/domain/project.ts";
import { templateSchema, type Template } from "../../app/domain/template.ts";
import type { Database, Project, User } from "../../db/schema.ts";
import { notFound } from "../errors.ts";
import { assertProjectPermission, type Action, type Subject } from "../permissions.ts";

/** A project row with its JSON columns parsed into their domain types. */
export interface ProjectModel {
  row: Project;
  id: number;
  template: Template;
  disputePolicy: DisputePolicy;
  settings: ProjectSettings;
  overlap: number;
  autoPublishConsensus: boolean;
}

export function projectModel(row: Project): ProjectModel {
  return {
    row,
    id: row.id,
    template: templateSchema.parse(row.template),
    disputePolicy: disputePolicySchema.parse(row.dispute_policy ?? {}),
    settings: projectSettingsSchema.parse(row.settings ?? {}),
    overlap: row.overlap,
    autoPublishConsensus: row.auto_publish_consensus,
  };
}

export async function loadProjectModel(
  db: Kysely<Database>,
  projectId: number,
): Promise<ProjectModel> {
  const row = await db
    .selectFrom("projects")
    .selectAll()
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!row) throw notFound("No such project");
  return projectModel(row);
}

/**
 * The project as a transaction that stores labels must validate them: read inside it and locked
 * `for share` until it commits. A template or overlap change (`updateProject`, which locks the row
 * `for no key update`) then waits for the labels being stored and checks them, and a label stored
 * after the change is checked against the new template and settles under the new overlap. Label
 * writers take this lock before any item, assignment or review row, as `updateProject` does before
 * the items it settles: with one order, no two transactions wait on each other in a cycle
 * (decision 035).
 */
export async function lockProjectForLabels(
  trx: Kysely<Database>,
  projectId: number,
): Promise<ProjectModel> {
  const row = await trx
    .selectFrom("projects")
    .selectAll()
    .where("id", "=", projectId)
    .forShare()
    .executeTakeFirst();
  if (!row) throw notFound("No such project");
  return projectModel(row);
}

/**
 * Locks the project's row `for no key update` until the transaction ends: changes to the project
 * or its members and webhooks take turns, and wait for the labels being stored, which hold the row
 * `for share` (`lockProjectForLabels`, decision 035); rows that refer to the project stay free to
 * be written meanwhile.
 */
export async function lockProjectForChange(
  trx: Kysely<Database>,
  projectId: number,
): Promise<void> {
  await trx
    .selectFrom("projects")
    .select("id")
    .where("id", "=", projectId)
    .forNoKeyUpdate()
    .execute();
}

/**
 * The project with the user's standing in it, in one query, after checking that the user may
 * perform the action (404 for outsiders, 403 for members without the right).
 */
export async function loadProjectFor(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  action: Action,
): Promise<{ project: ProjectModel; subject: Subject }> {
  const row = await db
    .selectFrom("projects")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.project_id", "=", "projects.id")
        .on("project_members.user_id", "=", user.id),
    )
    .selectAll("projects")
    .select("project_members.role")
    .where("projects.id", "=", projectId)
    .executeTakeFirst();
  const subject = assertProjectPermission(
    { isAdmin: user.is_admin, role: row?.role ?? null },
    row !== undefined,
    action,
  );
  const { role: _role, ...project } = row!;
  return { project: projectModel(project), subject };
}
