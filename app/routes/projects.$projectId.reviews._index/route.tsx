import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { VerdictBadge } from "~/components/project/status-badge.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime } from "~/utils/format.ts";
import { loadReviewQueue } from "./reviews.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Reviews · ${data.navigation.name} · Quorum` : "Reviews · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadReviewQueue(request, context, params);
}

export default function ReviewQueue() {
  const { navigation, pending, pendingCount, laterPending, decided, queueEmptied } =
    useLoaderData<typeof loader>();
  const base = `/projects/${navigation.id}/reviews`;
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Review queue</h1>
        {pending.length > 0 ? (
          <Link to={`${base}/${pending[0].id}`} className="button button-primary">
            Start reviewing
          </Link>
        ) : null}
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="pending-heading">
          <h2 id="pending-heading">
            Pending <span className="muted small">({pendingCount})</span>
          </h2>
          {pending.length === 0 ? (
            <p className="empty-inline" role={queueEmptied ? "status" : undefined}>
              {queueEmptied
                ? "That was the last one: no annotation is waiting for review."
                : "No annotation is waiting for review."}
            </p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Annotations waiting for review</caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Annotator</th>
                    <th scope="col">Submitted</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {pending.map((review) => (
                    <tr key={review.id}>
                      <th scope="row" className="mono">
                        {review.item.externalId}
                      </th>
                      <td>{review.annotator}</td>
                      <td>{formatDateTime(review.submittedAt)}</td>
                      <td className="row-actions">
                        <Link to={`${base}/${review.id}`} className="button">
                          Review
                          <span className="visually-hidden">
                            {" "}
                            {review.annotator}&apos;s label of {review.item.externalId}
                          </span>
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {laterPending !== null ? (
                <p>
                  <Link to={`${base}?after=${laterPending}`}>Later pending reviews</Link>
                </p>
              ) : null}
            </div>
          )}
        </section>

        {decided.length > 0 ? (
          <section className="card" aria-labelledby="decided-heading">
            <h2 id="decided-heading">Recently decided</h2>
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Reviews already decided</caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Annotator</th>
                    <th scope="col">Verdict</th>
                    <th scope="col">Decided</th>
                  </tr>
                </thead>
                <tbody>
                  {decided.map((review) => (
                    <tr key={review.id}>
                      <th scope="row" className="mono">
                        <Link to={`${base}/${review.id}`}>{review.item.externalId}</Link>
                      </th>
                      <td>{review.annotator}</td>
                      <td>
                        <VerdictBadge verdict={review.verdict} />
                      </td>
                      <td>{review.decidedAt ? formatDateTime(review.decidedAt) : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}
      </div>
    </>
  );
}
