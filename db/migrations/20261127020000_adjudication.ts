import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // Experts a lead invites to an item's adjudication panel, beside the item's own annotators.
  `create table panel_members (
    item_id integer not null references items (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    added_by integer references users (id) on delete set null,
    created_at timestamptz not null default now(),
    primary key (item_id, user_id)
  )`,
  `create index panel_members_user_idx on panel_members (user_id)`,

  // A panel member's approval of the draft that is to become `version`, with the label they
  // approved: under a quorum publish rule only approvals of the label being published count.
  `create table publish_approvals (
    item_id integer not null references items (id) on delete cascade,
    version integer not null check (version >= 1),
    user_id integer not null references users (id) on delete cascade,
    label jsonb not null,
    created_at timestamptz not null default now(),
    primary key (item_id, version, user_id)
  )`,

  // When the current round of adjudication began (the room's first opening, or the reopening):
  // a published version records the time spent since.
  `alter table items add column adjudication_started_at timestamptz`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("alter table items drop column if exists adjudication_started_at").execute(db);
  await sql.raw("drop table if exists publish_approvals").execute(db);
  await sql.raw("drop table if exists panel_members").execute(db);
}
