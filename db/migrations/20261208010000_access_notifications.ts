import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

// Every statement that can end someone's access (a membership removed or its role changed, an
// account disabled or its admin right taken away, a session ended, a token revoked, a panel seat
// given up, a label rejected in review) notifies `quorum_access` when its transaction commits,
// whoever ran it: this instance, another one, the quorum CLI, SQL typed by hand. Each server
// listens and checks its open connections again at once. Notifications of one transaction on
// one channel with one payload are delivered once.

const triggers: Array<{ table: string; events: string }> = [
  { table: "project_members", events: "update or delete" },
  { table: "users", events: "update of is_admin, disabled_at or delete" },
  { table: "sessions", events: "delete" },
  { table: "api_tokens", events: "update of revoked_at or delete" },
  { table: "panel_members", events: "delete" },
  { table: "reviews", events: "update of verdict" },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function quorum_access_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('quorum_access', '');
      return null;
    end
    $$
  `.execute(db);
  for (const { table, events } of triggers) {
    await sql`
      create trigger ${sql.raw(`${table}_access_changed`)}
      after ${sql.raw(events)} on ${sql.table(table)}
      for each statement execute function quorum_access_changed()
    `.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const { table } of triggers) {
    await sql`drop trigger if exists ${sql.raw(`${table}_access_changed`)} on ${sql.table(table)}`.execute(
      db,
    );
  }
  await sql`drop function if exists quorum_access_changed()`.execute(db);
}
