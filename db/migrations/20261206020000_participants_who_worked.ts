import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // Everyone whose work a project stores takes part in it, member or not (an admin may label,
  // review or sit on a panel without joining): the project's quality figures then depend on the
  // people of `project_participants` alone, and a change to anyone else leaves them current.
  // Per statement, so that an import of many labels adds its annotators in one insert.
  `create function add_participants_of_items() returns trigger language plpgsql as $$
    begin
      insert into project_participants (project_id, user_id)
        select distinct items.project_id, added.user_id
        from added join items on items.id = added.item_id
        on conflict do nothing;
      return null;
    end
  $$`,
  `create trigger annotations_participant after insert on annotations
    referencing new table as added
    for each statement execute function add_participants_of_items()`,
  `create trigger adjudication_time_participant after insert on adjudication_time
    referencing new table as added
    for each statement execute function add_participants_of_items()`,
  `create function add_participants_of_reviews() returns trigger language plpgsql as $$
    begin
      insert into project_participants (project_id, user_id)
        select distinct reviews.project_id, added.user_id
        from added join reviews on reviews.id = added.review_id
        on conflict do nothing;
      return null;
    end
  $$`,
  `create trigger review_time_participant after insert on review_time
    referencing new table as added
    for each statement execute function add_participants_of_reviews()`,
  `insert into project_participants (project_id, user_id)
    select project_id, user_id from (
      select items.project_id, annotations.user_id, min(annotations.submitted_at) as since
        from annotations join items on items.id = annotations.item_id
        group by items.project_id, annotations.user_id
      union all
      select items.project_id, adjudication_time.user_id, min(adjudications.published_at)
        from adjudication_time
        join adjudications using (item_id, version)
        join items on items.id = adjudication_time.item_id
        group by items.project_id, adjudication_time.user_id
      union all
      select reviews.project_id, review_time.user_id, min(reviews.created_at)
        from review_time join reviews on reviews.id = review_time.review_id
        group by reviews.project_id, review_time.user_id
    ) as worked
    order by since, user_id
    on conflict do nothing`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop trigger if exists review_time_participant on review_time").execute(db);
  await sql
    .raw("drop trigger if exists adjudication_time_participant on adjudication_time")
    .execute(db);
  await sql.raw("drop trigger if exists annotations_participant on annotations").execute(db);
  await sql.raw("drop function if exists add_participants_of_reviews()").execute(db);
  await sql.raw("drop function if exists add_participants_of_items()").execute(db);
}
