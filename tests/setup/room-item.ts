import type { ItemStatus, ProjectRole } from "../../db/schema.ts";
import type { TestServer } from "./server.ts";

export interface RoomMember {
  userId: number;
  token: string;
}

/**
 * A one-question project, one item in it and its members, inserted straight into the database
 * for tests of the item's room. `members` maps a key (an email, or a name for `createMember`) to
 * a project role; `createMember` makes the user, by default with an email of that key.
 */
export async function insertRoomItem(
  server: TestServer,
  members: Record<string, ProjectRole>,
  options: {
    status?: ItemStatus;
    createMember?: (key: string) => Promise<RoomMember>;
  } = {},
): Promise<{
  projectId: number;
  itemId: number;
  docName: string;
  people: Record<string, RoomMember>;
}> {
  const { db } = server.context;
  const project = await db
    .insertInto("projects")
    .values({
      name: "Clinical answers",
      template: JSON.stringify({
        fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] }],
      }),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const item = await db
    .insertInto("items")
    .values({
      project_id: project.id,
      external_id: `question-${project.id}`,
      prompt: JSON.stringify("Can ibuprofen be taken with warfarin?"),
      responses: JSON.stringify([{ id: "a", text: "Avoid it: it raises bleeding risk." }]),
      content_hash: `hash-${project.id}`,
      ...(options.status ? { status: options.status } : {}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const createMember =
    options.createMember ?? ((email: string) => server.createUserWithToken({ email }));
  const people: Record<string, RoomMember> = {};
  for (const [key, role] of Object.entries(members)) {
    const member = await createMember(key);
    await db
      .insertInto("project_members")
      .values({ project_id: project.id, user_id: member.userId, role })
      .execute();
    people[key] = member;
  }
  return { projectId: project.id, itemId: item.id, docName: `item:${item.id}`, people };
}

/**
 * An item room that the given users edit as leads of its project. The item is still queued, so
 * nothing pre-fills the room: they write its `label` from an empty document. For tests of the
 * sync machinery, where a room needs no more than editors.
 */
export async function insertLeadRoom(
  server: TestServer,
  leads: ReadonlyArray<RoomMember>,
): Promise<string> {
  const byKey = new Map(leads.map((lead, index) => [`lead-${index}`, lead]));
  const { docName } = await insertRoomItem(
    server,
    Object.fromEntries([...byKey.keys()].map((key) => [key, "lead" as const])),
    { createMember: async (key) => byKey.get(key)! },
  );
  return docName;
}

/** A user's participant key in an item's project: how the item's room names them. */
export async function participantKeyFor(
  server: TestServer,
  itemId: number,
  userId: number,
): Promise<string> {
  const row = await server.context.db
    .selectFrom("project_participants")
    .innerJoin("items", "items.project_id", "project_participants.project_id")
    .select("project_participants.key")
    .where("items.id", "=", itemId)
    .where("project_participants.user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.key;
}
