import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

/** As in migration 20261205090000: past this, the first this many characters are indexed. */
const searchedBytes = 250_000;

/** `item_search_vector` over the JSON that `content` (an expression of prompt and responses) makes. */
const searchVector = (content: string) => `
  create or replace function item_search_vector(prompt jsonb, responses jsonb) returns tsvector
   language plpgsql immutable parallel safe as $$
   declare
     content jsonb := ${content};
   begin
     if octet_length(content::text) <= ${searchedBytes} then
       return jsonb_to_tsvector('simple'::regconfig, content, '["string"]');
     end if;
     return to_tsvector('simple'::regconfig, left(replace(content::text, '\\n', ' '), ${searchedBytes}));
   end
   $$`;

/**
 * The search vector of migration 20261205090000 took every string of the prompt and responses:
 * with the words, the responses' ids ("a", "b"), their model names and the conversation turns'
 * roles ("user", "assistant"), so that a search for "a" or "user" matched every item. Now only
 * what is read is indexed: the prompt's text (or its turns' contents) and the responses' texts.
 */
const wordsOnly = searchVector(`jsonb_build_array(
       case when jsonb_typeof(prompt) = 'array'
         then (select coalesce(jsonb_agg(turn -> 'content'), '[]'::jsonb)
               from jsonb_array_elements(prompt) as turn)
         else prompt end,
       case when jsonb_typeof(responses) = 'array'
         then (select coalesce(jsonb_agg(response -> 'text'), '[]'::jsonb)
               from jsonb_array_elements(responses) as response)
         else '[]'::jsonb end)`);

const everyString = searchVector("jsonb_build_array(prompt, responses)");

/**
 * A stored generated column keeps what it computed when its row was written: it is dropped and
 * added again (one rewrite of the table) for every row to be indexed by the function now.
 */
const regenerated = [
  `alter table items drop column search`,
  `alter table items add column search tsvector
     generated always as (item_search_vector(prompt, responses)) stored`,
  `create index items_search_idx on items using gin (search)`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [wordsOnly, ...regenerated]) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [everyString, ...regenerated]) await sql.raw(statement).execute(db);
}
