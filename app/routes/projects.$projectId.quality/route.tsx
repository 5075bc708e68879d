import { TableScroller } from "~/components/table-scroller.tsx";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { useLiveProgress } from "~/components/project/use-live-progress.ts";
import dashboardStylesUrl from "~/styles/dashboard.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import {
  AgreementTable,
  AnnotatorTable,
  GroupTable,
  levelComparison,
  ProjectFigures,
  ReliabilityMatrices,
} from "./quality-figures.tsx";
import { loadQuality } from "./quality.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: projectStylesUrl },
  { rel: "stylesheet", href: dashboardStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Quality · ${data.navigation.name} · Quorum` : "Quality · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadQuality(request, context, params);
}

function percent(share: number | null): string {
  return share === null ? "—" : `${Math.round(share * 100)}%`;
}

export default function Quality() {
  const { navigation, quality } = useLoaderData<typeof loader>();
  const fieldLabel = (fieldId: string) =>
    quality.fields.find((field) => field.id === fieldId)?.label ?? fieldId;
  const goldFields = quality.goldAccuracy[0]?.fields.map((field) => field.fieldId) ?? [];
  useLiveProgress(navigation.id, true);
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Quality</h1>
        {quality.pseudonymised ? (
          <p className="muted">Annotators are shown under pseudonyms.</p>
        ) : null}
      </div>
      <div className="stack-large quality-page">
        <section className="card" aria-labelledby="agreement-heading">
          <h2 id="agreement-heading">Agreement between annotators</h2>
          <p className="muted">
            How far annotators agree beyond chance, per field, over the items with at least two
            counted labels (gold items and rejected labels left out). Krippendorff&apos;s alpha is 1
            for perfect agreement and 0 for what chance would give; at or above 0.8 labels are
            reliable, between 0.667 and 0.8 usable for tentative conclusions. The interval is the
            range the true value lies in with 95% confidence. Fleiss&apos; κ and the Cohen&apos;s κ
            of each pair of annotators read the same way.
          </p>
          {quality.agreement.length === 0 ? (
            <p className="empty-inline">
              This template has no field whose agreement can be measured.
            </p>
          ) : (
            <AgreementTable agreement={quality.agreement} fieldLabel={fieldLabel} />
          )}
        </section>

        <section className="card" aria-labelledby="project-heading">
          <h2 id="project-heading">The whole project</h2>
          <p className="muted">
            Accuracy vs final: the share of answers (one field of one label) that agree with the
            item&apos;s final label. Gold accuracy: the same against the known labels of gold items.
            Both come with their 95% interval in brackets and the counts behind them. Reliability:
            the share of choice and preference answers that a Dawid–Skene model, fitted to every
            annotator&apos;s answers, expects to be right.
            {quality.costsShown
              ? " Cost: hourly rates times the working time the server measured; cost per correct answer divides what the judged labels cost by their correct answers."
              : ""}
          </p>
          <ProjectFigures project={quality.project} />
        </section>

        <section className="card" aria-labelledby="annotators-heading">
          <h2 id="annotators-heading">Annotators</h2>
          <p className="muted">
            Each person&apos;s labels, measured working time and the figures above
            {quality.annotators.some((entry) => entry.costCents !== undefined)
              ? ", with what their work cost (labels, adjudication and reviews)"
              : ""}
            . An answer that the final label rests on, with the other labels settling on nothing
            without it, is self-decided and not scored.
          </p>
          {quality.annotators.length === 0 ? (
            <p className="empty-inline">Nobody has worked on this project yet.</p>
          ) : (
            <AnnotatorTable annotators={quality.annotators} />
          )}
        </section>

        {quality.reliabilityModels.some((model) => model.annotators.length > 0) ? (
          <section className="card" aria-labelledby="reliability-heading">
            <h2 id="reliability-heading">Reliability matrices</h2>
            <p className="muted">
              For each choice and preference field, a Dawid–Skene model estimates from
              everyone&apos;s answers which answer is right on each item and how each annotator
              answers when it is: a row is the right answer, a column what the annotator said. A
              reliable annotator&apos;s matrix is heavy on its diagonal; a row spread evenly means
              guessing.
            </p>
            {quality.reliabilityModels
              .filter((model) => model.annotators.length > 0)
              .map((model) => (
                <div key={model.fieldId} className="figure-group">
                  <h3>{fieldLabel(model.fieldId)}</h3>
                  <ReliabilityMatrices
                    model={model}
                    fieldType={quality.fields.find((field) => field.id === model.fieldId)?.type}
                  />
                </div>
              ))}
          </section>
        ) : null}

        {quality.groups ? (
          <section className="card" aria-labelledby="groups-heading">
            <h2 id="groups-heading">By level and by domain</h2>
            <p className="level-comparison" data-figure="level-comparison">
              {levelComparison(quality.groups.byLevel)}
            </p>
            <p className="muted">
              A group&apos;s figures come from its members&apos; added counts; a person with two
              domains counts in both.
            </p>
            {quality.groups.byLevel.length === 0 ? (
              <p className="empty-inline">Nobody has worked on this project yet.</p>
            ) : (
              <>
                <div className="figure-group">
                  <h3>By level</h3>
                  <GroupTable groups={quality.groups.byLevel} by="level" />
                </div>
                <div className="figure-group">
                  <h3>By domain</h3>
                  <GroupTable groups={quality.groups.byDomain} by="domain" />
                </div>
              </>
            )}
          </section>
        ) : null}

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
            <TableScroller label="Gold accuracy per annotator and field">
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
            </TableScroller>
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
            <TableScroller label="Review record per junior">
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
            </TableScroller>
          )}
        </section>
      </div>
    </>
  );
}
