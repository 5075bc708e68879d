import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import * as Y from "yjs";

// Frozen: this migration must never change once released, nor import application code.

const statements = [
  // Rooms name people by a key of their own per project instead of their user id, which every
  // participant of a room could otherwise map back to a person (docs/decisions/016).
  `create table project_participants (
    project_id integer not null references projects (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    key text not null default replace(gen_random_uuid()::text, '-', ''),
    created_at timestamptz not null default now(),
    primary key (project_id, user_id),
    unique (project_id, key)
  )`,
  // Whoever joins a project has a key from then on, however the membership was written; the key
  // outlives the membership, so that a former member's votes and comments keep their author.
  `create function add_project_participant() returns trigger language plpgsql as $$
    begin
      insert into project_participants (project_id, user_id)
        values (new.project_id, new.user_id)
        on conflict do nothing;
      return new;
    end
  $$`,
  `create trigger project_members_participant after insert on project_members
    for each row execute function add_project_participant()`,
  `insert into project_participants (project_id, user_id)
    select project_id, user_id from project_members order by created_at, user_id`,
];

/** How rooms named people until now: the user id, in decimal. */
const userIdKey = /^[1-9][0-9]{0,9}$/;
const roomName = /^(item|review):([1-9][0-9]{0,9})$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen against the schema of their day
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
  await rewriteRooms(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw("drop trigger if exists project_members_participant on project_members")
    .execute(db);
  await sql.raw("drop function if exists add_project_participant()").execute(db);
  await sql.raw("drop table if exists project_participants").execute(db);
}

/**
 * Every stored room is rebuilt with participant keys where it named people by user id: the
 * `votes` keys, each comment's `author`, and `publishedBy`, `approvals` and `approvedLabels` in
 * `meta`. Rebuilt, not edited: a Y.Map keeps the keys of deleted entries in the document's
 * history, which every participant receives. Documents other than `item:<id>` and
 * `review:<id>`, and rooms whose item or annotation no longer exists, are deleted: nothing can
 * open them any more.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
async function rewriteRooms(db: Kysely<any>): Promise<void> {
  const { rows: names } = await sql<{ doc_name: string }>`
    select doc_name from room_snapshots union select distinct doc_name from room_updates
  `.execute(db);
  for (const { doc_name: docName } of names) {
    const projectId = await projectOf(db, docName);
    if (projectId === null) {
      await deleteRoom(db, docName);
      continue;
    }
    const doc = await loadRoom(db, docName);
    const userIds = referencedUserIds(doc);
    const extraRoots = [...doc.share.keys()].filter((name) => !roomParts.has(name));
    if (userIds.size === 0 && extraRoots.length === 0) {
      doc.destroy();
      continue;
    }
    const keys = await participantKeys(db, projectId, [...userIds]);
    const rebuilt = rebuildRoom(doc, (id) => keys.get(id) ?? id);
    await replaceRoom(db, docName, Y.encodeStateAsUpdate(rebuilt));
    doc.destroy();
    rebuilt.destroy();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
async function projectOf(db: Kysely<any>, docName: string): Promise<number | null> {
  const match = roomName.exec(docName);
  if (!match) return null;
  const id = Number(match[2]);
  const { rows } =
    match[1] === "item"
      ? await sql<{ project_id: number }>`select project_id from items where id = ${id}`.execute(db)
      : await sql<{ project_id: number }>`
          select items.project_id from annotations join items on items.id = annotations.item_id
          where annotations.id = ${id}
        `.execute(db);
  return rows[0]?.project_id ?? null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
async function loadRoom(db: Kysely<any>, docName: string): Promise<Y.Doc> {
  const { rows: snapshot } = await sql<{ state: Uint8Array }>`
    select state from room_snapshots where doc_name = ${docName}
  `.execute(db);
  const { rows: log } = await sql<{ update: Uint8Array }>`
    select update from room_updates where doc_name = ${docName} order by id
  `.execute(db);
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const row of [...snapshot.map((row) => row.state), ...log.map((row) => row.update)]) {
      Y.applyUpdate(doc, row);
    }
  });
  return doc;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
async function deleteRoom(db: Kysely<any>, docName: string): Promise<void> {
  await sql`delete from room_updates where doc_name = ${docName}`.execute(db);
  await sql`delete from room_snapshots where doc_name = ${docName}`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
async function replaceRoom(db: Kysely<any>, docName: string, state: Uint8Array): Promise<void> {
  await sql`delete from room_updates where doc_name = ${docName}`.execute(db);
  await sql`
    insert into room_snapshots (doc_name, state) values (${docName}, ${state})
    on conflict (doc_name) do update set state = excluded.state, updated_at = now()
  `.execute(db);
}

/**
 * The key of each user id in the project. A user who no longer exists gets a key of no one, so
 * that no user id stays in the room.
 */
async function participantKeys(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
  db: Kysely<any>,
  projectId: number,
  userIds: string[],
): Promise<Map<string, string>> {
  const ids = userIds.map(Number);
  await sql`
    insert into project_participants (project_id, user_id)
    select ${projectId}, id from users where id = any(${ids}::integer[])
    on conflict do nothing
  `.execute(db);
  const { rows } = await sql<{ user_id: number; key: string }>`
    select user_id, key from project_participants
    where project_id = ${projectId} and user_id = any(${ids}::integer[])
  `.execute(db);
  const keys = new Map(rows.map((row) => [String(row.user_id), row.key]));
  for (const id of userIds) {
    if (!keys.has(id)) keys.set(id, randomUUID().replaceAll("-", ""));
  }
  return keys;
}

const roomParts = new Set(["label", "votes", "comments", "meta"]);

function parts(doc: Y.Doc) {
  return {
    label: doc.getMap<unknown>("label"),
    votes: doc.getMap<unknown>("votes"),
    comments: doc.getArray<unknown>("comments"),
    meta: doc.getMap<unknown>("meta"),
  };
}

function referencedUserIds(doc: Y.Doc): Set<string> {
  const { votes, comments, meta } = parts(doc);
  const ids = new Set<string>();
  const note = (value: unknown) => {
    if (typeof value === "string" && userIdKey.test(value)) ids.add(value);
  };
  for (const key of votes.keys()) note(key);
  for (const comment of comments.toArray()) {
    if (comment instanceof Y.Map) note(comment.get("author"));
  }
  note(meta.get("publishedBy"));
  const approvals = meta.get("approvals");
  if (Array.isArray(approvals)) approvals.forEach(note);
  const approvedLabels = meta.get("approvedLabels");
  if (approvedLabels !== null && typeof approvedLabels === "object") {
    Object.keys(approvedLabels).forEach(note);
  }
  return ids;
}

/** A copy of a room value as a new, not yet integrated shared type or plain value. */
function copy(value: unknown): unknown {
  if (value instanceof Y.Text) return new Y.Text(value.toString());
  if (value instanceof Y.Map) {
    const map = new Y.Map<unknown>();
    value.forEach((entry, key) => map.set(key, copy(entry)));
    return map;
  }
  if (value instanceof Y.Array) {
    const array = new Y.Array<unknown>();
    array.push(value.toArray().map(copy));
    return array;
  }
  if (value instanceof Y.AbstractType) return value.toJSON();
  return value;
}

function rebuildRoom(source: Y.Doc, keyOf: (userId: string) => string): Y.Doc {
  const from = parts(source);
  const rebuilt = new Y.Doc();
  const to = parts(rebuilt);
  const rename = (key: string) => (userIdKey.test(key) ? keyOf(key) : key);
  rebuilt.transact(() => {
    from.label.forEach((value, key) => to.label.set(key, copy(value)));
    const votes = [...from.votes.entries()].map(([key, value]) => [rename(key), value] as const);
    // In the order of the new keys, which says nothing about the user ids they replace.
    votes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, value] of votes) to.votes.set(key, copy(value));
    to.comments.push(
      from.comments.toArray().map((comment) => {
        if (!(comment instanceof Y.Map)) return copy(comment);
        const copied = new Y.Map<unknown>();
        comment.forEach((value, key) => {
          copied.set(
            key,
            key === "author" && typeof value === "string" ? rename(value) : copy(value),
          );
        });
        return copied;
      }),
    );
    from.meta.forEach((value, key) => {
      if (key === "publishedBy" && typeof value === "string") {
        to.meta.set(key, rename(value));
      } else if (key === "approvals" && Array.isArray(value)) {
        to.meta.set(
          key,
          value.map((entry: unknown) => (typeof entry === "string" ? rename(entry) : entry)),
        );
      } else if (key === "approvedLabels" && value !== null && typeof value === "object") {
        to.meta.set(
          key,
          Object.fromEntries(
            Object.entries(value).map(([member, digest]) => [rename(member), digest]),
          ),
        );
      } else {
        to.meta.set(key, copy(value));
      }
    });
  });
  return rebuilt;
}
