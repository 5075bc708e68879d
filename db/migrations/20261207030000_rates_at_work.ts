import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const tables = ["annotations", "adjudication_time", "review_time"];

const statements = [
  // A piece of work costs the rate its person had when it was recorded: a label when it was
  // submitted, a panel member's time when the version was published, a reviewer's when the review
  // was decided. Until now every cost was the person's current rate × time, so a raise rewrote
  // what months of finished work had cost. The rows recorded so far take the rate their people
  // have now, which is what they cost until this migration.
  ...tables.map((table) => `alter table ${table} add column rate_cents_per_hour integer`),
  ...tables.map(
    (table) => `update ${table} set rate_cents_per_hour = users.hourly_rate_cents
      from users where users.id = ${table}.user_id`,
  ),
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of tables) {
    await sql.raw(`alter table ${table} drop column if exists rate_cents_per_hour`).execute(db);
  }
}
