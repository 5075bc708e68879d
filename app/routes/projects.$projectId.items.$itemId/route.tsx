import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  ItemContent,
  katexStylesUrl,
  markdownStylesUrl,
} from "~/components/project/item-content.tsx";
import { LabelView } from "~/components/project/label-view.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { StatusBadge } from "~/components/project/status-badge.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime } from "~/utils/format.ts";
import { loadItem } from "./item.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: katexStylesUrl },
  { rel: "stylesheet", href: markdownStylesUrl },
  { rel: "stylesheet", href: projectStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.item.externalId} · ${data.navigation.name} · Quorum` : "Item · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadItem(request, context, params);
}

export default function ItemDetail() {
  const { navigation, item, annotations, outcome, versions, contentFormats } =
    useLoaderData<typeof loader>();
  const fieldLabel = (fieldId: string) =>
    item.template.fields.find((field) => field.id === fieldId)?.label ?? fieldId;
  const counted = annotations.filter((annotation) => !annotation.rejected);
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1 className="mono item-title">{item.externalId}</h1>
        <span className="badges">
          {item.status ? <StatusBadge status={item.status} /> : null}
          {item.domain ? <span className="badge">{item.domain}</span> : null}
          {item.goldLabel ? <span className="badge badge-gold">Gold item</span> : null}
        </span>
        {item.status && ["disputed", "adjudicating", "published"].includes(item.status) ? (
          <Link to={`/items/${item.id}/room`} className="button button-small">
            Adjudication room
          </Link>
        ) : null}
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="content-heading">
          <h2 id="content-heading">Item</h2>
          <ItemContent prompt={item.prompt} responses={item.responses} formats={contentFormats} />
        </section>

        {outcome ? (
          <section className="card" aria-labelledby="outcome-heading">
            <h2 id="outcome-heading">
              {outcome.disputed ? "Disputed" : "Consensus"}{" "}
              <span className="muted small">checked {formatDateTime(outcome.checkedAt)}</span>
            </h2>
            <table className="data-table outcome-table">
              <caption className="visually-hidden">Agreement by field</caption>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Agreement</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {outcome.fields.map((field) => (
                  <tr key={field.fieldId} className={field.disputed ? "disputed-row" : undefined}>
                    <th scope="row">{fieldLabel(field.fieldId)}</th>
                    <td>
                      {field.disputed ? (
                        <span className="badge badge-dispute">In dispute</span>
                      ) : (
                        <span className="badge badge-ok">Agreed</span>
                      )}
                    </td>
                    <td>{field.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {!outcome.disputed ? (
              <>
                <h3>Aggregated label</h3>
                <p className="muted small">
                  Aggregated field by field from the {counted.length} independent labels of{" "}
                  {counted.map((annotation) => annotation.annotator.name).join(", ")}.
                </p>
                <LabelView
                  template={item.template}
                  label={outcome.aggregatedLabel}
                  responses={item.responses}
                />
              </>
            ) : null}
          </section>
        ) : null}

        <section className="card" aria-labelledby="labels-heading">
          <h2 id="labels-heading">Independent labels</h2>
          {annotations.length === 0 ? (
            <p className="empty-inline">No labels yet.</p>
          ) : (
            <div className="label-columns">
              {annotations.map((annotation) => (
                <article
                  key={annotation.id}
                  className={annotation.rejected ? "label-column rejected" : "label-column"}
                  aria-label={`Label by ${annotation.annotator.name}`}
                >
                  <h3>
                    {annotation.annotator.name}
                    {annotation.annotator.own ? <span className="muted small"> (you)</span> : null}
                  </h3>
                  <p className="muted small">
                    {formatDateTime(annotation.submittedAt)}
                    {annotation.source === "import" ? " · imported" : ""}
                    {annotation.rejected ? " · rejected in review, not counted" : ""}
                  </p>
                  <LabelView
                    template={item.template}
                    label={annotation.label}
                    responses={item.responses}
                  />
                </article>
              ))}
              {item.goldLabel ? (
                <article className="label-column gold" aria-label="Gold label">
                  <h3>Gold label</h3>
                  <LabelView
                    template={item.template}
                    label={item.goldLabel}
                    responses={item.responses}
                  />
                </article>
              ) : null}
            </div>
          )}
        </section>

        {versions.length > 0 ? (
          <section className="card" aria-labelledby="versions-heading">
            <h2 id="versions-heading">Published versions</h2>
            <ol className="version-list" reversed>
              {[...versions].reverse().map((version) => (
                <li key={version.version}>
                  <h3>
                    Version {version.version}{" "}
                    <span className="muted small">{formatDateTime(version.publishedAt)}</span>
                    {version.flags.length > 0 ? (
                      <>
                        {" "}
                        <span className="badge badge-dispute">Needs reopening</span>
                      </>
                    ) : null}
                  </h3>
                  {version.flags.length > 0 ? (
                    <ul className="version-flags small" aria-label="Why it needs reopening">
                      {version.flags.flatMap((flag) =>
                        flag.details.map((detail) => (
                          <li key={`${flag.reason}:${detail.field}:${detail.message}`}>
                            {flag.reason === "invalid"
                              ? "Not a valid label under the template"
                              : "The current consensus rule settles differently"}
                            : <code>{detail.field}</code> {detail.message}
                          </li>
                        )),
                      )}
                    </ul>
                  ) : null}
                  {version.rationale ? <p>{version.rationale}</p> : null}
                  <LabelView
                    template={item.template}
                    label={version.label}
                    responses={item.responses}
                  />
                </li>
              ))}
            </ol>
          </section>
        ) : null}
      </div>
    </>
  );
}
