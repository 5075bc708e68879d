import type { ExpressionBuilder, Kysely } from "kysely";
import { disputePolicySchema, type DisputePolicy } from "../../app/domain/disputes.ts";
import { projectSettingsSchema, type ProjectSettings } from "../../app/domain/project.ts";
import { templateSchema, type Template } from "../../app/domain/template.ts";
import type { Database, Project, ProjectRole, User } from "../../db/schema.ts";
import { notFound, unauthorized } from "../errors.ts";
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
  const row = await projectWithRole(db, user.id, projectId).executeTakeFirst();
  return permitted(user.is_admin, row, action);
}

/** The project's row with the user's role in it (null: not a member). */
function projectWithRole(db: Kysely<Database>, userId: number, projectId: number) {
  return db
    .selectFrom("projects")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.project_id", "=", "projects.id")
        .on("project_members.user_id", "=", userId),
    )
    .selectAll("projects")
    .select("project_members.role")
    .where("projects.id", "=", projectId);
}

function permitted(
  isAdmin: boolean,
  row: (Project & { role: ProjectRole | null }) | undefined,
  action: Action,
): { project: ProjectModel; subject: Subject } {
  const subject = assertProjectPermission(
    { isAdmin, role: row?.role ?? null },
    row !== undefined,
    action,
  );
  const { role: _role, ...project } = row!;
  return { project: projectModel(project), subject };
}

/**
 * `loadProjectFor` inside a write's transaction, the project's row held `for share` until it
 * ends, as `lockProjectForLabels` holds it: the caller's role is read under the lock that member
 * changes take `for no key update` (`lockProjectLeads`), so a removal or a change of role
 * committed before the write is seen by it, and one made meanwhile waits for the write's commit.
 * A member whose removal has been answered can no longer write; checked only before the
 * transaction, a write that passed the check just before the removal would commit just after it.
 * Taken first in the transaction, before any item, assignment, label or review row (decision 035).
 */
export async function lockProjectFor(
  trx: Kysely<Database>,
  user: User,
  projectId: number,
  action: Action,
): Promise<{ project: ProjectModel; subject: Subject }> {
  // The lock first, the role after it in a statement of its own: a statement that waits for a
  // row lock reads the locked row as it is once the lock is granted, but the rows it joins as
  // they were when it began, so the membership a change just committed would go unseen.
  await trx.selectFrom("projects").select("id").where("id", "=", projectId).forShare().execute();
  // The account as it is now, not as the request found it, read with the role: an admin's right
  // taken away, or the account disabled, since then counts as a change of role does.
  const accountNow = (eb: ExpressionBuilder<Database, "projects">) =>
    eb.selectFrom("users").where("users.id", "=", user.id);
  const found = await projectWithRole(trx, user.id, projectId)
    .select((eb) => [
      accountNow(eb).select("users.is_admin").as("account_is_admin"),
      accountNow(eb).select("users.disabled_at").as("account_disabled_at"),
    ])
    .executeTakeFirst();
  // A project gone meanwhile has no row to read the account with.
  const account = found
    ? { is_admin: found.account_is_admin, disabled_at: found.account_disabled_at }
    : await trx
        .selectFrom("users")
        .select(["is_admin", "disabled_at"])
        .where("id", "=", user.id)
        .executeTakeFirst();
  if (!account || account.is_admin === null || account.disabled_at !== null) {
    throw unauthorized("This account is disabled");
  }
  if (!found) return permitted(account.is_admin, undefined, action);
  const { account_is_admin: _admin, account_disabled_at: _disabled, ...row } = found;
  return permitted(account.is_admin, row, action);
}
