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
  // The next letter of a project. The lock (held to the end of the transaction) makes two
  // transactions that give letters in one project take turns, so that the second reads the
  // first's; it is taken only for someone who has no letter yet, not on every label.
  `create function next_pseudonym_position(of_project integer) returns integer
    language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(hashtext('quorum:pseudonyms'), of_project);
      return (
        select coalesce(max(pseudonym_position) + 1, 0)
        from project_participants where project_id = of_project
      );
    end
  $$`,
  // Whoever starts taking part other than as a lead or client (an annotator joining, an admin
  // labelling without joining) gets the next letter.
  `create function give_participant_a_pseudonym() returns trigger language plpgsql as $$
    begin
      if new.pseudonym_position is null
        and not exists (
          select 1 from project_participants
          where project_id = new.project_id and user_id = new.user_id
        )
        and not exists (
          select 1 from project_members
          where project_id = new.project_id and user_id = new.user_id and role <> 'annotator'
        )
      then
        new.pseudonym_position := next_pseudonym_position(new.project_id);
      end if;
      return new;
    end
  $$`,
  `create trigger project_participants_pseudonym before insert on project_participants
    for each row execute function give_participant_a_pseudonym()`,
  // A lead or client who becomes an annotator, or leaves (former members are pseudonymised),
  // gets one then, and keeps it if they come back in another role.
  `create function give_member_a_pseudonym() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or new.role = 'annotator' then
        update project_participants
          set pseudonym_position = next_pseudonym_position(old.project_id)
          where project_id = old.project_id and user_id = old.user_id
            and pseudonym_position is null;
      end if;
      return null;
    end
  $$`,
  `create trigger project_members_pseudonym after update of role or delete on project_members
    for each row execute function give_member_a_pseudonym()`,
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
  await sql.raw("drop function if exists give_member_a_pseudonym()").execute(db);
  await sql.raw("drop function if exists give_participant_a_pseudonym()").execute(db);
  await sql.raw("drop function if exists next_pseudonym_position(integer)").execute(db);
  await sql.raw("drop index if exists project_participants_pseudonym_idx").execute(db);
  await sql
    .raw("alter table project_participants drop column if exists pseudonym_position")
    .execute(db);
}
