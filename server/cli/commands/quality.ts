import type { Command } from "commander";
import { projectQuality, type FieldAgreementQuality } from "../../services/quality.ts";
import { reader, withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";
import { parseProjectId } from "../options.ts";
import { coefficient, percent, table, writeJson } from "../output.ts";

/**
 * A field's agreement by its metric: alpha with its 95 % interval, or span F1 for spans; where
 * it is undefined, the reason's key (`--json` has every figure).
 */
function agreementCell(field: FieldAgreementQuality): string {
  if (field.metric === "span-f1" && field.spanF1) {
    const { overlap, exact } = field.spanF1;
    return `F1 ${coefficient(overlap.value)} overlap, ${coefficient(exact.value)} exact`;
  }
  if (field.alpha === null) return `– (${field.reason ?? "undefined"})`;
  const ci = field.alphaCi;
  return ci
    ? `${coefficient(field.alpha)} [${coefficient(ci[0])}, ${coefficient(ci[1])}]`
    : coefficient(field.alpha);
}

export function register(command: Command, io: CliIo): void {
  command
    .requiredOption("--project <id>", "the project", parseProjectId)
    .option(
      "--as <email>",
      "show them as this user sees them, who must be allowed to (default: as an admin sees them)",
    )
    .option(
      "--json",
      "print the API's JSON body (GET /api/v1/projects/:id/quality), with every figure and interval",
    )
    .action((options: { project: number; as?: string; json?: boolean }) =>
      withDatabase(io, async ({ db }) => {
        const quality = await projectQuality(db, await reader(db, options.as), options.project);
        if (options.json) {
          writeJson(io, { quality });
          return;
        }
        const numeric = new Set(["ITEMS", "FLEISS K", "LABELS", "VS FINAL", "GOLD", "RELIABILITY"]);
        io.stdout(
          `Agreement per field (Krippendorff's alpha with its 95% interval; F1 for spans):\n${table(
            ["FIELD", "METRIC", "AGREEMENT", "FLEISS K", "ITEMS"],
            quality.agreement.map((field) => [
              field.fieldId,
              field.metric,
              agreementCell(field),
              coefficient(field.fleissKappa.value),
              String(field.items),
            ]),
            numeric,
          )}`,
        );
        io.stdout(
          `\nPer annotator (accuracy against the final label and on gold items; Dawid–Skene reliability):\n${table(
            ["ANNOTATOR", "LEVEL", "LABELS", "VS FINAL", "GOLD", "RELIABILITY"],
            quality.annotators.map((row) => [
              row.annotator.name,
              row.annotator.level ?? "–",
              String(row.labels),
              percent(row.accuracyVsFinal.value),
              percent(row.goldAccuracy.value),
              percent(row.reliability.value),
            ]),
            numeric,
          )}`,
        );
      }),
    );
}
