import { useEffect, useRef } from "react";
import uPlot from "uplot";
import type { DailyThroughput } from "../../../server/services/throughput.ts";
import { formatCount } from "~/utils/figures.ts";

const CHART_HEIGHT = 220;
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

/**
 * The daily series as a uPlot line chart. uPlot draws on a canvas and measures the page, so it
 * is created in the browser only, after hydration; the table beside it (server-rendered) carries
 * the same numbers for readers without scripts or sight of the chart.
 */
export function ThroughputChart({ days }: { days: ReadonlyArray<DailyThroughput> }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const data: uPlot.AlignedData = [
      days.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1000),
      days.map((day) => day.labels),
      days.map((day) => day.published),
    ];
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: CHART_HEIGHT,
        // The days are UTC days, as in the table; the browser's zone would shift them.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
        // From zero, with room above the busiest day so that its point is not cut off.
        scales: { y: { range: (_plot, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
        series: [
          { label: "Day" },
          { label: "Labels submitted", stroke: "#1f5f8b", width: 2, points: { size: 5 } },
          { label: "Versions published", stroke: "#1e7b4f", width: 2, points: { size: 5 } },
        ],
        axes: [{}, { label: "per day", size: 50 }],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: element.clientWidth, height: CHART_HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days]);
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
