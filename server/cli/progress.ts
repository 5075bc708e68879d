/**
 * A one-line progress bar for long CLI tasks, redrawn in place on stderr (at most ten times a
 * second, so that a fast loop does not flood a slow terminal). When stderr is not a terminal (a
 * log file, CI), nothing is redrawn: each stage writes one line, once it is complete.
 */
export class ProgressLine {
  private lastDrawn = 0;
  private drawing = false;
  private readonly logged = new Set<string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly interactive = true,
    private readonly width = 30,
  ) {}

  update(label: string, done: number, total: number, unit = ""): void {
    if (!this.interactive) {
      if (done < total || this.logged.has(label)) return;
      this.logged.add(label);
      this.write(`${label}: ${format(done)}/${format(total)}${unit}\n`);
      return;
    }
    const now = Date.now();
    if (done < total && now - this.lastDrawn < 100) return;
    this.lastDrawn = now;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * this.width);
    const bar = `${"#".repeat(filled)}${".".repeat(this.width - filled)}`;
    const counts = `${format(done)}/${format(total)}${unit}`;
    this.write(
      `\r${label.padEnd(10)} [${bar}] ${String(Math.round(share * 100)).padStart(3)}% ${counts}   `,
    );
    this.drawing = true;
  }

  /** Ends the current line, so that what follows starts on a line of its own. */
  finish(): void {
    if (!this.drawing) return;
    this.write("\n");
    this.drawing = false;
    this.lastDrawn = 0;
  }
}

function format(value: number): string {
  return value.toLocaleString("en-US");
}
