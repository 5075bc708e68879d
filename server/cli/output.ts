import type { CliIo } from "./index.ts";

/**
 * Plain columns for people: a header, then one line per row, each column as wide as its widest
 * cell; columns named in `numeric` are right-aligned.
 */
export function table(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string>>,
  numeric: ReadonlySet<string> = new Set(),
): string {
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...rows.map((row) => (row[index] ?? "").length)),
  );
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, index) =>
        numeric.has(columns[index]!) ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!),
      )
      .join("  ")
      .trimEnd();
  return `${[line(columns), ...rows.map(line)].join("\n")}\n`;
}

/**
 * For scripts (`--json`): the body the API answers the same request with, byte for byte, on one
 * line (`jq` shows it to people).
 */
export function writeJson(io: CliIo, body: unknown): void {
  io.stdout(`${JSON.stringify(body)}\n`);
}

/** A share from 0 to 1 as a percentage; a dash where there is none. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? "–" : `${(share * 100).toFixed(0)}%`;
}

/** A coefficient (agreement, kappa) to two decimals; a dash where it is undefined. */
export function coefficient(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : value.toFixed(2);
}

/** A duration in milliseconds, as people read one: 850 ms, 42 s, 3 min 5 s. */
export function duration(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 1_000) return `${ms} ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
