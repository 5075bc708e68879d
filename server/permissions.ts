import type { Kysely } from "kysely";
import type { Database, ProjectRole, User } from "../db/schema.ts";
import { forbidden, notFound } from "./errors.ts";

/**
 * The one place that decides what a user may do. Routes, the API and the sync server all ask
 * here, so a rule changes in one place and holds everywhere.
 */
export type Action =
  | "workspace.admin"
  | "project.create"
  | "project.view"
  | "project.edit"
  | "project.manageMembers"
  | "project.import"
  | "project.export"
  | "project.viewQuality"
  | "item.annotate"
  | "item.review"
  | "item.publish"
  | "room.edit"
  | "room.observe";

export interface Subject {
  isAdmin: boolean;
  /** The user's role in the project the action concerns; null when not a member. */
  role: ProjectRole | null;
}

const allowedRoles: Record<Action, ReadonlyArray<ProjectRole>> = {
  "workspace.admin": [],
  "project.create": ["lead"],
  "project.view": ["lead", "annotator", "client"],
  "project.edit": ["lead"],
  "project.manageMembers": ["lead"],
  "project.import": ["lead"],
  "project.export": ["lead", "client"],
  "project.viewQuality": ["lead", "client"],
  "item.annotate": ["annotator", "lead"],
  "item.review": ["lead"],
  "item.publish": ["lead"],
  "room.edit": ["lead", "annotator"],
  "room.observe": ["lead", "annotator", "client"],
};

/** Admins manage the workspace and may do everything; everyone else by project role. */
export function can(subject: Subject, action: Action): boolean {
  if (subject.isAdmin) return true;
  return subject.role !== null && allowedRoles[action].includes(subject.role);
}

export async function projectRole(
  db: Kysely<Database>,
  userId: number,
  projectId: number,
): Promise<ProjectRole | null> {
  const membership = await db
    .selectFrom("project_members")
    .select("role")
    .where("user_id", "=", userId)
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return membership?.role ?? null;
}

/**
 * Throws unless the subject may perform the action in a project; `exists` is false when there is
 * no such project. Outsiders get a 404 rather than a 403, so that project ids do not leak what
 * exists.
 */
export function assertProjectPermission(
  subject: Subject,
  exists: boolean,
  action: Action,
): Subject {
  if (!exists || !can(subject, "project.view")) throw notFound("No such project");
  if (!can(subject, action)) throw forbidden();
  return subject;
}

/** Throws unless the user may perform the action in the project; one query. */
export async function requireProjectPermission(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  action: Action,
): Promise<Subject> {
  const project = await db
    .selectFrom("projects")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.project_id", "=", "projects.id")
        .on("project_members.user_id", "=", user.id),
    )
    .select(["projects.id", "project_members.role"])
    .where("projects.id", "=", projectId)
    .executeTakeFirst();
  return assertProjectPermission(
    { isAdmin: user.is_admin, role: project?.role ?? null },
    project !== undefined,
    action,
  );
}

/**
 * Throws unless the user may perform a workspace-wide action. Outside any one project a user
 * holds the strongest role they have in some project: whoever leads a project may start another.
 */
export async function requireWorkspacePermission(
  db: Kysely<Database>,
  user: User,
  action: Action,
): Promise<void> {
  const lead = await db
    .selectFrom("project_members")
    .select("project_id")
    .where("user_id", "=", user.id)
    .where("role", "=", "lead")
    .limit(1)
    .executeTakeFirst();
  if (!can({ isAdmin: user.is_admin, role: lead ? "lead" : null }, action)) throw forbidden();
}
