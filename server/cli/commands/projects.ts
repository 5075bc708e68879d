import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { findPreset, presets } from "../../../app/domain/presets.ts";
import { AppError } from "../../errors.ts";
import { createProject } from "../../services/project-admin.ts";
import { listVisibleProjects, type ProjectSummary } from "../../services/projects.ts";
import { reader, userByEmail, withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";
import { parsePositiveInteger } from "../options.ts";
import { table, writeJson } from "../output.ts";

const presetIds = presets.map((preset) => preset.id).join(", ");

/**
 * `--template`: a preset's id, or a JSON file holding a template (`{ "fields": [...] }`), as the
 * API's `preset` and `template` fields take them.
 */
function templateOption(value: string): { preset: string } | { template: unknown } {
  if (findPreset(value)) return { preset: value };
  let text: string;
  try {
    text = readFileSync(value, "utf8");
  } catch {
    throw new AppError(
      "bad_request",
      `--template ${value} is neither a preset (${presetIds}) nor a readable file`,
    );
  }
  try {
    return { template: JSON.parse(text) as unknown };
  } catch (error) {
    throw new AppError(
      "bad_request",
      `${value} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function projectRows(projects: readonly ProjectSummary[]): string[][] {
  return projects.map((project) => {
    const counts = Object.values(project.itemCounts);
    const items = counts.reduce((sum, count) => sum + count, 0);
    const done = (project.itemCounts.consensus ?? 0) + (project.itemCounts.published ?? 0);
    // Annotators get no counts by status (they would tell gold items apart), not zeros.
    const uncounted = project.role === "annotator" && counts.length === 0;
    return [
      String(project.id),
      project.name,
      project.domain ?? "–",
      project.role ?? "–",
      uncounted ? "–" : String(items),
      uncounted ? "–" : String(done),
      project.archived ? "archived" : "active",
    ];
  });
}

export function register(command: Command, io: CliIo): void {
  command
    .command("list")
    .description(
      "List the projects the user belongs to (every project for an admin), newest first.",
    )
    .option("--as <email>", "list them as this user sees them (default: as an admin sees them)")
    .option("--json", "print the API's JSON body (GET /api/v1/projects)")
    .action((options: { as?: string; json?: boolean }) =>
      withDatabase(io, async ({ db }) => {
        const projects = await listVisibleProjects(db, await reader(db, options.as));
        if (options.json) {
          writeJson(io, { projects });
          return;
        }
        if (projects.length === 0) {
          io.stdout("No projects.\n");
          return;
        }
        io.stdout(
          table(
            ["ID", "NAME", "DOMAIN", "ROLE", "ITEMS", "DONE", "STATE"],
            projectRows(projects),
            new Set(["ID", "ITEMS", "DONE"]),
          ),
        );
      }),
    );

  command
    .command("create")
    .description("Create a project, led by the --as user.")
    .requiredOption("--name <name>", "the project's name")
    .requiredOption(
      "--template <preset-or-file>",
      `a preset (${presetIds}) or a JSON file with a template ({ "fields": [...] })`,
    )
    .option("--description <text>", "what the project is for")
    .option(
      "--domain <domain>",
      "medical, legal, code, science, finance, general or language:<bcp47> (default: the preset's)",
    )
    .option("--overlap <n>", "annotations each item needs (default 3)", parsePositiveInteger)
    .option("--auto-publish-consensus", "publish an item once its annotators agree")
    .requiredOption(
      "--as <email>",
      "the user who creates and leads it: an admin, or a lead of another project",
    )
    .option("--json", "print the API's JSON body (POST /api/v1/projects)")
    .action(
      (options: {
        name: string;
        template: string;
        description?: string;
        domain?: string;
        overlap?: number;
        autoPublishConsensus?: boolean;
        as: string;
        json?: boolean;
      }) =>
        withDatabase(io, async ({ db }) => {
          const creator = await userByEmail(db, options.as);
          const project = await createProject(db, creator, {
            name: options.name,
            ...templateOption(options.template),
            ...(options.description === undefined ? {} : { description: options.description }),
            ...(options.domain === undefined ? {} : { domain: options.domain }),
            ...(options.overlap === undefined ? {} : { overlap: options.overlap }),
            ...(options.autoPublishConsensus ? { autoPublishConsensus: true } : {}),
          });
          if (options.json) writeJson(io, { project });
          else
            io.stdout(
              `Created project ${project.id} (${project.name}), led by ${creator.email}.\n`,
            );
        }),
    );
}
