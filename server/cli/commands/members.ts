import { Option, type Command } from "commander";
import { notFound } from "../../errors.ts";
import {
  listVisibleProjectMembers,
  removeProjectMember,
  setProjectMember,
} from "../../services/project-admin.ts";
import { findUserByEmail } from "../../services/users.ts";
import { reader, userByEmail, withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";
import { parseProjectId } from "../options.ts";
import { table, writeJson } from "../output.ts";

export function register(command: Command, io: CliIo): void {
  command
    .command("list")
    .description(
      "List a project's members; annotators appear under pseudonyms where the viewer sees them so.",
    )
    .requiredOption("--project <id>", "the project", parseProjectId)
    .option("--as <email>", "list them as this user sees them (default: as an admin sees them)")
    .option("--json", "print the API's JSON body (GET /api/v1/projects/:id/members)")
    .action((options: { project: number; as?: string; json?: boolean }) =>
      withDatabase(io, async ({ db }) => {
        const members = await listVisibleProjectMembers(
          db,
          await reader(db, options.as),
          options.project,
        );
        if (options.json) {
          writeJson(io, { members });
          return;
        }
        io.stdout(
          table(
            ["USER", "NAME", "EMAIL", "ROLE", "LEVEL", "DOMAINS"],
            members.map((member) => [
              member.userId === null ? "–" : String(member.userId),
              member.name,
              member.email ?? "–",
              member.role,
              member.level ?? "–",
              member.domains.join(",") || "–",
            ]),
            new Set(["USER"]),
          ),
        );
      }),
    );

  command
    .command("add")
    .description("Add a user to a project, or change the role of one who belongs to it.")
    .requiredOption("--project <id>", "the project", parseProjectId)
    .requiredOption("--email <email>", "the user to add")
    .addOption(
      new Option("--role <role>", "their role in the project")
        .choices(["lead", "annotator", "client"] as const)
        .makeOptionMandatory(),
    )
    .requiredOption("--as <email>", "the user who adds them: an admin or a lead of the project")
    .option("--json", "print the API's JSON body (POST /api/v1/projects/:id/members)")
    .action(
      (options: { project: number; email: string; role: string; as: string; json?: boolean }) =>
        withDatabase(io, async ({ db }) => {
          const actor = await userByEmail(db, options.as);
          const { member, created } = await setProjectMember(db, actor, options.project, {
            email: options.email,
            role: options.role,
          });
          if (options.json) writeJson(io, { member });
          else
            io.stdout(
              `${created ? "Added" : "Updated"} ${member.email} as ${member.role} of project ${options.project}.\n`,
            );
        }),
    );

  command
    .command("remove")
    .description("Remove a user from a project; their reserved items go back to the queue.")
    .requiredOption("--project <id>", "the project", parseProjectId)
    .requiredOption("--email <email>", "the member to remove")
    .requiredOption("--as <email>", "the user who removes them: an admin or a lead of the project")
    .action((options: { project: number; email: string; as: string }) =>
      withDatabase(io, async ({ db }) => {
        const actor = await userByEmail(db, options.as);
        const member = await findUserByEmail(db, options.email);
        if (!member) throw notFound(`No user with email ${options.email.trim()}`);
        await removeProjectMember(db, actor, options.project, member.id);
        io.stdout(`Removed ${member.email} from project ${options.project}.\n`);
      }),
    );
}
