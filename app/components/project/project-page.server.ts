import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { User } from "../../../db/schema.ts";
import {
  can,
  requireProjectPermission,
  type Action,
  type Subject,
} from "../../../server/permissions.ts";
import { getVisibleProject, type ProjectSummary } from "../../../server/services/projects.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";
import type { ProjectNavigation } from "./project-header.tsx";

const routeIdSchema = z.coerce.number().int().positive();

/** A numeric id from the address; anything else is a page that does not exist. */
export function routeId(value: string | undefined, what: string): number {
  const parsed = routeIdSchema.safeParse(value);
  if (!parsed.success) {
    throw data(
      { error: { code: "not_found", message: `There is no ${what} at this address.` } },
      { status: 404 },
    );
  }
  return parsed.data;
}

const roleNames = { lead: "Lead", annotator: "Annotator", client: "Client" } as const;

export interface ProjectPage {
  user: User;
  projectId: number;
  project: ProjectSummary;
  subject: Subject;
  navigation: ProjectNavigation;
}

/**
 * What every project page starts with: the signed-in user, the permission the page needs (a 403
 * or 404 page otherwise) and what the project header shows, which depends on the viewer's role.
 */
export async function loadProjectPage(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
  action: Action = "project.view",
): Promise<ProjectPage> {
  const user = await requireUser(request, context);
  const projectId = routeId(params.projectId, "project");
  const { db } = context.quorum;
  const subject = await requireProjectPermission(db, user, projectId, action).catch(
    throwAsRouteError,
  );
  const project = await getVisibleProject(db, user, projectId).catch(throwAsRouteError);
  return {
    user,
    projectId,
    project,
    subject,
    navigation: {
      id: project.id,
      name: project.name,
      domain: project.domain,
      archived: project.archived,
      role: project.role ? roleNames[project.role] : "Admin",
      may: {
        annotate: subject.role === "annotator" || subject.role === "lead",
        review: can(subject, "item.review"),
        viewQuality: can(subject, "project.viewQuality"),
        manageMembers: can(subject, "project.manageMembers"),
        import: can(subject, "project.import"),
        edit: can(subject, "project.edit"),
        export: can(subject, "project.export"),
      },
    },
  };
}
