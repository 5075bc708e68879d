import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * The queue under parallel requests: "nothing to do" is said only when the caller truly has
 * nothing to do, however many others ask at the same moment, and no item is handed out beyond
 * its overlap (docs/decisions/006).
 */

let server: TestServer;
let admin: ApiClient;
let people = 0;
let projects = 0;
/** Annotators made once: each round makes a project of its own with some of them. */
let experts: Annotator[];
let juniors: Annotator[];

beforeAll(async () => {
  server = await startTestServer();
  admin = apiClient(
    server.url,
    (await server.createUserWithToken({ email: "admin@example.test", isAdmin: true })).token,
  );
  experts = await annotators(14, "expert");
  juniors = await annotators(8, "junior");
});
afterAll(() => server?.stop());

interface Annotator {
  id: number;
  email: string;
  api: ApiClient;
}

interface Next {
  assignment: { itemId: number } | null;
}

async function annotators(count: number, level: "junior" | "expert"): Promise<Annotator[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      people += 1;
      const email = `annotator${people}@example.test`;
      const { userId, token } = await server.createUserWithToken({ email, level });
      return { id: userId, email, api: apiClient(server.url, token) };
    }),
  );
}

async function project(options: {
  items: number;
  overlap: number;
  annotators: Annotator[];
  requireExpert?: boolean;
}): Promise<number> {
  const created = await admin.post<{ project: { id: number } }>("/projects", {
    name: `Parallel queue ${++projects}`,
    template: {
      fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] }],
    },
    overlap: options.overlap,
    settings: {
      goldRate: 0,
      requireExpert: options.requireExpert ?? false,
      juniorReview: { firstN: 0, rate: 0 },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  for (const member of options.annotators) {
    const added = await admin.post(`/projects/${projectId}/members`, {
      email: member.email,
      role: "annotator",
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  const imported = await admin.post(
    `/projects/${projectId}/items`,
    Array.from({ length: options.items }, (_, index) => ({
      externalId: `case-${index}`,
      prompt: "Is this dose safe?",
      responses: [{ id: "a", text: "Yes." }],
    })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  return projectId;
}

/** The item the queue gives a person next, or null when it says there is nothing to do. */
async function next(person: Annotator, projectId: number): Promise<number | null> {
  const answer = await person.api.get<Next>(`/queue/next?project=${projectId}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.assignment?.itemId ?? null;
}

/** Every annotator asks for their next item at the same moment. */
function allAskAtOnce(people: Annotator[], projectId: number): Promise<Array<number | null>> {
  return Promise.all(people.map((person) => next(person, projectId)));
}

/** Live reservations per item of a project. */
async function reservationsPerItem(projectId: number): Promise<Map<number, number>> {
  const rows = await server.context.db
    .selectFrom("items")
    .leftJoin("assignments", (join) =>
      join
        .onRef("assignments.item_id", "=", "items.id")
        .on("assignments.status", "=", "reserved")
        .on("assignments.expires_at", ">", new Date()),
    )
    .select(["items.id", (eb) => eb.fn.count<string>("assignments.id").as("count")])
    .where("items.project_id", "=", projectId)
    .groupBy("items.id")
    .execute();
  return new Map(rows.map((row) => [row.id, Number(row.count)]));
}

/**
 * Those told there was nothing to do ask again, one at a time, with nobody else asking: they
 * must be told the same, or the first answer was false.
 */
async function expectNothingLeftFor(people: Annotator[], projectId: number) {
  for (const person of people) expect(await next(person, projectId), person.email).toBeNull();
}

describe("parallel requests for the next item", () => {
  it("give every annotator an item when there are exactly as many items as annotators", async () => {
    for (let round = 0; round < 5; round++) {
      const team = experts.slice(0, 12);
      const projectId = await project({ items: 12, overlap: 1, annotators: team });
      const got = await allAskAtOnce(team, projectId);
      expect(got.filter((itemId) => itemId === null)).toHaveLength(0);
      expect(new Set(got).size).toBe(12);
      expect([...(await reservationsPerItem(projectId)).values()]).toEqual(Array(12).fill(1));
    }
  });

  it("fill every place of items that several annotators share", async () => {
    for (let round = 0; round < 5; round++) {
      const team = experts.slice(0, 12);
      const projectId = await project({ items: 4, overlap: 3, annotators: team });
      const got = await allAskAtOnce(team, projectId);
      expect(got.filter((itemId) => itemId === null)).toHaveLength(0);
      expect([...(await reservationsPerItem(projectId)).values()]).toEqual([3, 3, 3, 3]);
    }
  });

  it("hand out no place beyond the overlap when more ask than there are places", async () => {
    for (let round = 0; round < 5; round++) {
      const team = experts.slice(0, 14);
      const projectId = await project({ items: 3, overlap: 2, annotators: team });
      const got = await allAskAtOnce(team, projectId);
      expect(got.filter((itemId) => itemId !== null)).toHaveLength(6);
      expect([...(await reservationsPerItem(projectId)).values()]).toEqual([2, 2, 2]);
      await expectNothingLeftFor(
        team.filter((_, index) => got[index] === null),
        projectId,
      );
    }
  });

  it("keep the last place for an expert while juniors and experts ask at once", async () => {
    for (let round = 0; round < 5; round++) {
      const team = [...juniors, ...experts.slice(0, 4)];
      const projectId = await project({
        items: 4,
        overlap: 3,
        annotators: team,
        requireExpert: true,
      });
      const got = await allAskAtOnce(team, projectId);
      const perItem = await reservationsPerItem(projectId);
      const expertIds = new Set(experts.map((person) => person.id));
      for (const [itemId, count] of perItem) {
        expect(count).toBeLessThanOrEqual(3);
        // A full item holds an expert's reservation.
        const holders = team.filter((_, index) => got[index] === itemId);
        if (count === 3) expect(holders.some((person) => expertIds.has(person.id))).toBe(true);
      }
      await expectNothingLeftFor(
        team.filter((_, index) => got[index] === null),
        projectId,
      );
    }
  });

  it("pass over the items whose last place waits for an expert, however many there are", async () => {
    const [first, second, expert] = [juniors[0], juniors[1], experts[0]];
    const waiting = 25;
    const projectId = await project({
      items: waiting + 1,
      overlap: 2,
      annotators: [first!, second!, expert!],
      requireExpert: true,
    });
    // The first junior labels all but one item, whose last place is then kept for an expert.
    const labelled = new Set<number>();
    for (let count = 0; count < waiting; count++) {
      const itemId = await next(first!, projectId);
      labelled.add(itemId!);
      const submitted = await first!.api.post(`/items/${itemId}/annotations`, {
        label: { verdict: "safe" },
      });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    }
    const fresh = await next(second!, projectId);
    expect(fresh).not.toBeNull();
    expect(labelled.has(fresh!)).toBe(false);
    // The expert is still served the items that waited for them.
    const forExpert = await next(expert!, projectId);
    expect(labelled.has(forExpert!)).toBe(true);
  });

  it("wait for an item that another transaction holds for a moment instead of saying there is none", async () => {
    const [first, second] = experts;
    const projectId = await project({ items: 1, overlap: 2, annotators: [first!, second!] });
    const [itemId] = [...(await reservationsPerItem(projectId)).keys()];
    expect(await next(first!, projectId)).toBe(itemId);

    // The item's row is locked by a transaction that takes a moment (as a submission's does),
    // while the second annotator asks.
    let asked: Promise<number | null> | undefined;
    await server.context.db.transaction().execute(async (trx) => {
      await sql`select id from items where id = ${itemId} for update`.execute(trx);
      asked = next(second!, projectId);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(await asked).toBe(itemId);
  });
});
