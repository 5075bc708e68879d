import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { LabelView } from "~/components/project/label-view.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { ReviewComments } from "~/components/project/review-comments.tsx";
import { VerdictBadge } from "~/components/project/status-badge.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime } from "~/utils/format.ts";
import { loadHistory } from "./history.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `My history · ${data.navigation.name} · Quorum` : "My history · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadHistory(request, context, params);
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export default function History() {
  const { navigation, template, annotations, total, reviewed, olderThanPage, isFirstPage } =
    useLoaderData<typeof loader>();
  const base = `/projects/${navigation.id}`;
  const pages =
    olderThanPage !== null || !isFirstPage ? (
      <nav className="pager" aria-label="Pages of my history">
        {!isFirstPage ? <Link to={`${base}/history`}>Newest labels</Link> : null}
        {olderThanPage !== null ? (
          <Link to={`${base}/history?before=${olderThanPage}`}>Older labels</Link>
        ) : null}
      </nav>
    ) : null;
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>My history</h1>
        <p className="muted">
          {total === 1 ? "1 label" : `${total} labels`}
          {reviewed > 0 ? `, ${reviewed} reviewed` : ""}
          {total > annotations.length
            ? ` · ${isFirstPage ? "the newest" : "older ones"}: ${annotations.length} on this page`
            : ""}
        </p>
      </div>
      {total === 0 ? (
        <div className="card empty-state">
          <p>You have not labelled anything in this project yet.</p>
          {navigation.may.annotate && !navigation.archived ? (
            <Link to={`${base}/label`} className="button button-primary">
              Start labelling
            </Link>
          ) : null}
        </div>
      ) : (
        <ol className="history-list">
          {annotations.map((annotation) => (
            <li key={annotation.id} className="card history-entry">
              <article aria-labelledby={`annotation-${annotation.id}`}>
                <header className="history-entry-head">
                  <h2 id={`annotation-${annotation.id}`} className="mono">
                    <Link to={`${base}/items/${annotation.item.id}`}>
                      {annotation.item.externalId ?? `Item ${annotation.item.id}`}
                    </Link>
                  </h2>
                  {annotation.review ? (
                    <VerdictBadge verdict={annotation.review.verdict} />
                  ) : (
                    <span className="badge badge-muted">Not reviewed</span>
                  )}
                  {annotation.review ? (
                    <Link to={`/reviews/${annotation.id}/room`}>Discuss with the lead</Link>
                  ) : null}
                </header>
                <p className="muted small">
                  Submitted {formatDateTime(annotation.submittedAt)}
                  {annotation.durationMs !== null
                    ? ` · ${formatDuration(annotation.durationMs)} on the item`
                    : ""}
                  {annotation.review?.decidedAt
                    ? ` · reviewed ${formatDateTime(annotation.review.decidedAt)}`
                    : ""}
                </p>
                {annotation.review && annotation.review.comments.length > 0 ? (
                  <>
                    <h3>Reviewer&apos;s comments</h3>
                    <ReviewComments comments={annotation.review.comments} template={template} />
                  </>
                ) : null}
                <div className={annotation.review?.correctedLabel ? "label-columns" : undefined}>
                  <details open={Boolean(annotation.review?.correctedLabel)}>
                    <summary>Your label</summary>
                    <LabelView template={template} label={annotation.label} responses={[]} />
                  </details>
                  {annotation.review?.correctedLabel ? (
                    <details open>
                      <summary>Corrected label</summary>
                      <LabelView
                        template={template}
                        label={annotation.review.correctedLabel}
                        responses={[]}
                      />
                    </details>
                  ) : null}
                </div>
              </article>
            </li>
          ))}
        </ol>
      )}
      {pages}
    </>
  );
}
