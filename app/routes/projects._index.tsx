import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listVisibleProjects } from "../../server/services/projects.ts";
import { requireUser } from "~/session.server.ts";
import { itemStatusLabel, itemStatusOrder } from "~/utils/format.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

export const meta: MetaFunction = () => [{ title: "Projects · Quorum" }];

const roleLabels = { lead: "Lead", annotator: "Annotator", client: "Client" } as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const projects = await listVisibleProjects(context.quorum.db, user).catch(throwAsRouteError);
  return {
    isAdmin: user.is_admin,
    projects: projects.map((project) => ({
      id: project.id,
      name: project.name,
      description: project.description,
      domain: project.domain,
      role: project.role ? roleLabels[project.role] : "Admin",
      archived: project.archived,
      itemCounts: itemStatusOrder
        .filter((status) => (project.itemCounts[status] ?? 0) > 0)
        .map((status) => ({ status, count: project.itemCounts[status] })),
      totalItems: Object.values(project.itemCounts).reduce((sum, count) => sum + count, 0),
    })),
  };
}

export default function Projects() {
  const { projects, isAdmin } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-heading">
        <h1>Projects</h1>
        {projects.length > 0 ? (
          <p className="muted">
            {projects.length === 1 ? "1 project" : `${projects.length} projects`}
          </p>
        ) : null}
      </div>
      {projects.length === 0 ? (
        <div className="empty-state card">
          <h2>No projects yet</h2>
          <p>
            {isAdmin
              ? "Create a project with POST /api/v1/projects, then add leads, annotators and clients to it."
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
                  {project.name}
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
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
