import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // Work a migration asks the server to do once, with the application's rules of its day, where
  // those rules are too much to copy into a frozen migration. The server runs every pending step
  // after migrating, before it serves (docs/decisions/018-label-truth.md).
  `create table data_steps (
    name text primary key,
    requested_at timestamptz not null default now(),
    done_at timestamptz,
    outcome jsonb
  )`,

  // A published version that the current rules would not have let through: it fails the check a
  // final label passes ('invalid', e.g. a required field missing), or it is a consensus published
  // automatically that the current rule would not settle on ('consensus_changed'). Versions stay
  // immutable; a flag asks a lead to reopen the item.
  `create table version_flags (
    item_id integer not null references items (id) on delete cascade,
    version integer not null,
    reason text not null check (reason in ('invalid', 'consensus_changed')),
    details jsonb not null default '[]',
    created_at timestamptz not null default now(),
    primary key (item_id, version, reason)
  )`,

  // Consensus items and published versions settled by the rules before decision 018 are checked
  // again under the rule that detection and aggregation now share.
  `insert into data_steps (name) values ('20261205040000_recheck_settled_items')`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop table if exists version_flags").execute(db);
  await sql.raw("drop table if exists data_steps").execute(db);
}
