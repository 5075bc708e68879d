import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { useLiveProgress } from "~/components/project/use-live-progress.ts";
import uplotStylesUrl from "uplot/dist/uPlot.min.css?url";
import dashboardStylesUrl from "~/styles/dashboard.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime, itemStatusLabel } from "~/utils/format.ts";
import { ExportForm } from "./export-form.tsx";
import { AgreementSummary, PaceSection, QualityOverTimeSection } from "./overview-dashboard.tsx";
import { loadOverview, type OverviewQueue, type OwnWork } from "./overview.server.ts";

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

function percent(count: number, total: number): number {
  return total === 0 ? 0 : (count / total) * 100;
}

/** How long an item has waited, as a glance at the queue needs it: "3 h 20 min", "2 d 4 h". */
function formatWait(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const queueEmpty: Record<OverviewQueue["scope"], string> = {
  all: "No item is waiting for adjudication.",
  panel: "No item on a panel of yours is waiting for adjudication.",
  client: "No item is waiting for adjudication.",
};

/**
 * Items whose annotators disagree, oldest wait first: disputed ones wait for their room to
 * open, adjudicating ones are being settled in it. Leads and panel members see who is in each
 * room now, so they can join the people already there.
 */
function AdjudicationQueue({ queue, base }: { queue: OverviewQueue; base: string }) {
  const shown = queue.items.length;
  return (
    <section className="card" aria-labelledby="queue-heading" data-testid="adjudication-queue">
      <h2 id="queue-heading">
        Adjudication queue{" "}
        {queue.total > 0 ? <span className="muted small">({queue.total})</span> : null}
      </h2>
      {shown === 0 ? (
        <p className="empty-inline">{queueEmpty[queue.scope]}</p>
      ) : (
        <>
          <p className="muted">
            {queue.scope === "panel"
              ? "Items on your panels whose annotators disagree on the fields shown, oldest first."
              : "Items whose annotators disagree on the fields shown, oldest first: disputed ones wait for their room to open, adjudicating ones are being settled in it."}
          </p>
          <ol className="dispute-list">
            {queue.items.map((item) => (
              <li key={item.id} className="dispute-entry" data-item-id={item.id}>
                <span className="badges">
                  <Link to={`${base}/items/${item.id}`} className="dispute-item">
                    {item.externalId}
                  </Link>
                  <span className={`badge status-badge status-${item.status}`}>
                    {itemStatusLabel(item.status)}
                  </span>
                  <span className="muted small">
                    waiting{" "}
                    <time dateTime={item.disputedAt} title={formatDateTime(item.disputedAt)}>
                      {formatWait(item.waitedMs)}
                    </time>
                  </span>
                </span>
                <span className="badges" role="group" aria-label="Fields in dispute">
                  {item.disputedFields.length > 0 ? (
                    item.disputedFields.map((field) => (
                      <span key={field.id} className="badge badge-dispute" title={field.id}>
                        {field.label}
                      </span>
                    ))
                  ) : (
                    <span className="muted small">
                      {item.reopened ? "Reopened after publishing" : "Fields not recorded"}
                    </span>
                  )}
                </span>
                <span className="dispute-entry-footer">
                  {item.inRoom === null ? null : item.inRoom.length === 0 ? (
                    <span className="muted small">Nobody in the room</span>
                  ) : (
                    <span
                      className="badges"
                      role="group"
                      aria-label="In the room now"
                      data-testid="in-room"
                    >
                      <span className="muted small">In the room:</span>
                      {item.inRoom.map((person) => (
                        <span key={person.id ?? person.name} className="badge badge-tone-ok">
                          {person.name}
                        </span>
                      ))}
                    </span>
                  )}
                  <Link to={`/items/${item.id}/room`} className="dispute-entry-room">
                    {item.inRoom && item.inRoom.length > 0 ? "Join the room" : "Open the room"}
                  </Link>
                </span>
              </li>
            ))}
          </ol>
          {queue.total > shown ? (
            <p>
              {queue.total - shown} more: <Link to={`${base}/items?status=disputed`}>disputed</Link>
              , <Link to={`${base}/items?status=adjudicating`}>adjudicating</Link>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

const ownStateText: Record<OwnWork["state"], string> = {
  available: "There are items for you to label.",
  waiting: "The items left for you are being labelled by others right now.",
  all_done: "You have labelled or skipped every item open to you.",
  no_items_for_domains: "No item of this project is in your domains.",
  no_items: "No items yet.",
};

/** An annotator's progress: their own labels, and whether there is work for them. */
function OwnProgress({ work }: { work: OwnWork }) {
  return (
    <p className="muted" data-testid="own-progress">
      You have labelled {work.doneTotal} {work.doneTotal === 1 ? "item" : "items"} here (
      {work.doneToday} today). {ownStateText[work.state]}
    </p>
  );
}

export default function ProjectOverview() {
  const {
    navigation,
    project,
    statusCounts,
    totalItems,
    ownWork,
    queue,
    exportFormats,
    dashboard,
  } = useLoaderData<typeof loader>();
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
          {ownWork ? (
            <OwnProgress work={ownWork} />
          ) : (
            <>
              <p className="muted">
                {totalItems === 0
                  ? "No items yet."
                  : `${published} of ${totalItems} items published (${Math.round(percent(published, totalItems))}%).`}{" "}
                Each item gets {project.overlap} independent{" "}
                {project.overlap === 1 ? "label" : "labels"}
                {project.autoPublishConsensus
                  ? "; consensus items are published automatically"
                  : ""}
                .
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
                      <Link to={`${base}/items?status=${entry.status}`}>
                        {itemStatusLabel(entry.status)}
                      </Link>
                    </dt>
                    <dd>{entry.count}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
        </section>

        {dashboard ? (
          <>
            <PaceSection dashboard={dashboard} />
            <AgreementSummary agreement={dashboard.agreement} qualityPath={`${base}/quality`} />
            <QualityOverTimeSection series={dashboard.qualityOverTime} />
          </>
        ) : null}

        <AdjudicationQueue queue={queue} base={base} />

        {exportFormats.length > 0 ? (
          <section className="card" aria-labelledby="export-heading">
            <h2 id="export-heading">Export</h2>
            <p className="muted">
              Every published or consensus item with its final label, one JSON object per line.
            </p>
            <ExportForm projectId={navigation.id} formats={exportFormats} />
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
