import { InvalidArgumentError, Option, type Command } from "commander";
import { createUser, MIN_PASSWORD_CHARACTERS } from "../../services/users.ts";
import { withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";

function parseRate(value: string): number {
  const rate = Number(value);
  if (value.trim() === "" || !Number.isFinite(rate) || rate < 0) {
    throw new InvalidArgumentError("must be a non-negative number, e.g. 120 or 85.50");
  }
  return rate;
}

function parseDomains(value: string): string[] {
  return value
    .split(",")
    .map((domain) => domain.trim())
    .filter((domain) => domain.length > 0);
}

export function register(command: Command, io: CliIo): void {
  command
    .command("create")
    .description("Create a user who signs in with email and password.")
    .requiredOption("--email <email>", "the sign-in email")
    .requiredOption("--name <name>", "the name shown to others")
    .requiredOption("--password <password>", `at least ${MIN_PASSWORD_CHARACTERS} characters`)
    .option("--admin", "make the user a workspace admin", false)
    .addOption(
      new Option("--level <level>", "annotator level").choices(["junior", "expert"] as const),
    )
    .option(
      "--domains <domains>",
      "comma-separated domains: medical, legal, code, science, finance, general, language:<bcp47>",
      parseDomains,
    )
    .option("--rate <rate>", "hourly rate, in the workspace currency", parseRate)
    .action(
      (options: {
        email: string;
        name: string;
        password: string;
        admin: boolean;
        level?: "junior" | "expert";
        domains?: string[];
        rate?: number;
      }) =>
        withDatabase(io, async (database) => {
          const created = await createUser(database.db, {
            email: options.email,
            name: options.name,
            password: options.password,
            isAdmin: options.admin,
            level: options.level ?? null,
            domains: options.domains ?? [],
            hourlyRate: options.rate ?? null,
          });
          io.stdout(
            `Created user ${created.id} ${created.email}${created.is_admin ? " (admin)" : ""}.\n`,
          );
        }),
    );
}
