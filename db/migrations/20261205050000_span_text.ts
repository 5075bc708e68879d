import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // Every stored span now carries its quoted text, the response text at its offsets counted in
  // UTF-16 code units. PostgreSQL counts characters (code points), so the quoting is a data step
  // with the application's own rule rather than SQL (docs/decisions/020-span-offsets.md).
  `insert into data_steps (name) values ('20261205050000_quote_stored_spans')
    on conflict (name) do nothing`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw("delete from data_steps where name = '20261205050000_quote_stored_spans'")
    .execute(db);
}
