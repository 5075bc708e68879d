import { Link } from "@remix-run/react";
import type { UndefinedReason } from "~/domain/estimate.ts";
import type { ThroughputEta } from "../../../server/services/throughput.ts";
import {
  estimateText,
  formatCents,
  formatCount,
  formatShare,
  formatWithInterval,
  reasonInWords,
} from "~/utils/figures.ts";
import type { OverviewDashboard } from "./overview.server.ts";
import { QualityOverTimeChart } from "./quality-over-time-chart.tsx";
import { formatDay, ThroughputChart } from "./throughput-chart.tsx";

const finishFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

const labelCount = (count: number) => `${formatCount(count)} ${count === 1 ? "label" : "labels"}`;

/** The finish estimate as a sentence, or why there is none. */
export function etaSentence(eta: ThroughputEta, remainingLabels: number, perDay: number): string {
  if (eta.reason !== null) {
    return eta.reason === "no-items"
      ? "No estimate: the project has no items to label yet."
      : `No estimate: no label was submitted in the last 7 days, so there is no recent rate to go by (${labelCount(remainingLabels)} still needed).`;
  }
  if (eta.days === 0) return "Every item has all the labels it needs.";
  const days = Math.round(eta.days);
  const left = eta.days < 1 ? "less than a day" : `about ${days} ${days === 1 ? "day" : "days"}`;
  return `${labelCount(remainingLabels)} still needed at ${perDay.toFixed(1)} a day (the last 7 days' mean): ${left}, around ${finishFormat.format(new Date(`${eta.finishesOn}T00:00:00Z`))}.`;
}

export function PaceSection({ dashboard }: { dashboard: OverviewDashboard }) {
  const { throughput, costs } = dashboard;
  return (
    <section className="card" aria-labelledby="pace-heading">
      <h2 id="pace-heading">Pace</h2>
      <p className="muted">
        Labels submitted in Quorum (gold items and rejected labels left out) and versions published,
        per UTC day over the last 30 days.
      </p>
      <ThroughputChart days={throughput.days} />
      <details className="chart-table">
        <summary>Show as table</summary>
        <div className="table-wrap">
          <table className="data-table" data-table="throughput">
            <caption className="visually-hidden">
              Labels submitted and versions published per day, last 30 days (UTC)
            </caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col" className="numeric">
                  Labels submitted
                </th>
                <th scope="col" className="numeric">
                  Versions published
                </th>
              </tr>
            </thead>
            <tbody>
              {throughput.days.map((day) => (
                <tr key={day.day} data-day={day.day}>
                  <th scope="row">{formatDay(day.day)}</th>
                  <td className="numeric">{formatCount(day.labels)}</td>
                  <td className="numeric">{formatCount(day.published)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <p className="pace-estimate">
        <strong>Estimated finish:</strong>{" "}
        <span data-figure="eta">
          {etaSentence(throughput.eta, throughput.remainingLabels, throughput.recent.perDay)}
        </span>
      </p>
      {costs ? (
        <dl className="details" data-figures="costs">
          <div>
            <dt>Cost to date</dt>
            <dd data-figure="cost">{estimateText(costs.costCents, formatCents)}</dd>
          </div>
          <div>
            <dt>Cost per published item</dt>
            <dd data-figure="cost-per-published-item">
              {estimateText(costs.costPerPublishedItemCents, formatCents)}
            </dd>
          </div>
        </dl>
      ) : null}
    </section>
  );
}

export function AgreementSummary({
  agreement,
  qualityPath,
}: {
  agreement: OverviewDashboard["agreement"];
  qualityPath: string;
}) {
  return (
    <section className="card" aria-labelledby="agreement-summary-heading">
      <h2 id="agreement-summary-heading">Agreement</h2>
      <p className="muted">
        Krippendorff&apos;s alpha per field with its 95% interval: 1 is perfect agreement, 0 what
        chance would give; 0.8 or more is reliable. Span fields are compared by their overlap F1.
      </p>
      {agreement.length === 0 ? (
        <p className="empty-inline">This template has no field whose agreement can be measured.</p>
      ) : (
        <dl className="details" data-figures="agreement">
          {agreement.map((field) => (
            <div key={field.fieldId}>
              <dt>{field.label}</dt>
              <dd data-field={field.fieldId}>
                {field.metric === "span-f1"
                  ? field.spanOverlapF1
                    ? `overlap F1 ${estimateText(field.spanOverlapF1)}`
                    : reasonInWords("no-data")
                  : field.alpha.value === null
                    ? reasonInWords(field.alpha.reason)
                    : `α ${formatWithInterval(field.alpha.value, field.alphaCi.value)}`}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <p>
        <Link to={qualityPath}>All quality figures</Link>
      </p>
    </section>
  );
}

/** A day's figure for the table: the value, or in a few words why there is none. */
const dailyText = (figure: { value: number | null; reason: UndefinedReason | null }) =>
  figure.value !== null ? formatShare(figure.value) : reasonInWords(figure.reason ?? "no-data");

export function QualityOverTimeSection({
  series,
}: {
  series: OverviewDashboard["qualityOverTime"];
}) {
  const fieldIds = series.days[0]?.alpha.map((field) => field.fieldId) ?? [];
  return (
    <section className="card" aria-labelledby="quality-over-time-heading">
      <h2 id="quality-over-time-heading">Quality over time</h2>
      <p className="muted">
        Each day shows the items whose latest label was submitted that UTC day: Krippendorff&apos;s
        alpha per field among their annotators, and the share of their labels that agree with the
        item&apos;s final label. Days without such items are gaps.
      </p>
      <QualityOverTimeChart series={series} />
      <details className="chart-table">
        <summary>Show quality as table</summary>
        <div className="table-wrap">
          <table className="data-table" data-table="quality-over-time">
            <caption className="visually-hidden">
              Agreement and accuracy against the final label per day, last 30 days (UTC)
            </caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col" className="numeric">
                  Items
                </th>
                {fieldIds.map((fieldId) => (
                  <th key={fieldId} scope="col" className="numeric">
                    α {series.fieldLabels[fieldId] ?? fieldId}
                  </th>
                ))}
                <th scope="col" className="numeric">
                  Accuracy vs final
                </th>
              </tr>
            </thead>
            <tbody>
              {series.days.map((day) => (
                <tr key={day.day} data-day={day.day}>
                  <th scope="row">{formatDay(day.day)}</th>
                  <td className="numeric">{formatCount(day.items)}</td>
                  {day.alpha.map((field) => (
                    <td key={field.fieldId} className="numeric" data-field={field.fieldId}>
                      {dailyText(field)}
                    </td>
                  ))}
                  <td className="numeric" data-figure="accuracy-vs-final">
                    {dailyText(day.accuracyVsFinal)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
