import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiResponse } from "../setup/api-client.ts";
import {
  memberChange,
  raceWithHeldWriters,
  writeDuringMemberChange,
  type HeldRace,
} from "../setup/lock-race.ts";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { memberMaker, projectWithTeam, reserve, type Member } from "../setup/team-project.ts";

/**
 * A write checks the caller's role before its transaction and again inside it, under the
 * project's row (`lockProjectFor`), which member changes lock too: a member's write in flight
 * when they are removed or given another role commits before the change, which waits for it,
 * never after the change has been answered. Each case forces the interleaving that let a write
 * checked before a removal commit after it (`raceWithHeldWriters`): the test holds a row the
 * write needs inside its transaction, sends the change, and lets the write through only once the
 * change has had time to finish; or it makes the change in its own transaction and sends the
 * write, which passes its first check, and commits the change once the write waits for it.
 */

let server: TestServer;
let admin: Member;
let projects = 0;
const person = memberMaker(() => server, "removal-race.test");

const template = {
  fields: [{ id: "preference", type: "preference", label: "Preference", scale: 2, required: true }],
};

async function project(lead: Member, annotators: Member[], body: Record<string, unknown> = {}) {
  projects += 1;
  return projectWithTeam(
    server,
    { admin, lead, annotators },
    { name: `Removal race ${projects}`, template, overlap: 2, ...body },
    [
      {
        externalId: `race-${projects}`,
        prompt: "Which answer is better?",
        responses: [
          { id: "a", text: "Take it with food." },
          { id: "b", text: "Take it on an empty stomach." },
        ],
      },
    ],
  );
}

const submit = (member: Member, itemId: number, preference: number) =>
  member.api.post(`/items/${itemId}/annotations`, { label: { preference } });

const holdItem =
  (itemId: number) => (holder: { query: (sql: string, values: unknown[]) => Promise<unknown> }) =>
    holder.query("select id from items where id = $1 for update", [itemId]);

/** A project with a second lead, so that the first may leave, and a junior's label under review. */
async function juniorLabelUnderReview() {
  const [lead, otherLead] = [await person("lead"), await person("lead")];
  const junior = await person("junior", { level: "junior" });
  const { projectId, itemIds } = await project(lead, [junior], {
    settings: { juniorReview: { firstN: 20, rate: 1 } },
  });
  await admin.api.post(`/projects/${projectId}/members`, { email: otherLead.email, role: "lead" });
  const itemId = itemIds[0]!;
  expect(await reserve(junior, projectId)).toBe(itemId);
  expect((await submit(junior, itemId, 1)).status).toBe(201);
  const { id: reviewId } = await server.context.db
    .selectFrom("reviews")
    .select("id")
    .where("project_id", "=", projectId)
    .executeTakeFirstOrThrow();
  return { lead, projectId, itemId, reviewId };
}

/**
 * On PostgreSQL the write was held inside its transaction: it commits, and the change waited for
 * it. On PGlite the two were sent together and either may have gone first: the write commits,
 * or, sent after the change, is refused as the member's write after their removal.
 */
function expectWriteBeforeChange(
  race: HeldRace<unknown, unknown>,
  statuses: { written: number; refused: number; changed: number },
) {
  const [write] = race.writes;
  expect(race.change.status, JSON.stringify(race.change.body)).toBe(statuses.changed);
  if (race.changeWaited === null) {
    expect([statuses.written, statuses.refused]).toContain(write!.status);
    return;
  }
  expect(write!.status, JSON.stringify(write!.body)).toBe(statuses.written);
  expect(race.changeWaited, "the change waited for the write in flight").toBe(true);
}

beforeAll(async () => {
  server = await startTestServer();
  admin = await person("admin", { isAdmin: true });
});

afterAll(async () => {
  await server?.stop();
});

describe("a member's write in flight when they are removed or given another role", () => {
  it("an annotator's submission commits before their removal, which waits for it", async () => {
    const lead = await person("lead");
    const annotator = await person("annotator", { level: "expert" });
    const { projectId, itemIds } = await project(lead, [annotator]);
    const itemId = itemIds[0]!;
    expect(await reserve(annotator, projectId)).toBe(itemId);
    const race = await raceWithHeldWriters({
      databaseUrl: server.context.config.databaseUrl,
      hold: holdItem(itemId),
      writers: () => [submit(annotator, itemId, 1)],
      change: () => admin.api.delete(`/projects/${projectId}/members/${annotator.id}`),
    });
    expectWriteBeforeChange(race, { written: 201, refused: 404, changed: 204 });
  });

  it("a lead's review decision commits before they are made annotator, which waits for it", async () => {
    const { lead, projectId, itemId, reviewId } = await juniorLabelUnderReview();
    const race = await raceWithHeldWriters({
      databaseUrl: server.context.config.databaseUrl,
      hold: holdItem(itemId),
      writers: () => [lead.api.post(`/reviews/${reviewId}`, { verdict: "accept", comments: [] })],
      change: () =>
        admin.api.post(`/projects/${projectId}/members`, { email: lead.email, role: "annotator" }),
    });
    expectWriteBeforeChange(race, { written: 200, refused: 403, changed: 200 });
  });

  it("a lead's addition to a panel commits before their removal, which waits for it", async () => {
    const [lead, otherLead] = [await person("lead"), await person("lead")];
    const annotators = [await person("expert"), await person("expert"), await person("expert")];
    const { projectId, itemIds } = await project(lead, annotators);
    await admin.api.post(`/projects/${projectId}/members`, {
      email: otherLead.email,
      role: "lead",
    });
    const itemId = itemIds[0]!;
    for (const [annotator, preference] of [
      [annotators[0]!, 2],
      [annotators[1]!, -2],
    ] as const) {
      expect(await reserve(annotator, projectId)).toBe(itemId);
      expect((await submit(annotator, itemId, preference)).status).toBe(201);
    }
    const race = await raceWithHeldWriters({
      databaseUrl: server.context.config.databaseUrl,
      // The panel seat the lead is adding, taken by the test's transaction first.
      hold: (holder) =>
        holder.query("insert into panel_members (item_id, user_id, added_by) values ($1, $2, $3)", [
          itemId,
          annotators[2]!.id,
          otherLead.id,
        ]),
      writers: () => [lead.api.post(`/items/${itemId}/panel`, { email: annotators[2]!.email })],
      change: () => admin.api.delete(`/projects/${projectId}/members/${lead.id}`),
    });
    expectWriteBeforeChange(race, { written: 201, refused: 404, changed: 204 });
  });
});

describe("a member's write sent while their removal or new role is being committed", () => {
  const during = (
    change: ReturnType<typeof memberChange.removal>,
    write: () => Promise<ApiResponse<unknown>>,
  ) =>
    writeDuringMemberChange({
      databaseUrl: server.context.config.databaseUrl,
      db: server.context.db,
      change,
      write,
    });
  const labelsOf = (itemId: number) =>
    server.context.db
      .selectFrom("annotations")
      .select(["user_id", "label"])
      .where("item_id", "=", itemId)
      .execute();

  it("refuses a removed annotator's submission and stores nothing", async () => {
    const lead = await person("lead");
    const annotator = await person("annotator", { level: "expert" });
    const { projectId, itemIds } = await project(lead, [annotator]);
    const itemId = itemIds[0]!;
    expect(await reserve(annotator, projectId)).toBe(itemId);
    const written = await during(memberChange.removal(projectId, annotator.id), () =>
      submit(annotator, itemId, 1),
    );
    expect(written.status, JSON.stringify(written.body)).toBe(404);
    expect(await labelsOf(itemId)).toEqual([]);
  });

  it("refuses a removed annotator's revision and keeps their label as it was", async () => {
    const lead = await person("lead");
    const annotator = await person("annotator", { level: "expert" });
    const { projectId, itemIds } = await project(lead, [annotator]);
    const itemId = itemIds[0]!;
    expect(await reserve(annotator, projectId)).toBe(itemId);
    expect((await submit(annotator, itemId, 1)).status).toBe(201);
    const written = await during(memberChange.removal(projectId, annotator.id), () =>
      annotator.api.put(`/items/${itemId}/annotations/mine`, { label: { preference: -2 } }),
    );
    expect(written.status, JSON.stringify(written.body)).toBe(404);
    expect(await labelsOf(itemId)).toEqual([{ user_id: annotator.id, label: { preference: 1 } }]);
  });

  it("refuses the review decision of a lead made annotator, and the review stays open", async () => {
    const { lead, projectId, reviewId } = await juniorLabelUnderReview();
    const verdict = async () =>
      (
        await server.context.db
          .selectFrom("reviews")
          .select("verdict")
          .where("id", "=", reviewId)
          .executeTakeFirstOrThrow()
      ).verdict;
    const written = await during(memberChange.role(projectId, lead.id, "annotator"), () =>
      lead.api.post(`/reviews/${reviewId}`, {
        verdict: "reject",
        comments: [{ text: "The reasoning skips the dose" }],
      }),
    );
    expect(written.status, JSON.stringify(written.body)).toBe(403);
    expect(await verdict()).toBe("pending");
  });
  it("refuses the import of a lead removed while it was checked, and stores none of it", async () => {
    const { lead, projectId } = await juniorLabelUnderReview();
    const itemsOf = async () =>
      (
        await server.context.db
          .selectFrom("items")
          .select("external_id")
          .where("project_id", "=", projectId)
          .execute()
      ).map((row) => row.external_id);
    const before = await itemsOf();
    const written = await during(memberChange.removal(projectId, lead.id), () =>
      lead.api.post(`/projects/${projectId}/items`, [
        {
          externalId: `late-${projectId}`,
          prompt: "Which answer is better?",
          responses: [
            { id: "a", text: "Take it with food." },
            { id: "b", text: "Take it on an empty stomach." },
          ],
        },
      ]),
    );
    expect(written.status, JSON.stringify(written.body)).toBe(404);
    expect(await itemsOf()).toEqual(before);
  });
  it("refuses the settings change of a lead removed meanwhile, and the project keeps its name", async () => {
    const { lead, projectId } = await juniorLabelUnderReview();
    const nameOf = async () =>
      (
        await server.context.db
          .selectFrom("projects")
          .select("name")
          .where("id", "=", projectId)
          .executeTakeFirstOrThrow()
      ).name;
    const before = await nameOf();
    const written = await during(memberChange.removal(projectId, lead.id), () =>
      lead.api.patch(`/projects/${projectId}`, { name: "Renamed by a former lead" }),
    );
    expect(written.status, JSON.stringify(written.body)).toBe(404);
    expect(await nameOf()).toBe(before);
  });

  it("refuses the consensus publishing of a lead removed meanwhile, and publishes nothing", async () => {
    const [lead, otherLead] = [await person("lead"), await person("lead")];
    const annotators = [await person("expert"), await person("expert")];
    const { projectId, itemIds } = await project(lead, annotators);
    await admin.api.post(`/projects/${projectId}/members`, {
      email: otherLead.email,
      role: "lead",
    });
    const itemId = itemIds[0]!;
    for (const annotator of annotators) {
      expect(await reserve(annotator, projectId)).toBe(itemId);
      expect((await submit(annotator, itemId, 1)).status).toBe(201);
    }
    const status = async () =>
      (
        await server.context.db
          .selectFrom("items")
          .select("status")
          .where("id", "=", itemId)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await status()).toBe("consensus");
    const written = await during(memberChange.removal(projectId, lead.id), () =>
      lead.api.post(`/projects/${projectId}/publish-consensus`, {}),
    );
    expect(written.status, JSON.stringify(written.body)).toBe(404);
    expect(await status()).toBe("consensus");
  });
  it("refuses the guidelines and the webhook of a lead removed meanwhile, and stores neither", async () => {
    const { lead, projectId } = await juniorLabelUnderReview();
    const countOf = async (table: "project_guidelines" | "webhook_endpoints") =>
      Number(
        (
          await server.context.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as("count"))
            .where("project_id", "=", projectId)
            .executeTakeFirstOrThrow()
        ).count,
      );
    const guidelines = await during(memberChange.removal(projectId, lead.id), () =>
      lead.api.put(`/projects/${projectId}/guidelines`, {
        body: "Prefer the answer that names the interaction.",
        expectedVersion: 0,
      }),
    );
    expect(guidelines.status, JSON.stringify(guidelines.body)).toBe(404);
    expect(await countOf("project_guidelines")).toBe(0);

    await admin.api.post(`/projects/${projectId}/members`, { email: lead.email, role: "lead" });
    const webhook = await during(memberChange.removal(projectId, lead.id), () =>
      lead.api.post(`/projects/${projectId}/webhooks`, {
        url: "https://93.184.216.34/hook",
        events: ["item.published"],
      }),
    );
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(404);
    expect(await countOf("webhook_endpoints")).toBe(0);
  });
  it("stores no draft of a removed annotator's autosave", async () => {
    const lead = await person("lead");
    const annotator = await person("annotator", { level: "expert" });
    const { projectId, itemIds } = await project(lead, [annotator]);
    const itemId = itemIds[0]!;
    expect(await reserve(annotator, projectId)).toBe(itemId);
    const cookie = await signInCookie(server.url, annotator.email, "correct horse battery staple");
    const saveDraft = async (): Promise<ApiResponse<unknown>> => {
      const response = await fetch(`${server.url}/projects/${projectId}/label/draft`, {
        method: "POST",
        headers: { Cookie: cookie, Origin: server.url, "Content-Type": "application/json" },
        body: JSON.stringify({ itemId, elapsedMs: 1_000, label: { preference: 1 } }),
      });
      return { status: response.status, body: await response.json() };
    };
    const draftsOf = () =>
      server.context.db
        .selectFrom("drafts")
        .select("label")
        .where("user_id", "=", annotator.id)
        .execute();
    const saved = await saveDraft();
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await server.context.db.deleteFrom("drafts").where("user_id", "=", annotator.id).execute();

    const written = await during(memberChange.removal(projectId, annotator.id), saveDraft);
    expect(written.status, JSON.stringify(written.body)).toBe(404);
    expect(await draftsOf()).toEqual([]);
  });

  it("refuses the webhook change and deletion of a lead removed meanwhile, and keeps the webhook", async () => {
    const { lead, projectId } = await juniorLabelUnderReview();
    const created = await lead.api.post<{ webhook: { id: number } }>(
      `/projects/${projectId}/webhooks`,
      { url: "https://93.184.216.34/hook", events: ["item.published"] },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const webhookId = created.body.webhook.id;
    const endpoints = () =>
      server.context.db
        .selectFrom("webhook_endpoints")
        .select(["id", "url", "enabled", "created_by"])
        .where("project_id", "=", projectId)
        .execute();
    const before = await endpoints();
    expect(before).toHaveLength(1);

    const changed = await during(memberChange.removal(projectId, lead.id), () =>
      lead.api.patch(`/webhooks/${webhookId}`, {
        url: "https://93.184.216.35/elsewhere",
        enabled: false,
      }),
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(404);
    expect(await endpoints()).toEqual(before);

    await admin.api.post(`/projects/${projectId}/members`, { email: lead.email, role: "lead" });
    const deleted = await during(memberChange.removal(projectId, lead.id), () =>
      lead.api.delete(`/webhooks/${webhookId}`),
    );
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(404);
    expect(await endpoints()).toEqual(before);
  });
  it("gives a removed annotator no reservation, which would hold a place until it lapsed", async () => {
    const lead = await person("lead");
    const annotator = await person("annotator", { level: "expert" });
    const { projectId } = await project(lead, [annotator]);
    const written = await during(memberChange.removal(projectId, annotator.id), () =>
      annotator.api.get(`/queue/next?project=${projectId}`),
    );
    expect(written.status, JSON.stringify(written.body)).toBe(404);
    const reservations = await server.context.db
      .selectFrom("assignments")
      .select("id")
      .where("user_id", "=", annotator.id)
      .execute();
    expect(reservations).toEqual([]);
  });
  it("refuses the write of an admin whose right was taken away or who was disabled meanwhile", async () => {
    const { projectId } = await juniorLabelUnderReview();
    const outsideAdmin = await person("admin", { isAdmin: true });
    const saveGuidelines = () =>
      outsideAdmin.api.put(`/projects/${projectId}/guidelines`, {
        body: "Prefer the answer that names the interaction.",
        expectedVersion: 0,
      });
    const lockedWith = (text: string) => [
      { text: "select id from projects where id = $1 for no key update", values: [projectId] },
      { text, values: [outsideAdmin.id] },
    ];
    const demoted = await during(
      lockedWith("update users set is_admin = false where id = $1"),
      saveGuidelines,
    );
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(404);
    await server.context.db
      .updateTable("users")
      .set({ is_admin: true })
      .where("id", "=", outsideAdmin.id)
      .execute();
    const disabled = await during(
      lockedWith("update users set disabled_at = now() where id = $1"),
      saveGuidelines,
    );
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(401);
    const versions = await server.context.db
      .selectFrom("project_guidelines")
      .select("version")
      .where("project_id", "=", projectId)
      .execute();
    expect(versions).toEqual([]);
  });
});
