import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AppError } from "../../server/errors.ts";
import { requireWorkspacePermission } from "../../server/permissions.ts";
import {
  labelsSubmittedBy,
  listVisibleProjects,
  seesItemCounts,
} from "../../server/services/projects.ts";
import { requireUser } from "~/session.server.ts";
import { itemStatusLabel, itemStatusOrder } from "~/utils/format.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

export const meta: MetaFunction = () => [{ title: "Projects · Quorum" }];

const roleLabels = { lead: "Lead", annotator: "Annotator", client: "Client" } as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const projects = await listVisibleProjects(context.quorum.db, user).catch(throwAsRouteError);
  const mayCreate = await requireWorkspacePermission(
    context.quorum.db,
    user,
    "project.create",
  ).then(
    () => true,
    (error: unknown) => {
      if (error instanceof AppError && error.code === "forbidden") return false;
      throw error;
    },
  );
  // Annotators see their own labels instead of the items by status, which their projects'
  // summaries leave out.
  const labelledByYou = await labelsSubmittedBy(
    context.quorum.db,
    user.id,
    projects.filter((project) => !seesItemCounts(user, project.role)).map((project) => project.id),
  );
  return {
    isAdmin: user.is_admin,
    mayCreate,
    projects: projects.map((project) => ({
      id: project.id,
      name: project.name,
      description: project.description,
      domain: project.domain,
      role: project.role ? roleLabels[project.role] : "Admin",
      archived: project.archived,
      canLabel: !project.archived && (project.role === "annotator" || project.role === "lead"),
      itemCounts: itemStatusOrder
        .filter((status) => (project.itemCounts[status] ?? 0) > 0)
        .map((status) => ({ status, count: project.itemCounts[status] })),
      totalItems: Object.values(project.itemCounts).reduce((sum, count) => sum + count, 0),
      labelledByYou: seesItemCounts(user, project.role)
        ? null
        : (labelledByYou.get(project.id) ?? 0),
    })),
  };
}

export default function Projects() {
  const { projects, isAdmin, mayCreate } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-heading">
        <h1>Projects</h1>
        {projects.length > 0 ? (
          <p className="muted">
            {projects.length === 1 ? "1 project" : `${projects.length} projects`}
          </p>
        ) : null}
        {mayCreate ? (
          <Link to="/projects/new" className="button button-primary">
            New project
          </Link>
        ) : null}
      </div>
      {projects.length === 0 ? (
        <div className="empty-state card">
          <h2>No projects yet</h2>
          <p>
            {isAdmin
              ? "Create a project, then add leads, annotators and clients to it."
              : "You will see projects here once a project lead adds you to one."}
          </p>
        </div>
      ) : (
        <ul className="project-list" aria-label="Your projects">
          {projects.map((project) => (
            <li
              key={project.id}
              className={project.archived ? "project-card card archived" : "project-card card"}
              aria-labelledby={`project-${project.id}-name`}
            >
              <div className="project-card-head">
                <h2 id={`project-${project.id}-name`} className="project-name">
                  <Link to={`/projects/${project.id}`}>{project.name}</Link>
                </h2>
                <div className="badges">
                  <span className="badge badge-role">{project.role}</span>
                  {project.domain ? <span className="badge">{project.domain}</span> : null}
                  {project.archived ? <span className="badge badge-muted">Archived</span> : null}
                </div>
              </div>
              {project.description ? (
                <p className="project-description">{project.description}</p>
              ) : null}
              {project.labelledByYou === null ? (
                <dl className="item-counts" aria-label="Items by status">
                  <div className="item-count item-count-total">
                    <dt>Items</dt>
                    <dd>{project.totalItems}</dd>
                  </div>
                  {project.itemCounts.map(({ status, count }) => (
                    <div key={status} className={`item-count status-${status}`}>
                      <dt>{itemStatusLabel(status)}</dt>
                      <dd>{count}</dd>
                    </div>
                  ))}
                </dl>
              ) : (
                <dl className="item-counts" aria-label="Your work">
                  <div className="item-count item-count-total">
                    <dt>Labelled by you</dt>
                    <dd>{project.labelledByYou}</dd>
                  </div>
                </dl>
              )}
              {project.canLabel ? (
                <Link
                  to={`/projects/${project.id}/label`}
                  className="button button-primary"
                  aria-label={`Label items of ${project.name}`}
                >
                  Label
                </Link>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
