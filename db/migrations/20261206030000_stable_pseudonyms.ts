import { sql, type Kysely } from "kysely";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // A pseudonym names one person in a project for good: "Annotator B" in this week's export is
  // "Annotator B" in next week's, whoever joins or leaves in between. Until now the letters
  // followed the current annotators' order, then the former members', so each arrival or
  // departure moved the letters of everyone listed after it.
  `alter table project_participants add column pseudonym_position integer`,
  // The letters as they were: annotators in the order they joined, then everyone else who took
  // part without being a member now, in the order they first did. Leads and clients have none.
  `update project_participants set pseudonym_position = ordered.position
    from (
      select participants.project_id, participants.user_id,
        (row_number() over (
          partition by participants.project_id
          order by members.user_id is null,
            coalesce(members.created_at, participants.created_at),
            participants.user_id
        ) - 1)::integer as position
      from project_participants as participants
      left join project_members as members
        on members.project_id = participants.project_id and members.user_id = participants.user_id
      where members.user_id is null or members.role = 'annotator'
    ) as ordered
    where project_participants.project_id = ordered.project_id
      and project_participants.user_id = ordered.user_id`,
  `create unique index project_participants_pseudonym_idx
    on project_participants (project_id, pseudonym_position)`,
  // Letters are given at commit (deferred triggers run after everything else a transaction
  // does), one committing transaction per project at a time, under the lock project events
  // already take there (migration 20261205100000): a lock taken earlier, at the insert of a
  // label, would be held while the transaction goes on to wait for rows another one holds, and
  // two such transactions deadlock; and one lock taken last in a fixed order cannot. Whoever
  // then takes part other than as a lead or client gets the project's next letter: an annotator
  // who joined, a lead or client who became an annotator or left (former members are
  // pseudonymised), someone whose label the project stores without their being a member (an
  // admin). The letter is kept for good, through later changes of role.
  `create function give_pseudonym(of_project integer, of_user integer) returns void
    language plpgsql as $$
    begin
      if not exists (
        select 1 from project_participants
        where project_id = of_project and user_id = of_user and pseudonym_position is null
      ) or exists (
        select 1 from project_members
        where project_id = of_project and user_id = of_user and role <> 'annotator'
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
  `create function give_pseudonym_at_commit() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        perform give_pseudonym(old.project_id, old.user_id);
      else
        perform give_pseudonym(new.project_id, new.user_id);
      end if;
      return null;
    end
  $$`,
  `create constraint trigger project_participants_pseudonym after insert on project_participants
    deferrable initially deferred
    for each row execute function give_pseudonym_at_commit()`,
  `create constraint trigger project_members_pseudonym
    after update of role or delete on project_members
    deferrable initially deferred
    for each row execute function give_pseudonym_at_commit()`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw("drop trigger if exists project_members_pseudonym on project_members").execute(db);
  await sql
    .raw("drop trigger if exists project_participants_pseudonym on project_participants")
    .execute(db);
  await sql.raw("drop function if exists give_pseudonym_at_commit()").execute(db);
  await sql.raw("drop function if exists give_pseudonym(integer, integer)").execute(db);
  await sql.raw("drop index if exists project_participants_pseudonym_idx").execute(db);
  await sql
    .raw("alter table project_participants drop column if exists pseudonym_position")
    .execute(db);
}
