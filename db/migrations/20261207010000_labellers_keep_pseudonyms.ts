import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // A label keeps the name it was shown under. Until now a lead or client had no letter while
  // they held that role: an annotator made lead was named on every label they had given as
  // "Annotator C", and a lead made annotator was lettered on labels shown until then with their
  // name, so either change told whoever had seen both who was behind a letter. Now whoever has a
  // label stored in a project gets a letter there, whatever their role, and keeps it; the
  // letters of everyone who has one are shown, leads' and clients' included.
  //
  // Annotators already get theirs when they first take part. A lead's or client's first label
  // may come long after they first took part (a review, a panel), so a label asks for one: the
  // statement that stores labels records who among their authors has no letter yet, and the
  // letter is given at commit, under the lock and in the order of migration 20261206030000,
  // which a lock taken here, at the insert, would deadlock.
  `create table pseudonym_requests (project_id integer not null, user_id integer not null)`,
  `create function give_labeller_pseudonym(of_project integer, of_user integer) returns void
    language plpgsql as $$
    begin
      delete from pseudonym_requests where project_id = of_project and user_id = of_user;
      if not exists (
        select 1 from project_participants
        where project_id = of_project and user_id = of_user and pseudonym_position is null
      ) then
        return;
      end if;
      perform pg_advisory_xact_lock(hashtext('quorum:project-events'), of_project);
      update project_participants
        set pseudonym_position = (
          select coalesce(max(pseudonym_position) + 1, 0)
          from project_participants where project_id = of_project
        )
        where project_id = of_project and user_id = of_user and pseudonym_position is null;
    end
  $$`,
  `create function give_labeller_pseudonym_at_commit() returns trigger language plpgsql as $$
    begin
      perform give_labeller_pseudonym(new.project_id, new.user_id);
      return null;
    end
  $$`,
  `create constraint trigger pseudonym_requests_at_commit after insert on pseudonym_requests
    deferrable initially deferred
    for each row execute function give_labeller_pseudonym_at_commit()`,
  // Named to fire after `annotations_participant` (statement triggers fire in name order), so
  // that the authors' participant rows exist.
  `create function request_labeller_pseudonyms() returns trigger language plpgsql as $$
    begin
      insert into pseudonym_requests (project_id, user_id)
        select distinct items.project_id, added.user_id
        from added
        join items on items.id = added.item_id
        join project_participants as participants
          on participants.project_id = items.project_id and participants.user_id = added.user_id
        where participants.pseudonym_position is null;
      return null;
    end
  $$`,
  `create trigger annotations_pseudonym after insert on annotations
    referencing new table as added
    for each statement execute function request_labeller_pseudonyms()`,
  // Leads and clients who have labels and no letter get theirs now, in the order of their first
  // label in the project.
  `update project_participants set pseudonym_position = lettered.position
    from (
      select labellers.project_id, labellers.user_id,
        (coalesce(taken.highest, -1) + row_number() over (
          partition by labellers.project_id order by labellers.first_label, labellers.user_id
        ))::integer as position
      from (
        select items.project_id, annotations.user_id,
          min(annotations.submitted_at) as first_label
        from annotations join items on items.id = annotations.item_id
        group by items.project_id, annotations.user_id
      ) as labellers
      join project_participants as participants
        on participants.project_id = labellers.project_id
        and participants.user_id = labellers.user_id
      left join (
        select project_id, max(pseudonym_position) as highest
        from project_participants group by project_id
      ) as taken on taken.project_id = labellers.project_id
      where participants.pseudonym_position is null
    ) as lettered
    where project_participants.project_id = lettered.project_id
      and project_participants.user_id = lettered.user_id`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// The letters given stay: taking them back would rename labels once more.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop trigger if exists annotations_pseudonym on annotations").execute(db);
  await sql.raw("drop function if exists request_labeller_pseudonyms()").execute(db);
  await sql
    .raw("drop trigger if exists pseudonym_requests_at_commit on pseudonym_requests")
    .execute(db);
  await sql.raw("drop function if exists give_labeller_pseudonym_at_commit()").execute(db);
  await sql.raw("drop function if exists give_labeller_pseudonym(integer, integer)").execute(db);
  await sql.raw("drop table if exists pseudonym_requests").execute(db);
}
