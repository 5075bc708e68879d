import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // An assignment's working time so far, measured by the server from its activity instants (the
  // reservation, draft saves, heartbeats): the sum of the gaps between them, each counted up to
  // the idle threshold, and the latest instant (docs/decisions/021-working-time.md).
  `alter table assignments add column active_ms integer not null default 0 check (active_ms >= 0)`,
  `alter table assignments add column last_active_at timestamptz`,

  // A label's working time as the server measured it; null where nothing was measured (imports,
  // labels submitted before this migration). `duration_ms` stays the client's claim, bounded.
  `alter table annotations add column active_ms integer check (active_ms >= 0)`,

  // A claim beyond the wall time between the reservation and the submission cannot be true:
  // such claims, stored before claims were bounded, are cut to that wall time.
  `update annotations set duration_ms = bounded.wall_ms
    from (
      select annotations.id,
        greatest(0, floor(extract(epoch from (annotations.submitted_at - assignments.reserved_at)) * 1000))::integer as wall_ms
      from annotations
      join assignments
        on assignments.item_id = annotations.item_id and assignments.user_id = annotations.user_id
      where annotations.source = 'quorum' and annotations.duration_ms is not null
    ) as bounded
    where annotations.id = bounded.id and annotations.duration_ms > bounded.wall_ms`,

  // Time people spent on a room (awareness and document updates they sent, the review page's
  // heartbeats, publishing or deciding) not yet settled on a version or a review decision.
  `create table room_time (
    doc_name text not null,
    user_id integer not null references users (id) on delete cascade,
    active_ms integer not null default 0 check (active_ms >= 0),
    last_active_at timestamptz,
    primary key (doc_name, user_id)
  )`,

  // Each person's time on a published version's room, for its cost.
  `create table adjudication_time (
    item_id integer not null,
    version integer not null,
    user_id integer not null references users (id) on delete cascade,
    active_ms integer not null check (active_ms >= 0),
    primary key (item_id, version, user_id),
    foreign key (item_id, version) references adjudications (item_id, version) on delete cascade
  )`,

  // Versions published before this migration recorded the wall clock since the room first
  // opened; versions cannot change, so the column says which measure each one holds.
  `alter table adjudications add column time_spent_kind text not null default 'wall_clock'
    check (time_spent_kind in ('wall_clock', 'person_time'))`,
  `alter table adjudications alter column time_spent_kind set default 'person_time'`,

  // Each person's time on a review until its decision, and their total.
  `alter table reviews add column time_spent_ms integer check (time_spent_ms >= 0)`,
  `create table review_time (
    review_id integer not null references reviews (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    active_ms integer not null check (active_ms >= 0),
    primary key (review_id, user_id)
  )`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop table if exists review_time").execute(db);
  await sql.raw("alter table reviews drop column if exists time_spent_ms").execute(db);
  await sql.raw("alter table adjudications drop column if exists time_spent_kind").execute(db);
  await sql.raw("drop table if exists adjudication_time").execute(db);
  await sql.raw("drop table if exists room_time").execute(db);
  await sql.raw("alter table annotations drop column if exists active_ms").execute(db);
  await sql.raw("alter table assignments drop column if exists last_active_at").execute(db);
  await sql.raw("alter table assignments drop column if exists active_ms").execute(db);
}
