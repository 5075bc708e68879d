import { Migrator, type Kysely, type MigrationResult } from "kysely";
import { migrations } from "./migrations/index.ts";
import type { Database } from "./schema.ts";

export class MigrationError extends Error {
  constructor(
    message: string,
    public readonly results: MigrationResult[],
  ) {
    super(message);
    this.name = "MigrationError";
  }
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === "Error");
    const cause = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      `Migration ${failed?.migrationName ?? "(unknown)"} failed: ${cause}`,
      results,
    );
  }
  return results.filter((result) => result.status === "Success").map((r) => r.migrationName);
}
