import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // One row naming this deployment, made once here: every instance of the deployment reads the
  // same id, and restarts keep it. It keeps deployments that share a Redis apart (their rooms'
  // channels are namespaced by it).
  `create table deployment (
    singleton boolean primary key default true check (singleton),
    id text not null,
    created_at timestamptz not null default now()
  )`,
  `insert into deployment (id) values (gen_random_uuid()::text)`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop table if exists deployment").execute(db);
}
