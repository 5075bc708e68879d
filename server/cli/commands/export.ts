import { createWriteStream, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import { Option, type Command } from "commander";
import {
  chatRoles,
  exportFormats,
  promptStyles,
  type ExportFormat,
  type PromptStyle,
} from "../../../app/domain/export.ts";
import { AppError, notFound } from "../../errors.ts";
import { prepareExport, type RunningExport } from "../../services/export.ts";
import { findUserByEmail } from "../../services/users.ts";
import { withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";
import { parseProjectId } from "../options.ts";

/**
 * Writes an export to a file through a temporary name, renamed into place only once complete, so
 * that a failed export never leaves a file that looks whole.
 */
async function writeExportFile(file: string, running: RunningExport): Promise<void> {
  const partial = `${file}.partial`;
  const output = createWriteStream(partial);
  try {
    await once(output, "open");
    for await (const chunk of running.chunks()) {
      if (!output.write(chunk)) await once(output, "drain");
    }
    output.end();
    await once(output, "finish");
    renameSync(partial, file);
  } catch (error) {
    output.destroy();
    rmSync(partial, { force: true });
    throw error instanceof AppError
      ? error
      : new AppError(
          "bad_request",
          `Cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`,
        );
  }
}

export function register(command: Command, io: CliIo): void {
  command
    .requiredOption("--project <id>", "the project to export", parseProjectId)
    .addOption(
      new Option("--format <format>", "what each line holds")
        .choices(exportFormats)
        .default("jsonl"),
    )
    .option(
      "--field <fieldId>",
      "the preference, ranking or rating field dpo, reward and kto read (default: the template's first)",
    )
    .addOption(
      new Option(
        "--prompt-style <style>",
        "dpo and reward: the prompt apart (explicit) or at the start of chosen and rejected (implicit, for older TRL versions)",
      ).choices(promptStyles),
    )
    .option("--out <file>", "write to this file instead of stdout")
    .option(
      "--as <email>",
      "export as this user, who must be allowed to export the project (default: the workspace itself, which sees what a lead sees)",
    )
    .action(
      (options: {
        project: number;
        format: ExportFormat;
        field?: string;
        promptStyle?: PromptStyle;
        out?: string;
        as?: string;
      }) =>
        withDatabase(io, async (database) => {
          const viewer = options.as
            ? ((await findUserByEmail(database.db, options.as)) ?? null)
            : null;
          if (options.as && !viewer) throw notFound(`No user with email ${options.as}`);
          const prepared = await prepareExport(database.db, viewer, options.project, {
            format: options.format,
            ...(options.field === undefined ? {} : { field: options.field }),
            ...(options.promptStyle === undefined ? {} : { promptStyle: options.promptStyle }),
          });
          const running = prepared.start();
          try {
            const { itemsWithOtherRoles } = await running.summary;
            if (options.out) {
              await writeExportFile(options.out, running);
              io.stdout(
                `Exported project ${options.project} as ${options.format} to ${options.out}.\n`,
              );
            } else {
              for await (const chunk of running.chunks()) {
                io.stdout(chunk);
                await io.stdoutDrained?.();
              }
            }
            // On stderr, which a pipe of the export itself does not read.
            if (itemsWithOtherRoles !== null && itemsWithOtherRoles > 0) {
              io.stderr(
                `Left out ${itemsWithOtherRoles} ${itemsWithOtherRoles === 1 ? "item" : "items"} whose conversation has roles other than ${chatRoles.join(", ")}, which ${options.format} does not take (jsonl, csv and label-studio keep them).\n`,
              );
            }
          } finally {
            await running.close();
          }
        }),
    );
}
