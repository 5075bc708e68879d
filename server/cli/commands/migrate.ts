import type { Command } from "commander";
import { withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";

export function register(command: Command, io: CliIo): void {
  command.action(() =>
    withDatabase(
      io,
      async (database, migrations) => {
        io.stdout(
          migrations.length === 0
            ? `The ${database.kind} database is up to date.\n`
            : `Applied ${migrations.length} migration(s) to the ${database.kind} database:\n${migrations.map((name) => `  ${name}\n`).join("")}`,
        );
      },
      { alwaysMigrate: true },
    ),
  );
}
