import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

/**
 * Above this many bytes of content, an item's search vector is made from its first this many
 * characters: PostgreSQL refuses a tsvector over 1 MB, and a text of short distinct words grows
 * about threefold into one.
 */
const searchedBytes = 250_000;

const statements = [
  // The words of an item's prompt and responses (string values only, not JSON keys), without
  // stemming or stop words: items are in many languages and technical vocabularies.
  `create function item_search_vector(prompt jsonb, responses jsonb) returns tsvector
   language plpgsql immutable parallel safe as $$
   declare
     content jsonb := jsonb_build_array(prompt, responses);
   begin
     if octet_length(content::text) <= ${searchedBytes} then
       return jsonb_to_tsvector('simple'::regconfig, content, '["string"]');
     end if;
     return to_tsvector('simple'::regconfig, left(replace(content::text, '\\n', ' '), ${searchedBytes}));
   end
   $$`,
  `alter table items add column search tsvector
     generated always as (item_search_vector(prompt, responses)) stored`,
  `create index items_search_idx on items using gin (search)`,
  // The item list's other orders, each with the id as tie-breaker for its cursor.
  `create index items_project_updated_idx on items (project_id, updated_at, id)`,
  `create index items_project_created_idx on items (project_id, created_at, id)`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop index if exists items_project_created_idx").execute(db);
  await sql.raw("drop index if exists items_project_updated_idx").execute(db);
  await sql.raw("alter table items drop column if exists search").execute(db);
  await sql.raw("drop function if exists item_search_vector(jsonb, jsonb)").execute(db);
}
