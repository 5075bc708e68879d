import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../db/client.ts";
import { migrateToLatest } from "../../db/migrate.ts";

export interface TestDatabase {
  /** Set when the tests run against PostgreSQL (DATABASE_URL); undefined on PGlite. */
  databaseUrl: string | undefined;
  /** A fresh directory for QUORUM_DATA_DIR (PGlite keeps its files under it). */
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * A fresh database of its own, a copy of the migrated template: on PostgreSQL a database, on
 * PGlite the template's directory. With `empty`, one with no schema at all (on PGlite an empty
 * directory), which the server under test migrates as on a first start.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "quorum-test-"));
  const templateUrl = inject("templateDatabaseUrl");
  if (!templateUrl) {
    const templateDir = inject("pgliteTemplateDir");
    if (templateDir && !options.empty) {
      // The template was closed cleanly, so its lock file is gone and the copy is a directory
      // no process has open.
      cpSync(path.join(templateDir, "pgdata"), path.join(dataDir, "pgdata"), { recursive: true });
    }
    return {
      databaseUrl: undefined,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const template = new URL(templateUrl);
  const templateName = template.pathname.slice(1);
  const name = `${templateName}_${randomBytes(4).toString("hex")}`;
  const admin = new URL(templateUrl);
  admin.pathname = "/postgres";
  await runAdmin(
    admin.toString(),
    `create database ${name} template ${options.empty ? "template0" : templateName}`,
  );
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      await runAdmin(admin.toString(), `drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function runAdmin(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Opens a test database directly (for service-level tests that need no HTTP server). */
export async function openTestDatabase(): Promise<DatabaseHandle & { drop(): Promise<void> }> {
  const testDatabase = await createTestDatabase();
  const handle = await openDatabase({
    databaseUrl: testDatabase.databaseUrl,
    pgliteDataDir: path.join(testDatabase.dataDir, "pgdata"),
    pgliteAccess: "owner",
  });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    async drop() {
      await handle.close();
      await testDatabase.drop();
    },
  };
}

/**
 * Opens the database that a Quorum process (server or CLI) used for `testDatabase`, as the CLI
 * opens it, runs `task`, and closes it again. On PGlite that is through the socket of a server
 * that has the directory open, or else directly under the directory's lock, which keeps every
 * other process out until `task` is done.
 */
export async function inTestDatabase<T>(
  testDatabase: TestDatabase,
  task: (database: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const database = await openDatabase({
    databaseUrl: testDatabase.databaseUrl,
    pgliteDataDir: path.join(testDatabase.dataDir, "pgdata"),
  });
  try {
    return await task(database);
  } finally {
    await database.close();
  }
}
