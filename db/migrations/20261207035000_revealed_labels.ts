import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // When a label's author could first read the item's other labels: the item was disputed. A
  // lead's rejection of another label can send a disputed item back to the queue, and its
  // annotators, who have read each other's labels by then, could otherwise revise theirs to
  // match and settle the item on labels that are no longer independent. A label revealed once
  // stays as it was.
  `alter table annotations add column revealed_at timestamptz`,
  // Labels stored so far: those of items disputed since they were submitted (to the second the
  // events record), and every label of items that are disputed, in adjudication or published.
  `update annotations set revealed_at = disputed.at
    from (
      select item_id, min(created_at) as at from project_events
      where type = 'item.disputed' and item_id is not null group by item_id
    ) as disputed
    where disputed.item_id = annotations.item_id
      and disputed.at >= date_trunc('second', annotations.submitted_at)`,
  `update annotations set revealed_at = annotations.submitted_at
    from items
    where items.id = annotations.item_id and annotations.revealed_at is null
      and items.status in ('disputed', 'adjudicating', 'published')`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("alter table annotations drop column if exists revealed_at").execute(db);
}
