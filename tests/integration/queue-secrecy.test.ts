import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGoldTurn, stableFraction } from "../../server/services/queue.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * What the queue must keep from annotators: which of their items are gold (docs/decisions/006),
 * whether their item just reached consensus or dispute, and more than one reservation at a time.
 */

const PASSWORD = "correct horse battery staple";

let server: TestServer;
let admin: ApiClient;
let people = 0;

beforeAll(async () => {
  server = await startTestServer();
  admin = apiClient(
    server.url,
    (await server.createUserWithToken({ email: "admin@example.test", isAdmin: true })).token,
  );
});
afterAll(() => server?.stop());

const template = {
  fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] }],
};

interface Annotator {
  id: number;
  email: string;
  api: ApiClient;
}

async function annotator(): Promise<Annotator> {
  people += 1;
  const email = `annotator${people}@example.test`;
  const { userId, token } = await server.createUserWithToken({ email, level: "expert" });
  return { id: userId, email, api: apiClient(server.url, token) };
}

/** A project of `normal` ordinary and `gold` gold items, labelled by `annotators`. */
async function project(options: {
  normal: number;
  gold: number;
  overlap: number;
  goldRate: number;
  annotators: Annotator[];
}): Promise<number> {
  const created = await admin.post<{ project: { id: number } }>("/projects", {
    name: `Queue ${people}`,
    template,
    overlap: options.overlap,
    settings: { goldRate: options.goldRate, juniorReview: { firstN: 0, rate: 0 } },
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
  const item = (externalId: string) => ({
    externalId,
    prompt: "Is this dose safe?",
    responses: [{ id: "a", text: "Yes." }],
  });
  const rows = [
    ...Array.from({ length: options.normal }, (_, index) => item(`case-${index}`)),
    ...Array.from({ length: options.gold }, (_, index) => ({
      ...item(`gold-${index}`),
      gold: { label: { verdict: "safe" } },
    })),
  ];
  const imported = await admin.post(`/projects/${projectId}/items`, rows);
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  return projectId;
}

async function next(person: Annotator, projectId: number): Promise<number> {
  const response = await person.api.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${projectId}`,
  );
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.assignment, JSON.stringify(response.body)).not.toBeNull();
  return response.body.assignment!.itemId;
}

async function label(person: Annotator, itemId: number, verdict: string): Promise<void> {
  const submitted = await person.api.post(`/items/${itemId}/annotations`, {
    label: { verdict },
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
}

async function goldItems(projectId: number): Promise<Set<number>> {
  const rows = await server.context.db
    .selectFrom("items")
    .select("id")
    .where("project_id", "=", projectId)
    .where("gold_label", "is not", null)
    .execute();
  return new Set(rows.map((row) => row.id));
}

describe("gold turns", () => {
  it("cannot be told from the inputs an annotator knows, and follow the deployment's secret", async () => {
    const turns = 100;
    const worker = await annotator();
    const projectId = await project({
      normal: turns,
      gold: turns,
      overlap: 1,
      goldRate: 0.5,
      annotators: [worker],
    });
    const gold = await goldItems(projectId);
    const { secret } = await server.context.db
      .selectFrom("deployment")
      .select("secret")
      .executeTakeFirstOrThrow();
    let predicted = 0;
    let recomputed = 0;
    let servedGold = 0;
    for (let given = 0; given < turns; given++) {
      const itemId = await next(worker, projectId);
      const wasGold = gold.has(itemId);
      servedGold += Number(wasGold);
      // What an annotator could compute: the hash of the project, their id and their turn.
      if (stableFraction("gold", projectId, worker.id, given) < 0.5 === wasGold) predicted += 1;
      if (isGoldTurn({ secret, projectId, userId: worker.id, given, goldRate: 0.5 }) === wasGold) {
        recomputed += 1;
      }
      await label(worker, itemId, "safe");
    }
    // Chance is 50 of 100 (standard deviation 5); were the hash unkeyed, all 100 would match.
    expect(predicted).toBeGreaterThan(25);
    expect(predicted).toBeLessThan(75);
    // With the secret, every decision can be recomputed.
    expect(recomputed).toBe(turns);
    expect(servedGold).toBeGreaterThan(25);
    expect(servedGold).toBeLessThan(75);
  });
});

describe("an annotator's view of a project", () => {
  /** Everything an annotator reads about the project, as the API serves it. */
  async function views(person: Annotator, projectId: number): Promise<string> {
    const one = await person.api.get<{ project: unknown }>(`/projects/${projectId}`);
    expect(one.status).toBe(200);
    const list = await person.api.get<{ projects: Array<{ id: number }> }>("/projects");
    expect(list.status).toBe(200);
    return JSON.stringify([one.body, list.body.projects.find((entry) => entry.id === projectId)]);
  }

  it("is the same before and after a gold item or an ordinary one is reserved", async () => {
    const worker = await annotator();
    const projectId = await project({
      normal: 1,
      gold: 1,
      overlap: 2,
      goldRate: 0.5,
      annotators: [worker],
    });
    const gold = await goldItems(projectId);
    const initial = await views(worker, projectId);
    const served: boolean[] = [];
    for (let turn = 0; turn < 2; turn++) {
      const before = await views(worker, projectId);
      const itemId = await next(worker, projectId);
      served.push(gold.has(itemId));
      expect(await views(worker, projectId)).toBe(before);
      expect(before).toBe(initial);
      await label(worker, itemId, "safe");
    }
    // One of each, in whichever order the queue chose.
    expect(served.sort()).toEqual([false, true]);
    expect(await views(worker, projectId)).toBe(initial);

    // Leads still see every item by status, gold ones included.
    const lead = await admin.get<{ project: { itemCounts: Record<string, number> } }>(
      `/projects/${projectId}`,
    );
    expect(lead.body.project.itemCounts).toEqual({ queued: 1, annotating: 1 });
  });

  it("is the same before and after an item they labelled reaches consensus or dispute", async () => {
    const [first, second] = [await annotator(), await annotator()];
    const projectId = await project({
      normal: 2,
      gold: 0,
      overlap: 2,
      goldRate: 0,
      annotators: [first, second],
    });
    const agreed = await next(first, projectId);
    await label(first, agreed, "safe");
    const disagreed = await next(first, projectId);
    await label(first, disagreed, "safe");

    const initial = await Promise.all([views(first, projectId), views(second, projectId)]);
    expect(await next(second, projectId)).toBe(agreed);
    await label(second, agreed, "safe");
    expect(await Promise.all([views(first, projectId), views(second, projectId)])).toEqual(initial);
    expect(await next(second, projectId)).toBe(disagreed);
    await label(second, disagreed, "unsafe");
    expect(await Promise.all([views(first, projectId), views(second, projectId)])).toEqual(initial);

    const statuses = await server.context.db
      .selectFrom("items")
      .select(["id", "status"])
      .where("project_id", "=", projectId)
      .execute();
    expect(Object.fromEntries(statuses.map((row) => [row.id, row.status]))).toEqual({
      [agreed]: "consensus",
      [disagreed]: "disputed",
    });
    const lead = await admin.get<{ project: { itemCounts: Record<string, number> } }>(
      `/projects/${projectId}`,
    );
    expect(lead.body.project.itemCounts).toEqual({ consensus: 1, disputed: 1 });
  });

  it("shows on the pages the annotator's own work instead of items by status", async () => {
    const [first, second] = [await annotator(), await annotator()];
    // The gold item stays open to the first annotator, so their queue's state stays the same.
    const projectId = await project({
      normal: 1,
      gold: 1,
      overlap: 2,
      goldRate: 0,
      annotators: [first, second],
    });
    const cookie = await signInCookie(server.url, first.email, PASSWORD);
    const page = async (path: string) => {
      const response = await fetch(`${server.url}${path}`, { headers: { Cookie: cookie } });
      expect(response.status).toBe(200);
      return response.text();
    };
    /** The parts of the overview and the project list that speak of progress. */
    const progress = async () => {
      const overview = await page(`/projects/${projectId}`);
      const list = await page("/projects");
      return [
        /data-testid="own-progress">(.*?)<\/p>/.exec(overview)?.[1],
        /aria-label="Your work">(.*?)<\/dl>/.exec(list)?.[1],
      ].map((html) => html?.replace(/<!-- -->/g, ""));
    };

    const itemId = await next(first, projectId);
    await label(first, itemId, "safe");
    const [overview, list] = await progress();
    expect(overview).toBe(
      "You have labelled 1 item here (1 today). There are items for you to label.",
    );
    expect(list).toContain("Labelled by you");
    const html = await page(`/projects/${projectId}`);
    for (const hidden of ["status-legend", "status-bar", "items published"]) {
      expect(html).not.toContain(hidden);
    }

    // The other annotator's label settles the item; nothing on these pages moves.
    await next(second, projectId);
    await label(second, itemId, "safe");
    expect(await progress()).toEqual([overview, list]);
  });
});

describe("reservations", () => {
  interface Next {
    assignment: { itemId: number } | null;
  }

  async function liveReservations(person: Annotator, projectId: number) {
    return server.context.db
      .selectFrom("assignments")
      .innerJoin("items", "items.id", "assignments.item_id")
      .select(["assignments.id", "assignments.item_id"])
      .where("items.project_id", "=", projectId)
      .where("assignments.user_id", "=", person.id)
      .where("assignments.status", "=", "reserved")
      .where("assignments.expires_at", ">", new Date())
      .execute();
  }

  it("are one per annotator however many requests arrive at once", async () => {
    const worker = await annotator();
    const projectId = await project({
      normal: 60,
      gold: 0,
      overlap: 3,
      goldRate: 0,
      annotators: [worker],
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => worker.api.get<Next>(`/queue/next?project=${projectId}`)),
    );
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const held = await liveReservations(worker, projectId);
    expect(held).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.body.assignment?.itemId))).toEqual(
      new Set([held[0]!.item_id]),
    );
  });

  it("bill one reservation's time, not one per parallel request", async () => {
    const worker = await annotator();
    const projectId = await project({
      normal: 40,
      gold: 0,
      overlap: 1,
      goldRate: 0,
      annotators: [worker],
    });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => worker.api.get<Next>(`/queue/next?project=${projectId}`)),
    );
    const items = [...new Set(answers.map((answer) => answer.body.assignment!.itemId))];
    // A minute of work on what is held: reserved a minute ago, active until now.
    await server.context.db
      .updateTable("assignments")
      .set({ reserved_at: new Date(Date.now() - 60_000) })
      .where(
        "id",
        "in",
        (await liveReservations(worker, projectId)).map((row) => row.id),
      )
      .execute();
    for (const itemId of items) {
      const beat = await worker.api.post(`/items/${itemId}/heartbeat`);
      expect(beat.status, JSON.stringify(beat.body)).toBe(204);
    }
    for (const itemId of items) await label(worker, itemId, "safe");
    const billed = await server.context.db
      .selectFrom("annotations")
      .innerJoin("items", "items.id", "annotations.item_id")
      .select((eb) => eb.fn.sum<number>("annotations.active_ms").as("activeMs"))
      .where("items.project_id", "=", projectId)
      .where("annotations.user_id", "=", worker.id)
      .executeTakeFirstOrThrow();
    expect(Number(billed.activeMs)).toBeGreaterThanOrEqual(60_000);
    expect(Number(billed.activeMs)).toBeLessThan(65_000);
    expect(items).toHaveLength(1);
  });
});
