import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // A project's quality figures as a lead sees them, kept where every process and instance can
  // read them: a large project takes seconds to compute, and a process that starts, or one that
  // has not computed the project yet, answers from here while it computes. `fingerprint` is
  // what the figures were computed from; `matched_at` when the data were last seen to have it.
  // `format` is the shape of `figures`: a release that changes it ignores older rows.
  `create table quality_snapshots (
    project_id integer primary key references projects (id) on delete cascade,
    format integer not null,
    fingerprint text not null,
    figures text not null,
    compute_ms integer not null,
    matched_at timestamptz not null,
    computed_at timestamptz not null default now()
  )`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop table if exists quality_snapshots").execute(db);
}
