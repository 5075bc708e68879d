import type { Command } from "commander";
import { projectProgress } from "../../services/progress.ts";
import { reader, withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";
import { parseProjectId } from "../options.ts";
import { duration, percent, table, writeJson } from "../output.ts";

export function register(command: Command, io: CliIo): void {
  command
    .requiredOption("--project <id>", "the project", parseProjectId)
    .option(
      "--as <email>",
      "show it as this user sees it, who must be allowed to (default: as an admin sees it)",
    )
    .option(
      "--json",
      "print the API's JSON body (GET /api/v1/projects/:id/progress), costs included where the viewer sees them",
    )
    .action((options: { project: number; as?: string; json?: boolean }) =>
      withDatabase(io, async ({ db }) => {
        const progress = await projectProgress(db, await reader(db, options.as), options.project);
        if (options.json) {
          writeJson(io, progress);
          return;
        }
        const { items, goldItems, done, labels, byStatus } = progress;
        const statuses = Object.entries(byStatus)
          .filter(([, count]) => count > 0)
          .map(([status, count]) => `${status} ${count}`);
        io.stdout(
          [
            `Project ${options.project}: ${items} items (and ${goldItems} gold), ${done} done (${percent(items === 0 ? null : done / items)}).`,
            `By status: ${statuses.length === 0 ? "no items" : statuses.join(", ")}.`,
            `Labels: ${labels.given} given of ${labels.needed} needed (${percent(labels.needed === 0 ? null : labels.given / labels.needed)}).`,
            "",
          ].join("\n"),
        );
        if (progress.annotators.length === 0) return;
        io.stdout(
          `\n${table(
            ["ANNOTATOR", "LEVEL", "LABELS", "GOLD", "MEAN TIME"],
            progress.annotators.map((annotator) => [
              annotator.name,
              annotator.level ?? "–",
              String(annotator.labels),
              String(annotator.goldAnswers),
              duration(annotator.meanDurationMs),
            ]),
            new Set(["LABELS", "GOLD", "MEAN TIME"]),
          )}`,
        );
      }),
    );
}
