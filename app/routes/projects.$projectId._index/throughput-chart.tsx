import { useMemo } from "react";
import type { DailyThroughput } from "../../../server/services/throughput.ts";
import { formatCount } from "~/utils/figures.ts";
import { dayTimestamps, useDayChart, type DayChart } from "./day-chart.ts";

const dayFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});

/** A UTC day (`YYYY-MM-DD`) as "3 Dec". */
export function formatDay(day: string): string {
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}

/** One sentence for screen readers: what the chart shows and its totals and busiest day. */
export function throughputSummary(days: ReadonlyArray<DailyThroughput>): string {
  const labels = days.reduce((sum, day) => sum + day.labels, 0);
  const published = days.reduce((sum, day) => sum + day.published, 0);
  const span = `over the last ${days.length} days (UTC)`;
  if (labels === 0 && published === 0) {
    return `Labels submitted and versions published per day ${span}: none yet.`;
  }
  const busiest = days.reduce((best, day) => (day.labels > best.labels ? day : best), days[0]!);
  return (
    `Labels submitted and versions published per day ${span}: ` +
    `${formatCount(labels)} labels and ${formatCount(published)} published in all` +
    (busiest.labels > 0
      ? `; most labels on ${formatDay(busiest.day)} (${formatCount(busiest.labels)}).`
      : ".")
  );
}

/** The daily series as a line chart (see `useDayChart`). */
export function ThroughputChart({ days }: { days: ReadonlyArray<DailyThroughput> }) {
  const chart = useMemo<DayChart>(
    () => ({
      options: {
        // From zero, with room above the busiest day so that its point is not cut off.
        scales: { y: { range: (_plot, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
        series: [
          { label: "Day" },
          { label: "Labels submitted", stroke: "#1f5f8b", width: 2, points: { size: 5 } },
          { label: "Versions published", stroke: "#1e7b4f", width: 2, points: { size: 5 } },
        ],
        axes: [{}, { label: "per day", size: 50 }],
      },
      data: [dayTimestamps(days), days.map((day) => day.labels), days.map((day) => day.published)],
    }),
    [days],
  );
  const container = useDayChart(chart);
  return (
    <div
      ref={container}
      className="throughput-chart"
      role="img"
      aria-label={throughputSummary(days)}
      data-chart="throughput"
    />
  );
}
