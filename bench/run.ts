import os from "node:os";
import { benchmarkCli } from "./cli.ts";
import { benchmarkEvents } from "./events.ts";
import { benchmarkImport } from "./import.ts";
import { benchmarkItemSearch } from "./item-search.ts";
import { benchmarkMetrics } from "./metrics.ts";
import { benchmarkQuality } from "./quality.ts";
import { benchmarkQueue } from "./queue.ts";
import { benchmarkRoomLog } from "./room-log.ts";
import { benchmarkSoak } from "./soak.ts";
import { benchmarkSync } from "./sync.ts";

/** What a benchmark reports: one Markdown table. */
export interface BenchmarkTable {
  title: string;
  columns: string[];
  rows: string[][];
}

const benchmarks: Record<string, () => Promise<BenchmarkTable>> = {
  cli: benchmarkCli,
  events: benchmarkEvents,
  import: benchmarkImport,
  search: benchmarkItemSearch,
  metrics: benchmarkMetrics,
  quality: benchmarkQuality,
  queue: benchmarkQueue,
  "room-log": benchmarkRoomLog,
  sync: benchmarkSync,
  soak: benchmarkSoak,
};

/** Benchmarks that take too long for a plain `npm run bench`: they run only when named. */
const onlyWhenNamed = new Set(["soak"]);

function markdown(table: BenchmarkTable): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${table.title}`,
    "",
    line(table.columns),
    line(table.columns.map((_, index) => (index === 0 ? "---" : "---:"))),
    ...table.rows.map(line),
    "",
  ].join("\n");
}

/**
 * `npm run bench [name]`: runs every benchmark, or those whose name contains the argument, and
 * prints Markdown tables for bench/RESULTS.md.
 */
async function main(): Promise<void> {
  const filter = process.argv[2];
  const selected = Object.entries(benchmarks).filter(([name]) =>
    filter === undefined ? !onlyWhenNamed.has(name) : name.includes(filter),
  );
  if (selected.length === 0) {
    process.stderr.write(
      `No benchmark matches "${filter}"; there are: ${Object.keys(benchmarks).join(", ")}\n`,
    );
    process.exitCode = 1;
    return;
  }
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(
    `${new Date().toISOString()}: Node ${process.version}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB, load average ${os.loadavg()[0].toFixed(2)}\n\n`,
  );
  for (const [, run] of selected) process.stdout.write(`${markdown(await run())}\n`);
}

await main();
