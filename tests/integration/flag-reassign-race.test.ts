import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { holdItemRow } from "../setup/row-lock.ts";
import { memberMaker, projectWithTeam, reserve, type Member } from "../setup/team-project.ts";

/**
 * A lead's reassignments of an item's flags count the item's places under its lock: however
 * they interleave with each other and with the queue, an item is never given to more people
 * than its overlap.
 */

const template = {
  fields: [{ id: "score", type: "rating", label: "Score", min: 1, max: 5, required: true }],
};

let server: TestServer;
let admin: Member;
let lead: Member;
let projects = 0;
const person = memberMaker(() => server, "flag-reassign-race.test");

beforeAll(async () => {
  server = await startTestServer();
  admin = await person("admin", { isAdmin: true });
  lead = await person("lead");
});

afterAll(async () => {
  await server?.stop();
});

/** A project of overlap 1 with one item, flagged in turn by two annotators: both flags open. */
async function twiceFlagged() {
  projects += 1;
  const annotators = [await person("annotator"), await person("annotator")];
  const assignees = [await person("assignee"), await person("assignee")];
  const { projectId, itemIds } = await projectWithTeam(
    server,
    { admin, lead, annotators: [...annotators, ...assignees] },
    { name: `Flag races ${projects}`, template, overlap: 1, settings: { goldRate: 0 } },
    [{ externalId: `race-${projects}`, prompt: "Score?", responses: [{ id: "a", text: "Yes" }] }],
  );
  const [itemId] = itemIds;
  const flagIds: number[] = [];
  for (const annotator of annotators) {
    expect(await reserve(annotator, projectId)).toBe(itemId);
    const flagged = await annotator.api.post<{ flag: { id: number } }>(`/items/${itemId}/flags`, {
      note: "Unclear",
    });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);
    flagIds.push(flagged.body.flag.id);
  }
  return { projectId, itemId, flagIds, assignees };
}

async function liveReservations(itemId: number): Promise<number[]> {
  const rows = await server.context.db
    .selectFrom("assignments")
    .select("user_id")
    .where("item_id", "=", itemId)
    .where("status", "=", "reserved")
    .where("expires_at", ">", new Date())
    .execute();
  return rows.map((row) => row.user_id);
}

describe("reassigning flags of one item at once", () => {
  it("gives its one place to one person: the other reassignment is refused and its flag stays open", async () => {
    const { itemId, flagIds, assignees, projectId } = await twiceFlagged();
    // Both reassignments begin while the item's row is held, so each counts the places while
    // the other is still on its way.
    const row = await holdItemRow(server.context.db, itemId);
    const reassigning = flagIds.map((flagId, index) =>
      lead.api.post(`/flags/${flagId}/reassign`, { email: assignees[index]!.email }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await row.release();
    const statuses = (await Promise.all(reassigning)).map((response) => response.status);
    expect(statuses.sort()).toEqual([200, 409]);
    expect(await liveReservations(itemId)).toHaveLength(1);
    const open = await lead.api.get<{ flags: Array<{ id: number }> }>(
      `/projects/${projectId}/flags`,
    );
    expect(open.body.flags).toHaveLength(1);
  });

  it("does not give the place the queue gave meanwhile", async () => {
    const { itemId, flagIds, assignees, projectId } = await twiceFlagged();
    const row = await holdItemRow(server.context.db, itemId);
    const reassigning = lead.api.post(`/flags/${flagIds[0]}/reassign`, {
      email: assignees[0]!.email,
    });
    const queued = reserve(assignees[1]!, projectId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await row.release();
    const [reassigned, reserved] = await Promise.all([reassigning, queued]);
    expect([reassigned.status === 200, reserved === itemId].filter(Boolean)).toHaveLength(1);
    expect(await liveReservations(itemId)).toHaveLength(1);
  });
});
