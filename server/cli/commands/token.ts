import type { Command } from "commander";
import { AppError, notFound } from "../../errors.ts";
import { createApiToken } from "../../services/auth.ts";
import { findUserByEmail } from "../../services/users.ts";
import { withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";

export function register(command: Command, io: CliIo): void {
  command
    .command("create")
    .description(
      "Create an API token for a user and print it, alone, on stdout. It is shown only once.",
    )
    .requiredOption("--email <email>", "the user the token acts as")
    .option("--name <name>", "what the token is for", "cli")
    .action((options: { email: string; name: string }) =>
      withDatabase(io, async (database) => {
        const owner = await findUserByEmail(database.db, options.email);
        if (!owner) throw notFound(`No user with email ${options.email}`);
        if (owner.disabled_at) throw new AppError("forbidden", `${owner.email} is disabled`);
        const name = options.name.trim();
        if (name.length === 0 || name.length > 100) {
          throw new AppError("bad_request", "--name must be 1 to 100 characters");
        }
        const created = await createApiToken(database.db, owner.id, name);
        io.stdout(`${created.token}\n`);
      }),
    );
}
