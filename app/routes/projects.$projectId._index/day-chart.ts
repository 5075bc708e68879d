import { useEffect, useRef, type RefObject } from "react";
import uPlot from "uplot";

const CHART_HEIGHT = 220;

/** What a chart of UTC days draws: its options, without the size, which follows the page. */
export interface DayChart {
  options: Omit<uPlot.Options, "width" | "height" | "tzDate">;
  data: uPlot.AlignedData;
}

/** Each UTC day (`YYYY-MM-DD`) as the Unix seconds of its midnight, uPlot's x values. */
export function dayTimestamps(days: ReadonlyArray<{ day: string }>): number[] {
  return days.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1000);
}

/**
 * Draws `chart` with uPlot into the element the returned ref is given, as wide as it and redrawn
 * whenever `chart` changes (so pass a memoised value). uPlot draws on a canvas and measures the
 * page, so the chart is made in the browser only, after hydration; the table beside each chart
 * (server-rendered) carries the same numbers for readers without scripts or sight of it.
 */
export function useDayChart(chart: DayChart): RefObject<HTMLDivElement> {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const plot = new uPlot(
      {
        ...chart.options,
        width: element.clientWidth,
        height: CHART_HEIGHT,
        // The days are UTC days, as in the tables; the browser's zone would shift them.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
      },
      chart.data,
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
  }, [chart]);
  return container;
}
