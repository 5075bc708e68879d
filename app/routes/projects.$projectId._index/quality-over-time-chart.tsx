import { useMemo } from "react";
import type { DailyQuality } from "../../../server/services/quality-over-time.ts";
import { formatCount, formatShare } from "~/utils/figures.ts";
import { dayTimestamps, useDayChart, type DayChart } from "./day-chart.ts";
import { formatDay } from "./throughput-chart.tsx";

/** Line colours, field by field, then the accuracy line in its own. */
const FIELD_STROKES = ["#1f5f8b", "#8b5a1f", "#6b3fa0", "#1e7b7b", "#a03f5f", "#4f6b1e"];
const ACCURACY_STROKE = "#1e7b4f";

export interface QualitySeries {
  days: ReadonlyArray<DailyQuality>;
  /** Field id → the label the template gives it. */
  fieldLabels: Readonly<Record<string, string>>;
}

/** One sentence for screen readers: what the chart shows and the latest day with figures. */
export function qualitySummary({ days, fieldLabels }: QualitySeries): string {
  const span = `over the last ${days.length} days (UTC), by the day each item's latest label was submitted`;
  const latest = [...days].reverse().find((day) => day.items > 0);
  if (!latest) return `Agreement and accuracy against the final label per day ${span}: none yet.`;
  const alphas = latest.alpha
    .filter((field) => field.value !== null)
    .map(
      (field) => `${fieldLabels[field.fieldId] ?? field.fieldId} α ${formatShare(field.value!)}`,
    );
  const accuracy =
    latest.accuracyVsFinal.value === null
      ? []
      : [`accuracy against the final label ${formatShare(latest.accuracyVsFinal.value)}`];
  const figures = [...alphas, ...accuracy];
  return (
    `Agreement and accuracy against the final label per day ${span}; on ` +
    `${formatDay(latest.day)}, ${formatCount(latest.items)} items` +
    (figures.length > 0 ? `: ${figures.join(", ")}.` : ", with no figure yet.")
  );
}

/**
 * The daily quality series as a uPlot line chart, one line per field's alpha and one for
 * accuracy against the final label; a day without a figure is a gap, never a zero. Created in
 * the browser only, as the throughput chart is; the table beside it carries the same numbers.
 */
export function QualityOverTimeChart({ series }: { series: QualitySeries }) {
  const { days, fieldLabels } = series;
  const chart = useMemo<DayChart>(() => {
    const fieldIds = days[0]?.alpha.map((field) => field.fieldId) ?? [];
    return {
      options: {
        // Alpha can fall below zero; both figures reach at most 1.
        scales: { y: { range: (_plot, min) => [Math.min(0, Math.floor(min * 10) / 10), 1] } },
        series: [
          { label: "Day" },
          ...fieldIds.map((fieldId, index) => ({
            label: `α ${fieldLabels[fieldId] ?? fieldId}`,
            stroke: FIELD_STROKES[index % FIELD_STROKES.length],
            width: 2,
            points: { size: 5 },
          })),
          {
            label: "Accuracy vs final",
            stroke: ACCURACY_STROKE,
            width: 2,
            dash: [6, 4],
            points: { size: 5 },
          },
        ],
        axes: [{}, { size: 50 }],
      },
      data: [
        dayTimestamps(days),
        ...fieldIds.map((fieldId) =>
          days.map((day) => day.alpha.find((field) => field.fieldId === fieldId)?.value ?? null),
        ),
        days.map((day) => day.accuracyVsFinal.value),
      ],
    };
  }, [days, fieldLabels]);
  const container = useDayChart(chart);
  return (
    <div
      ref={container}
      className="throughput-chart"
      role="img"
      aria-label={qualitySummary(series)}
      data-chart="quality-over-time"
    />
  );
}
