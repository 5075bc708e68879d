import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // When the endpoint's current run of failures began: the first failed attempt since its last
  // delivery, whichever events they were for (`failing_since` starts again with each event).
  `alter table webhook_endpoints add column unreachable_since timestamptz`,
  // When the dispatcher turned the endpoint off for having delivered nothing for too long; null
  // when it is on, or was turned off by someone.
  `alter table webhook_endpoints add column turned_off_at timestamptz`,
  `update webhook_endpoints set unreachable_since = failing_since where failing_since is not null`,
  // The delivery log is pruned by age.
  `create index webhook_attempts_created_idx on webhook_attempts (created_at)`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`drop index if exists webhook_attempts_created_idx`).execute(db);
  await sql
    .raw(
      `alter table webhook_endpoints drop column if exists unreachable_since,
         drop column if exists turned_off_at`,
    )
    .execute(db);
}
