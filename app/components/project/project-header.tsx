import { Link, NavLink } from "@remix-run/react";

export interface ProjectNavigation {
  id: number;
  name: string;
  domain: string | null;
  archived: boolean;
  role: string;
  may: {
    annotate: boolean;
    review: boolean;
    viewQuality: boolean;
    manageMembers: boolean;
    import: boolean;
    edit: boolean;
    export: boolean;
  };
}

/**
 * The project's name and its sections. Only the sections the viewer may open are offered;
 * the server refuses the others all the same.
 */
export function ProjectHeader({ project }: { project: ProjectNavigation }) {
  const base = `/projects/${project.id}`;
  const sections: Array<{ to: string; label: string; end?: boolean; shown: boolean }> = [
    { to: base, label: "Overview", end: true, shown: true },
    { to: `${base}/items`, label: "Items", shown: true },
    { to: `${base}/label`, label: "Label", shown: project.may.annotate && !project.archived },
    { to: `${base}/history`, label: "My history", shown: project.may.annotate },
    { to: `${base}/reviews`, label: "Reviews", shown: project.may.review },
    { to: `${base}/flags`, label: "Flags", shown: project.may.review },
    { to: `${base}/guidelines`, label: "Guidelines", shown: true },
    { to: `${base}/quality`, label: "Quality", shown: project.may.viewQuality },
    { to: `${base}/members`, label: "Members", shown: project.may.manageMembers },
    { to: `${base}/import`, label: "Import", shown: project.may.import },
    { to: `${base}/settings`, label: "Settings", shown: project.may.edit },
    { to: `${base}/webhooks`, label: "Webhooks", shown: project.may.edit },
  ];
  return (
    <div className="project-header">
      <p className="project-breadcrumb">
        <Link to="/projects">Projects</Link>
        <span aria-hidden="true"> / </span>
        <Link to={base}>{project.name}</Link>
      </p>
      <div className="badges">
        <span className="badge badge-role">{project.role}</span>
        {project.domain ? <span className="badge">{project.domain}</span> : null}
        {project.archived ? <span className="badge badge-muted">Archived</span> : null}
      </div>
      <nav aria-label="Project" className="project-nav">
        {sections
          .filter((section) => section.shown)
          .map((section) => (
            <NavLink key={section.to} to={section.to} end={section.end}>
              {section.label}
            </NavLink>
          ))}
      </nav>
    </div>
  );
}
