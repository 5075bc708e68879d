import { Migrator, sql, type Kysely } from "kysely";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../db/client.ts";
import { migrations } from "../../db/migrations/index.ts";
import type { Database } from "../../db/schema.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

/** A database of its own, migrated to just before one migration, for a test of what it does. */
export interface DatabaseBeforeMigration {
  db: Kysely<Database>;
  /** Moves the schema to the named migration, up or down. */
  migrateTo(name: string): Promise<void>;
  /** The migration just before the one under test. */
  before: string;
}

async function openDatabaseBefore(
  migration: string,
): Promise<DatabaseBeforeMigration & { close(): Promise<void> }> {
  if (!(migration in migrations)) throw new Error(`no migration is named ${migration}`);
  const before = Object.keys(migrations)
    .sort()
    .filter((name) => name < migration)
    .at(-1)!;
  const testDatabase: TestDatabase = await createTestDatabase({ empty: true });
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase({
      databaseUrl: testDatabase.databaseUrl,
      pgliteDataDir: testDatabase.databaseUrl ? undefined : "memory://",
    });
    const { db } = handle;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const migrateTo = async (name: string) => {
      const { error } = await migrator.migrateTo(name);
      if (error) throw error;
    };
    await migrateTo(before);
    const opened = handle;
    return {
      db,
      migrateTo,
      before,
      close: async () => {
        await opened.close();
        await testDatabase.drop();
      },
    };
  } catch (error) {
    await handle?.close();
    await testDatabase.drop();
    throw error;
  }
}

/**
 * The database of `openDatabaseBefore` for a test file: opened before its tests, closed and
 * dropped after them.
 */
export function databaseBeforeMigration(migration: string): DatabaseBeforeMigration {
  let opened: Awaited<ReturnType<typeof openDatabaseBefore>> | undefined;
  beforeAll(async () => {
    opened = await openDatabaseBefore(migration);
  });
  afterAll(async () => {
    await opened?.close();
  });
  const current = () => {
    if (!opened) throw new Error("the database opens before the file's tests run");
    return opened;
  };
  return {
    get db() {
      return current().db;
    },
    get before() {
      return current().before;
    },
    migrateTo: (name) => current().migrateTo(name),
  };
}

/**
 * Users as a migration's day stored them, written in SQL rather than through today's services,
 * one after another in the order given: their ids, in that order.
 */
export async function insertUsers(db: Kysely<Database>, names: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const name of names) {
    const { rows } = await sql<{ id: number }>`
      insert into users (email, name, password_hash) values (${`${name}@example.test`}, ${name}, 'x')
      returning id
    `.execute(db);
    ids.push(rows[0].id);
  }
  return ids;
}

/** A project with one text field, as a migration's day stored one. */
export async function insertProject(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    insert into projects (name, template)
    values ('Legacy', '{"fields": [{"id": "verdict", "type": "text", "label": "Verdict"}]}')
    returning id
  `.execute(db);
  return rows[0].id;
}

/** An item of one response; its external id doubles as its content hash. */
export async function insertItem(
  db: Kysely<Database>,
  projectId: number,
  externalId = "q-1",
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    insert into items (project_id, external_id, prompt, responses, content_hash)
    values (${projectId}, ${externalId}, '"Dose?"', '[{"id": "a", "text": "5 mg"}]', ${externalId})
    returning id
  `.execute(db);
  return rows[0].id;
}
