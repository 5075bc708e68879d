import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { migrateToLatest } from "../../db/migrate.ts";
import {
  addComment,
  commentsToJson,
  labelToJson,
  readMeta,
  setVote,
  votesToJson,
  writeMeta,
} from "../../app/domain/room.ts";
import {
  databaseBeforeMigration,
  insertItem,
  insertProject,
  insertUsers,
} from "../setup/migration.ts";

const migration = "20261205020000_participant_keys";
const database = databaseBeforeMigration(migration);

/** Stores a document as the sync server does: a snapshot and updates logged after it. */
async function storeRoom(docName: string, snapshot: Y.Doc, later: Uint8Array[]): Promise<void> {
  await sql`
    insert into room_snapshots (doc_name, state) values (${docName}, ${Y.encodeStateAsUpdate(snapshot)})
  `.execute(database.db);
  for (const update of later) {
    await sql`insert into room_updates (doc_name, update) values (${docName}, ${update})`.execute(
      database.db,
    );
  }
}

async function loadRoom(docName: string): Promise<{ doc: Y.Doc; state: Uint8Array; log: number }> {
  const snapshot = await database.db
    .selectFrom("room_snapshots")
    .select("state")
    .where("doc_name", "=", docName)
    .executeTakeFirstOrThrow();
  const log = await database.db
    .selectFrom("room_updates")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("doc_name", "=", docName)
    .executeTakeFirstOrThrow();
  const doc = new Y.Doc();
  Y.applyUpdate(doc, snapshot.state);
  return { doc, state: snapshot.state, log: Number(log.count) };
}

async function countRows(docName: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    select (select count(*) from room_updates where doc_name = ${docName})
         + (select count(*) from room_snapshots where doc_name = ${docName}) as count
  `.execute(database.db);
  return Number(rows[0].count);
}

describe(`migration ${migration}`, () => {
  it("gives every member a key and rewrites stored rooms to name people by it", async () => {
    const [lead, ada, bo, gone] = await insertUsers(database.db, ["lead", "ada", "bo", "gone"]);
    const deletedUserId = 2_000_000;
    const projectId = await insertProject(database.db);
    for (const [userId, role] of [
      [lead, "lead"],
      [ada, "annotator"],
      [bo, "annotator"],
    ] as const) {
      await sql`
        insert into project_members (project_id, user_id, role) values (${projectId}, ${userId}, ${role})
      `.execute(database.db);
    }
    const itemId = await insertItem(database.db, projectId);
    const { rows: annotations } = await sql<{ id: number }>`
      insert into annotations (item_id, user_id, label) values (${itemId}, ${ada}, '{}') returning id
    `.execute(database.db);

    // A room as the previous release stored it: people by user id, one of whom left the
    // project (`gone`) and one who no longer exists.
    const room = new Y.Doc();
    room.transact(() => {
      room.getMap("label").set("verdict", "unsafe");
      room.getMap("label").set("critique", new Y.Text("Check the INR."));
      setVote(room, String(ada), "verdict", "unsafe");
      setVote(room, String(bo), "verdict", "safe");
      setVote(room, String(gone), "verdict", "safe");
      writeMeta(room, {
        status: "open",
        version: 2,
        publishedBy: String(lead),
        approvals: [String(ada), String(deletedUserId)],
        approvedLabels: { [String(ada)]: "digest-a", [String(deletedUserId)]: "digest-x" },
      });
    });
    const stateVector = Y.encodeStateVector(room);
    addComment(room, { id: "c1", author: String(bo), text: "I disagree" });
    addComment(room, { id: "c2", author: String(gone), text: "Left since" });
    room.getText("scratch").insert(0, "junk no room has");
    await storeRoom(`item:${itemId}`, room, [Y.encodeStateAsUpdate(room, stateVector)]);

    const review = new Y.Doc();
    addComment(review, { id: "r1", author: String(lead), text: "Section 3" });
    await storeRoom(`review:${annotations[0].id}`, review, []);
    for (const docName of ["scratch:notes", "Item:1", "item:424242"]) {
      await storeRoom(docName, new Y.Doc(), [Y.encodeStateAsUpdate(room)]);
    }

    await migrateToLatest(database.db);

    const participants = await database.db
      .selectFrom("project_participants")
      .select(["user_id", "key"])
      .where("project_id", "=", projectId)
      .execute();
    const keyOf = new Map(participants.map((row) => [row.user_id, row.key]));
    expect([...keyOf.keys()].sort((a, b) => a - b)).toEqual([lead, ada, bo, gone]);
    for (const key of keyOf.values()) expect(key).toMatch(/^[0-9a-f]{32}$/);

    const migrated = await loadRoom(`item:${itemId}`);
    expect(migrated.log).toBe(0);
    expect(labelToJson(migrated.doc)).toEqual({ verdict: "unsafe", critique: "Check the INR." });
    expect(votesToJson(migrated.doc)).toEqual({
      [keyOf.get(ada)!]: { verdict: "unsafe" },
      [keyOf.get(bo)!]: { verdict: "safe" },
      [keyOf.get(gone)!]: { verdict: "safe" },
    });
    expect(commentsToJson(migrated.doc)).toEqual([
      expect.objectContaining({ id: "c1", author: keyOf.get(bo), text: "I disagree" }),
      expect.objectContaining({ id: "c2", author: keyOf.get(gone), text: "Left since" }),
    ]);
    const meta = readMeta(migrated.doc);
    expect(meta).toMatchObject({ status: "open", version: 2, publishedBy: keyOf.get(lead) });
    expect(meta.approvals[0]).toBe(keyOf.get(ada));
    expect(meta.approvals[1]).toMatch(/^[0-9a-f]{32}$/);
    expect(meta.approvedLabels[keyOf.get(ada)!]).toBe("digest-a");
    expect(migrated.doc.share.has("scratch")).toBe(false);
    // Rebuilt, not edited: no deleted map entry keeps a user id as its key.
    const { structs } = Y.decodeUpdate(migrated.state);
    const keys = structs.flatMap((struct) =>
      struct instanceof Y.Item && typeof struct.parentSub === "string" ? [struct.parentSub] : [],
    );
    expect(keys.filter((key) => /^[0-9]+$/.test(key))).toEqual([]);

    const migratedReview = await loadRoom(`review:${annotations[0].id}`);
    expect(commentsToJson(migratedReview.doc)[0].author).toBe(keyOf.get(lead));
    for (const docName of ["scratch:notes", "Item:1", "item:424242"]) {
      expect(await countRows(docName), docName).toBe(0);
    }

    // From now on every new member has a key from the moment they join.
    const [cy] = await insertUsers(database.db, ["cy"]);
    await database.db
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: cy, role: "client" })
      .execute();
    const added = await database.db
      .selectFrom("project_participants")
      .select("key")
      .where("project_id", "=", projectId)
      .where("user_id", "=", cy)
      .executeTakeFirst();
    expect(added?.key).toMatch(/^[0-9a-f]{32}$/);
  });
});
