import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { useLiveProgress } from "~/components/project/use-live-progress.ts";
import uplotStylesUrl from "uplot/dist/uPlot.min.css?url";
import type { ExportFormat } from "~/domain/export.ts";
import dashboardStylesUrl from "~/styles/dashboard.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime, itemStatusLabel } from "~/utils/format.ts";
import { AgreementSummary, PaceSection } from "./overview-dashboard.tsx";
import { loadOverview } from "./overview.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: projectStylesUrl },
  { rel: "stylesheet", href: uplotStylesUrl },
  { rel: "stylesheet", href: dashboardStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.navigation.name} · Quorum` : "Project · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadOverview(request, context, params);
}

const exportFormatNames: Record<ExportFormat, string> = {
  jsonl: "Full records (JSONL)",
  dpo: "Preference pairs for DPO",
  reward: "Preference pairs with margins, for reward models",
  kto: "Desirable / undesirable responses for KTO",
  csv: "Spreadsheet (CSV)",
};

function percent(count: number, total: number): number {
  return total === 0 ? 0 : (count / total) * 100;
}

export default function ProjectOverview() {
  const { navigation, project, statusCounts, totalItems, disputed, exportFormats, dashboard } =
    useLoaderData<typeof loader>();
  const published = statusCounts.find((entry) => entry.status === "published")?.count ?? 0;
  const base = `/projects/${navigation.id}`;
  useLiveProgress(navigation.id, navigation.may.viewQuality);
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>{navigation.name}</h1>
        {navigation.may.annotate && !navigation.archived ? (
          <Link to={`${base}/label`} className="button button-primary">
            Label
          </Link>
        ) : null}
      </div>
      {project.description ? <p className="project-intro">{project.description}</p> : null}

      <div className="stack-large">
        <section className="card" aria-labelledby="progress-heading">
          <h2 id="progress-heading">Progress</h2>
          <p className="muted">
            {totalItems === 0
              ? "No items yet."
              : `${published} of ${totalItems} items published (${Math.round(percent(published, totalItems))}%).`}{" "}
            Each item gets {project.overlap} independent{" "}
            {project.overlap === 1 ? "label" : "labels"}
            {project.autoPublishConsensus ? "; consensus items are published automatically" : ""}.
          </p>
          {totalItems > 0 ? (
            <div
              className="status-bar"
              role="img"
              aria-label={statusCounts
                .filter((entry) => entry.count > 0)
                .map((entry) => `${itemStatusLabel(entry.status)} ${entry.count}`)
                .join(", ")}
            >
              {statusCounts
                .filter((entry) => entry.count > 0)
                .map((entry) => (
                  <span
                    key={entry.status}
                    className={`status-bar-segment status-${entry.status}`}
                    style={{ width: `${percent(entry.count, totalItems)}%` }}
                    title={`${itemStatusLabel(entry.status)}: ${entry.count}`}
                  />
                ))}
            </div>
          ) : null}
          <dl className="status-legend">
            {statusCounts.map((entry) => (
              <div key={entry.status} className={`status-legend-entry status-${entry.status}`}>
                <dt>
                  <span className="status-swatch" aria-hidden="true" />
                  {navigation.may.annotate && !navigation.may.review ? (
                    itemStatusLabel(entry.status)
                  ) : (
                    <Link to={`${base}/items?status=${entry.status}`}>
                      {itemStatusLabel(entry.status)}
                    </Link>
                  )}
                </dt>
                <dd>{entry.count}</dd>
              </div>
            ))}
          </dl>
        </section>

        {dashboard ? (
          <>
            <PaceSection dashboard={dashboard} />
            <AgreementSummary agreement={dashboard.agreement} qualityPath={`${base}/quality`} />
          </>
        ) : null}

        <section className="card" aria-labelledby="disputes-heading">
          <h2 id="disputes-heading">Disputed items</h2>
          {disputed.items.length === 0 ? (
            <p className="empty-inline">No item is disputed.</p>
          ) : (
            <>
              <p className="muted">
                The annotators of these items disagree on the fields shown; they await adjudication.
              </p>
              <ul className="dispute-list">
                {disputed.items.map((item) => (
                  <li key={item.id} className="dispute-entry">
                    <Link to={`${base}/items/${item.id}`} className="dispute-item">
                      {item.externalId}
                    </Link>
                    <span className="badges" aria-label="Fields in dispute">
                      {item.disputedFields.length > 0 ? (
                        item.disputedFields.map((field) => (
                          <span key={field.id} className="badge badge-dispute" title={field.id}>
                            {field.label}
                          </span>
                        ))
                      ) : (
                        <span className="muted small">Fields not recorded</span>
                      )}
                    </span>
                    <Link to={`/items/${item.id}/room`}>Open the room</Link>
                  </li>
                ))}
              </ul>
              {disputed.more ? (
                <p>
                  <Link to={`${base}/items?status=disputed`}>All disputed items</Link>
                </p>
              ) : null}
            </>
          )}
        </section>

        {exportFormats.length > 0 ? (
          <section className="card" aria-labelledby="export-heading">
            <h2 id="export-heading">Export</h2>
            <p className="muted">
              Every published or consensus item with its final label, one JSON object per line.
            </p>
            {/* A plain form: the browser downloads the attachment and stays on this page. */}
            <form method="get" action={`/api/v1/projects/${navigation.id}/export`}>
              <label>
                Format{" "}
                <select name="format" defaultValue="jsonl">
                  {exportFormats.map((format) => (
                    <option key={format} value={format}>
                      {exportFormatNames[format]}
                    </option>
                  ))}
                </select>
              </label>{" "}
              <button type="submit" className="button">
                Download
              </button>
            </form>
          </section>
        ) : null}

        <section className="card" aria-labelledby="about-heading">
          <h2 id="about-heading">About this project</h2>
          <dl className="details">
            <div>
              <dt>Your role</dt>
              <dd>{navigation.role}</dd>
            </div>
            <div>
              <dt>Template</dt>
              <dd>
                {project.fieldCount} {project.fieldCount === 1 ? "field" : "fields"}
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDateTime(project.createdAt)}</dd>
            </div>
          </dl>
        </section>
      </div>
    </>
  );
}
