import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemRoomName } from "../../app/domain/room.ts";
import {
  createCast,
  createProject,
  disputedLabels,
  responses,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { expectApiError } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  waitFor,
  within,
  type SyncClient,
} from "../setup/sync-client.ts";

let server: TestServer;
let cast: Cast;
const clients = closeSyncClientsAfterEach();

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

interface QueuedItem {
  id: number;
  externalId: string;
  status: string;
  disputedFields: string[];
  disputedAt: string;
  reopened: boolean;
  inRoom: Array<{ id: number | null; name: string }>;
}

interface Queue {
  items: QueuedItem[];
  total: number;
}

const HOUR_MS = 3_600_000;

/**
 * A project whose `count` items the three experts labelled in disagreement (imported with their
 * labels, so each is disputed at once), ids in import order: `case-1`, `case-2` …
 */
async function projectWithDisputes(
  count: number,
  on: { server: TestServer; cast: Cast } = { server, cast },
): Promise<{ projectId: number; ids: number[] }> {
  const people = on.cast;
  const projectId = await createProject(people, { overlap: 3, settings: { goldRate: 0 } });
  const imported = await people.lead.api.post(
    `/projects/${projectId}/items`,
    Array.from({ length: count }, (_, index) => ({
      externalId: `case-${index + 1}`,
      prompt: "Warfarin with an antibiotic?",
      responses,
      annotations: people.experts.map((expert, position) => ({
        annotator: expert.email,
        label: disputedLabels[position],
      })),
    })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  const rows = await on.server.context.db
    .selectFrom("items")
    .select(["id", "status"])
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
  expect(rows.map((row) => row.status)).toEqual(Array<string>(count).fill("disputed"));
  return { projectId, ids: rows.map((row) => row.id) };
}

/**
 * Dates the agreement check that disputed the item `hours` ago, and the item's last change the
 * other way round, so that only the moment of the dispute can put the queue in order.
 */
async function disputedHoursAgo(itemId: number, hours: number): Promise<void> {
  const { db } = server.context;
  await db
    .updateTable("item_outcomes")
    .set({ checked_at: new Date(Date.now() - hours * HOUR_MS) })
    .where("item_id", "=", itemId)
    .execute();
  await db
    .updateTable("items")
    .set({ updated_at: new Date(Date.now() - (10 - hours) * HOUR_MS) })
    .where("id", "=", itemId)
    .execute();
}

async function queueAs(person: Person, projectId: number): Promise<Queue> {
  const response = await person.api.get<Queue>(`/projects/${projectId}/adjudication`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

async function inRoom(person: Person, projectId: number, itemId: number) {
  const queue = await queueAs(person, projectId);
  return queue.items.find((item) => item.id === itemId)?.inRoom;
}

/**
 * A stock sync client of the person in the item's room, once it has synced, announcing its
 * presence as the room page does (a stock client's first state, clock 0, is not relayed).
 */
async function enterRoom(person: Person, itemId: number, through = server): Promise<SyncClient> {
  const client = clients.track(
    connectSyncClient(through.url, itemRoomName(itemId), { token: person.token }),
  );
  await within(client.synced, `${person.email} to join the room`);
  client.provider.awareness.setLocalStateField("field", null);
  return client;
}

const named = (person: Person) => ({ id: person.id, name: person.email.split("@")[0] });

describe("the adjudication queue", () => {
  it("lists disputed and adjudicating items, longest wait first, with who is in each room", async () => {
    const { projectId, ids } = await projectWithDisputes(3);
    const [first, second, third] = ids;
    await disputedHoursAgo(first, 1);
    await disputedHoursAgo(second, 3);
    await disputedHoursAgo(third, 2);

    const before = await queueAs(cast.lead, projectId);
    expect(before.total).toBe(3);
    expect(before.items.map((item) => item.id)).toEqual([second, third, first]);
    expect(before.items.map((item) => item.status)).toEqual(["disputed", "disputed", "disputed"]);
    expect(before.items[0]).toMatchObject({ externalId: "case-2", reopened: false, inRoom: [] });
    expect(before.items[0].disputedFields).toEqual(
      expect.arrayContaining(["preference", "accuracy"]),
    );
    expect(
      Math.abs(Date.parse(before.items[0].disputedAt) - (Date.now() - 3 * HOUR_MS)),
    ).toBeLessThan(60_000);

    // A panel member opens the room: the item is being adjudicated and keeps its place.
    const expert = await enterRoom(cast.experts[0], third);
    await waitFor(
      async () => (await inRoom(cast.lead, projectId, third))?.length === 1,
      "the expert in the room",
    );
    const opened = await queueAs(cast.lead, projectId);
    expect(opened.items.map((item) => item.id)).toEqual([second, third, first]);
    expect(opened.items[1]).toMatchObject({
      status: "adjudicating",
      disputedAt: before.items[1].disputedAt,
      inRoom: [named(cast.experts[0])],
    });
    expect(opened.items[0].inRoom).toEqual([]);

    // The lead joins, with a second connection of the expert's: each person once, by name.
    await enterRoom(cast.lead, third);
    const expertAgain = await enterRoom(cast.experts[0], third);
    await waitFor(
      async () => (await inRoom(cast.lead, projectId, third))?.length === 2,
      "the lead in the room",
    );
    expect(await inRoom(cast.admin, projectId, third)).toEqual([
      named(cast.experts[0]),
      named(cast.lead),
    ]);

    // One of the expert's connections leaves; the other keeps them in the room.
    const presence = expertAgain.provider.awareness;
    await waitFor(() => presence.getStates().has(expert.doc.clientID), "the first connection");
    expert.provider.disconnect();
    await waitFor(
      () => !presence.getStates().has(expert.doc.clientID),
      "the room to drop the first connection",
    );
    expect(await inRoom(cast.lead, projectId, third)).toEqual([
      named(cast.experts[0]),
      named(cast.lead),
    ]);
  });

  it("lists a person no longer once every connection of theirs has left", async () => {
    const { projectId, ids } = await projectWithDisputes(1);
    const [itemId] = ids;
    const expert = await enterRoom(cast.experts[1], itemId);
    await waitFor(
      async () => (await inRoom(cast.lead, projectId, itemId))?.length === 1,
      "the expert in the room",
    );
    expert.provider.disconnect();
    await waitFor(
      async () => (await inRoom(cast.lead, projectId, itemId))?.length === 0,
      "the room to be empty",
    );
    expect((await queueAs(cast.lead, projectId)).items[0].status).toBe("adjudicating");
  });

  it("puts a reopened item last: it waits from its reopening", async () => {
    const { projectId, ids } = await projectWithDisputes(2);
    const [published, waiting] = ids;
    await disputedHoursAgo(published, 5);
    await disputedHoursAgo(waiting, 1);
    const publishing = await cast.lead.api.post(`/items/${published}/publish`, {});
    expect(publishing.status, JSON.stringify(publishing.body)).toBe(201);
    expect((await queueAs(cast.lead, projectId)).items.map((item) => item.id)).toEqual([waiting]);

    const reopenedAt = Date.now();
    const reopening = await cast.lead.api.post(`/items/${published}/reopen`);
    expect(reopening.status, JSON.stringify(reopening.body)).toBe(200);
    const queue = await queueAs(cast.lead, projectId);
    expect(queue.items.map((item) => item.id)).toEqual([waiting, published]);
    expect(queue.items[1]).toMatchObject({ status: "adjudicating", reopened: true });
    expect(Date.parse(queue.items[1].disputedAt)).toBeGreaterThanOrEqual(reopenedAt - 1_000);
  });

  it("shows an annotator only the items whose panel they sit on, others under pseudonyms", async () => {
    const { projectId, ids } = await projectWithDisputes(2);
    const [first, second] = ids;
    // Still labelling elsewhere in the project, on no panel: not a word of the disputes.
    expect(await queueAs(cast.invited, projectId)).toEqual({ items: [], total: 0 });
    expect((await queueAs(cast.experts[2], projectId)).items.map((item) => item.id)).toEqual([
      first,
      second,
    ]);

    const added = await cast.lead.api.post(`/items/${second}/panel`, {
      email: cast.invited.email,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    await enterRoom(cast.experts[0], second);
    await enterRoom(cast.lead, second);
    await waitFor(
      async () => (await inRoom(cast.invited, projectId, second))?.length === 2,
      "the expert and the lead in the room",
    );
    const queue = await queueAs(cast.invited, projectId);
    expect(queue.total).toBe(1);
    expect(queue.items).toEqual([
      expect.objectContaining({
        id: second,
        externalId: "case-2",
        status: "adjudicating",
        // Annotators see each other under pseudonyms, as in the room; leads by name.
        inRoom: [{ id: null, name: "Annotator A" }, named(cast.lead)],
      }),
    ]);

    // Themselves they see by name.
    await enterRoom(cast.invited, second);
    await waitFor(
      async () => (await inRoom(cast.invited, projectId, second))?.length === 3,
      "the invited member in the room",
    );
    expect(await inRoom(cast.invited, projectId, second)).toContainEqual(named(cast.invited));
    expect(await inRoom(cast.lead, projectId, second)).toEqual([
      named(cast.experts[0]),
      named(cast.invited),
      named(cast.lead),
    ]);
  });

  it("refuses clients, outsiders and anonymous callers, and a limit out of range", async () => {
    const { projectId } = await projectWithDisputes(2);
    const path = `/projects/${projectId}/adjudication`;
    expectApiError(await cast.client.api.get(path), 403, "forbidden");
    expectApiError(await cast.outsider.api.get(path), 404, "not_found");
    expectApiError(await cast.lead.api.get("/projects/999999/adjudication"), 404, "not_found");
    const anonymous = await fetch(`${server.url}/api/v1${path}`);
    expect(anonymous.status).toBe(401);
    expectApiError(await cast.lead.api.get(`${path}?limit=0`), 400, "bad_request");
    expectApiError(await cast.lead.api.get(`${path}?limit=many`), 400, "bad_request");

    const limited = await cast.lead.api.get<Queue>(`${path}?limit=1`);
    expect(limited.status).toBe(200);
    expect(limited.body.items).toHaveLength(1);
    expect(limited.body.total).toBe(2);
  });

  it("is on the overview: with who is in the room for leads, without for clients", async () => {
    const { projectId, ids } = await projectWithDisputes(2);
    const [first, second] = ids;
    await disputedHoursAgo(first, 2);
    await disputedHoursAgo(second, 26);
    await enterRoom(cast.experts[1], first);
    await waitFor(
      async () => (await inRoom(cast.lead, projectId, first))?.length === 1,
      "the expert in the room",
    );
    const overview = async (email: string) => {
      const cookie = await signInCookie(server.url, email, "correct horse battery staple");
      const page = await fetch(`${server.url}/projects/${projectId}`, {
        headers: { Cookie: cookie },
      });
      expect(page.status).toBe(200);
      return page.text();
    };
    const entries = (html: string) =>
      [...html.matchAll(/data-item-id="(\d+)"/g)].map((match) => Number(match[1]));

    const lead = await overview(cast.lead.email);
    expect(lead).toContain("Adjudication queue");
    expect(entries(lead)).toEqual([second, first]);
    expect(lead).toMatch(/In the room:.*expert2/s);
    expect(lead).toContain("1 d 2 h");

    const client = await overview(cast.client.email);
    expect(entries(client)).toEqual([second, first]);
    expect(client).toContain("Adjudicating");
    expect(client).not.toContain("In the room");
    for (const expert of cast.experts) expect(client).not.toContain(expert.email.split("@")[0]);

    // An annotator on no panel sees none of it.
    const invited = await overview(cast.invited.email);
    expect(entries(invited)).toEqual([]);
    expect(invited).toContain("No item on a panel of yours is waiting for adjudication.");
  });
});

const redisUrl = process.env.REDIS_URL;
const postgres = Boolean(process.env.DATABASE_URL);

/** Two instances share one database only on PostgreSQL (a PGlite directory is one process's). */
describe.skipIf(!redisUrl || !postgres)(
  "across instances (needs REDIS_URL and DATABASE_URL; skipped otherwise)",
  () => {
    let first: TestServer;
    let second: TestServer;
    let people: Cast;

    beforeAll(async () => {
      first = await startTestServer({ REDIS_URL: redisUrl ?? "" });
      second = await startTestServer({
        REDIS_URL: redisUrl ?? "",
        DATABASE_URL: first.context.config.databaseUrl ?? "",
      });
      people = await createCast(first);
    });
    afterAll(async () => {
      await second?.stop();
      await first?.stop();
    });

    it("knows who is in a room through another instance only while it holds the room too", async () => {
      const { projectId, ids } = await projectWithDisputes(1, { server: first, cast: people });
      const [itemId] = ids;
      const expert = await enterRoom(people.experts[0], itemId, second);
      // The first instance does not hold the room: it cannot tell anyone is there.
      expect(await inRoom(people.lead, projectId, itemId)).toEqual([]);

      await enterRoom(people.lead, itemId, first);
      await waitFor(
        async () => (await inRoom(people.lead, projectId, itemId))?.length === 1,
        "the lead in the room",
      );
      // The expert's next presence change (or renewal, within 15 seconds) reaches it over Redis.
      expert.provider.awareness.setLocalStateField("field", "preference");
      await waitFor(
        async () => (await inRoom(people.lead, projectId, itemId))?.length === 2,
        "the expert's presence from the other instance",
      );
      expect(await inRoom(people.lead, projectId, itemId)).toEqual([
        named(people.experts[0]),
        named(people.lead),
      ]);

      expert.provider.disconnect();
      await waitFor(
        async () => (await inRoom(people.lead, projectId, itemId))?.length === 1,
        "the expert to leave",
      );
    });
  },
);
