import path from "node:path";
import { sql, type Kysely } from "kysely";
import { openDatabase, type DatabaseHandle } from "../../db/client.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { migrations } from "../../db/migrations/index.ts";
import type { Database, User } from "../../db/schema.ts";
import { loadConfig } from "../config.ts";
import { AppError, notFound } from "../errors.ts";
import { runDataSteps } from "../services/data-steps.ts";
import { findUserByEmail } from "../services/users.ts";
import type { CliIo } from "./index.ts";

const newestMigration = Object.keys(migrations).sort().at(-1);

/** PostgreSQL's SQLSTATE for a table that does not exist. */
const UNDEFINED_TABLE = "42P01";

/**
 * Whether the newest migration this version knows is the newest applied: one indexed read, where
 * the migrator would take its lock and read every applied migration on each command. It is also
 * the command's first query, so a database that cannot be reached fails here, as itself, rather
 * than as a migration that failed.
 */
async function schemaIsCurrent(db: Kysely<Database>): Promise<boolean> {
  try {
    const { rows } = await sql<{
      name: string;
    }>`select name from kysely_migration order by name desc limit 1`.execute(db);
    return rows[0]?.name === newestMigration;
  } catch (error) {
    // No migration table yet: a new database.
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return false;
    throw error;
  }
}

/**
 * Opens the database the server would use (DATABASE_URL, or PGlite under QUORUM_DATA_DIR: through
 * the running server's socket, or directly under the lock when no server runs), brings its schema
 * up to date unless it is, runs `task`, and closes the database whatever happens. `task` is given
 * the migrations applied.
 */
export async function withDatabase<T>(
  io: CliIo,
  task: (database: DatabaseHandle, migrations: string[]) => Promise<T>,
  options: { alwaysMigrate?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: path.join(config.dataDir, "pgdata"),
    maxConnections: 2,
    onWait: (server) =>
      io.stderr(`Waiting for the Quorum server (pid ${server.pid}) to finish starting…\n`),
  });
  try {
    const current = (await schemaIsCurrent(database.db)) && !options.alwaysMigrate;
    const applied = current ? [] : await migrateToLatest(database.db);
    await runDataSteps(database.db);
    return await task(database, applied);
  } finally {
    await database.close();
  }
}

/** The user named by `--as`, who must exist and be enabled, as the API requires of a caller. */
export async function userByEmail(db: Kysely<Database>, email: string): Promise<User> {
  const user = await findUserByEmail(db, email);
  if (!user) throw notFound(`No user with email ${email.trim()}`);
  if (user.disabled_at) throw new AppError("forbidden", `${user.email} is disabled`);
  return user;
}

/**
 * The workspace itself, for a command run without `--as`: an operator with access to the
 * database sees what an admin sees, as a member of no project. It exists in no table, so it
 * only reads: a command that changes something is run `--as` a person, whom the audit log names.
 */
const workspaceOperator: User = {
  id: 0,
  email: "",
  name: "the workspace",
  password_hash: null,
  is_admin: true,
  level: null,
  domains: [],
  hourly_rate_cents: null,
  created_at: new Date(0),
  disabled_at: null,
  last_seen_at: null,
};

/** Who a reading command acts as: the `--as` user, or the workspace operator. */
export async function reader(db: Kysely<Database>, as: string | undefined): Promise<User> {
  return as === undefined ? workspaceOperator : userByEmail(db, as);
}
