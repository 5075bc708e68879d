import { randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

// A random secret of this deployment, made once here like its id: every instance reads the same
// one and restarts keep it. It keys decisions the server must be able to recompute but users must
// not predict (which turns of a queue serve gold items). SESSION_SECRET cannot serve: it may be
// unset (each instance then makes its own) or copied from an example.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table deployment add column secret text`.execute(db);
  await sql`update deployment set secret = ${randomBytes(32).toString("base64url")}`.execute(db);
  await sql`alter table deployment alter column secret set not null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table deployment drop column if exists secret`.execute(db);
}
