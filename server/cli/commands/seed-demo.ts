import type { Command } from "commander";
import { seedDemoWorkspace } from "../../services/seed.ts";
import { withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";

export function register(command: Command, io: CliIo): void {
  command.action(() =>
    withDatabase(io, async (database) => {
      const result = await seedDemoWorkspace(database.db);
      if (result.seeded) {
        const { users, projects, items, annotations } = result.summary;
        io.stdout(
          `Created the demo workspace: ${users} users, ${projects} projects, ${items} items, ${annotations} annotations.\nSign in as lead@demo.quorum with password quorum-demo.\n`,
        );
      } else {
        io.stdout(
          `Nothing to do: demo users already exist (${result.existingUsers.join(", ")}).\n`,
        );
      }
    }),
  );
}
