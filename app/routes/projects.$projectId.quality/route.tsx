import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { loadQuality } from "./quality.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Quality · ${data.navigation.name} · Quorum` : "Quality · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadQuality(request, context, params);
}

function percent(share: number | null): string {
  return share === null ? "—" : `${Math.round(share * 100)}%`;
}

/** Krippendorff's (2004) reading of alpha: ≥ 0.8 reliable, ≥ 0.667 tentative, below that not. */
function alphaReading(alpha: number | null): { label: string; tone: string } {
  if (alpha === null) return { label: "not enough data", tone: "muted" };
  if (alpha >= 0.8) return { label: "reliable", tone: "ok" };
  if (alpha >= 0.667) return { label: "tentative", tone: "warn" };
  return { label: "low", tone: "danger" };
}

export default function Quality() {
  const { navigation, quality } = useLoaderData<typeof loader>();
  const fieldLabel = (fieldId: string) =>
    quality.fields.find((field) => field.id === fieldId)?.label ?? fieldId;
  const goldFields = quality.goldAccuracy[0]?.fields.map((field) => field.fieldId) ?? [];
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Quality</h1>
        {quality.pseudonymised ? (
          <p className="muted">Annotators are shown under pseudonyms.</p>
        ) : null}
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="agreement-heading">
          <h2 id="agreement-heading">Agreement between annotators</h2>
          <p className="muted">
            Krippendorff&apos;s alpha per field over the items with at least two counted labels
            (gold items and rejected labels left out): 1 is perfect agreement, 0 what chance would
            give. At or above 0.8 labels are reliable; between 0.667 and 0.8 usable for tentative
            conclusions.
          </p>
          {quality.agreement.length === 0 ? (
            <p className="empty-inline">
              This template has no rating, preference or single-choice field.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Agreement per field</caption>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Level</th>
                    <th scope="col" className="numeric">
                      Items
                    </th>
                    <th scope="col" className="numeric">
                      Alpha
                    </th>
                    <th scope="col">Reading</th>
                  </tr>
                </thead>
                <tbody>
                  {quality.agreement.map((field) => {
                    const reading = alphaReading(field.alpha);
                    return (
                      <tr key={field.fieldId}>
                        <th scope="row">{fieldLabel(field.fieldId)}</th>
                        <td>{field.level}</td>
                        <td className="numeric">{field.items}</td>
                        <td className="numeric">
                          {field.alpha === null ? "—" : field.alpha.toFixed(2)}
                        </td>
                        <td>
                          <span className={`badge badge-tone-${reading.tone}`}>
                            {reading.label}
                          </span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="gold-heading">
          <h2 id="gold-heading">Accuracy on gold items</h2>
          <p className="muted">
            Each annotator&apos;s mean score against the known labels of gold items, per field:
            ratings within the project&apos;s tolerance, preferences by direction, choices exactly,
            spans by overlap F1. The number of scored labels is in brackets.
          </p>
          {quality.goldAccuracy.length === 0 ? (
            <p className="empty-inline">No gold item has been labelled yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Gold accuracy per annotator and field</caption>
                <thead>
                  <tr>
                    <th scope="col">Annotator</th>
                    <th scope="col" className="numeric">
                      Gold items
                    </th>
                    {goldFields.map((fieldId) => (
                      <th key={fieldId} scope="col" className="numeric">
                        {fieldLabel(fieldId)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {quality.goldAccuracy.map((entry) => (
                    <tr key={entry.annotator.name}>
                      <th scope="row">
                        {entry.annotator.name}
                        {entry.annotator.level ? (
                          <span className="muted small"> · {entry.annotator.level}</span>
                        ) : null}
                      </th>
                      <td className="numeric">{entry.goldItems}</td>
                      {entry.fields.map((field) => (
                        <td key={field.fieldId} className="numeric">
                          {percent(field.accuracy)}{" "}
                          <span className="muted small">({field.count})</span>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="juniors-heading">
          <h2 id="juniors-heading">Junior review</h2>
          <p className="muted">
            Acceptance rate: accepted reviews out of decided ones. Corrections and rejections come
            with the lead&apos;s comments, which the junior sees.
          </p>
          {quality.juniorReviews.length === 0 ? (
            <p className="empty-inline">No junior annotation has been sampled for review yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Review record per junior</caption>
                <thead>
                  <tr>
                    <th scope="col">Annotator</th>
                    <th scope="col" className="numeric">
                      Accepted
                    </th>
                    <th scope="col" className="numeric">
                      Corrected
                    </th>
                    <th scope="col" className="numeric">
                      Rejected
                    </th>
                    <th scope="col" className="numeric">
                      Pending
                    </th>
                    <th scope="col" className="numeric">
                      Acceptance rate
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {quality.juniorReviews.map((entry) => (
                    <tr key={entry.annotator.name}>
                      <th scope="row">{entry.annotator.name}</th>
                      <td className="numeric">{entry.accepted}</td>
                      <td className="numeric">{entry.corrected}</td>
                      <td className="numeric">{entry.rejected}</td>
                      <td className="numeric">{entry.pending}</td>
                      <td className="numeric">{percent(entry.acceptanceRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </>
  );
}
