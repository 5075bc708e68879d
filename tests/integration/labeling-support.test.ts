import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, expectApiError, type ApiClient } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * The annotator's own queue state and progress, a project's versioned guidelines, and flags an
 * annotator raises for a lead, through the API: who may do what, and what a refusal keeps.
 */

let server: TestServer;
let admin: ApiClient;
let lead: ApiClient;
let client: ApiClient;
let outsider: ApiClient;
let legal: ApiClient;
const experts: ApiClient[] = [];

const template = {
  fields: [{ id: "score", type: "rating", label: "Score", min: 1, max: 5, required: true }],
};

interface Status {
  state: string;
  doneToday: number;
  doneTotal: number;
  remaining: number;
  waiting: number;
}

interface Flag {
  id: number;
  item: { id: number; externalId: string };
  note: string;
  status: string;
  flaggedBy: { email: string };
  reassignedTo: { email: string } | null;
}

async function createProject(overlap: number): Promise<number> {
  const created = await admin.post<{ project: { id: number } }>("/projects", {
    name: `Support ${overlap}-${Math.random()}`,
    domain: "medical",
    template,
    overlap,
    settings: { goldRate: 0 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  const members: Array<[string, string]> = [
    ["lead@support.test", "lead"],
    ["expert1@support.test", "annotator"],
    ["expert2@support.test", "annotator"],
    ["expert3@support.test", "annotator"],
    ["legal@support.test", "annotator"],
    ["client@support.test", "client"],
  ];
  for (const [email, role] of members) {
    const added = await admin.post(`/projects/${projectId}/members`, { email, role });
    expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
  }
  return projectId;
}

async function importItems(projectId: number, externalIds: string[]): Promise<void> {
  const imported = await admin.post(
    `/projects/${projectId}/items`,
    externalIds.map((externalId) => ({
      externalId,
      prompt: `Question ${externalId}`,
      responses: [{ id: "a", text: `Answer ${externalId}` }],
    })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
}

async function status(who: ApiClient, projectId: number): Promise<Status> {
  const response = await who.get<{ status: Status }>(`/projects/${projectId}/queue/mine`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.status;
}

async function next(who: ApiClient, projectId: number): Promise<number | null> {
  const response = await who.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${projectId}`,
  );
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.assignment?.itemId ?? null;
}

async function flags(projectId: number, query = ""): Promise<Flag[]> {
  const response = await lead.get<{ flags: Flag[] }>(`/projects/${projectId}/flags${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.flags;
}

beforeAll(async () => {
  server = await startTestServer();
  const make = async (email: string, extra: Record<string, unknown> = {}) =>
    apiClient(server.url, (await server.createUserWithToken({ email, ...extra })).token);
  admin = await make("admin@support.test", { isAdmin: true });
  lead = await make("lead@support.test");
  client = await make("client@support.test");
  outsider = await make("outsider@support.test", { level: "expert", domains: ["medical"] });
  legal = await make("legal@support.test", { level: "expert", domains: ["legal"] });
  for (const number of [1, 2, 3]) {
    experts.push(
      await make(`expert${number}@support.test`, { level: "expert", domains: ["medical"] }),
    );
  }
});

afterAll(async () => {
  await server?.stop();
});

describe("the caller's queue and progress", () => {
  it("tells no items, none in my domains, available, waiting and all done apart", async () => {
    const projectId = await createProject(1);
    expect(await status(experts[0], projectId)).toEqual({
      state: "no_items",
      doneToday: 0,
      doneTotal: 0,
      remaining: 0,
      waiting: 0,
    });

    await importItems(projectId, ["q-1", "q-2"]);
    expect(await status(legal, projectId)).toMatchObject({
      state: "no_items_for_domains",
      remaining: 0,
    });
    expect(await status(experts[0], projectId)).toMatchObject({
      state: "available",
      remaining: 2,
    });

    const first = await next(experts[0], projectId);
    expect(first).not.toBeNull();
    // The held item still counts as remaining for its holder, and is no longer open to others.
    expect(await status(experts[0], projectId)).toMatchObject({ remaining: 2 });
    expect(await status(experts[1], projectId)).toMatchObject({ remaining: 1, waiting: 1 });
    expect(
      (await experts[0].post(`/items/${first}/annotations`, { label: { score: 4 } })).status,
    ).toBe(201);
    expect(await status(experts[0], projectId)).toEqual({
      state: "available",
      doneToday: 1,
      doneTotal: 1,
      remaining: 1,
      waiting: 0,
    });

    const second = await next(experts[1], projectId);
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    expect(await status(experts[0], projectId)).toMatchObject({
      state: "waiting",
      remaining: 0,
      waiting: 1,
    });
    expect(
      (await experts[1].post(`/items/${second}/annotations`, { label: { score: 2 } })).status,
    ).toBe(201);
    expect(await status(experts[0], projectId)).toEqual({
      state: "all_done",
      doneToday: 1,
      doneTotal: 1,
      remaining: 0,
      waiting: 0,
    });
  });

  it("counts gold items like any other, so its state never tells which item is gold", async () => {
    const projectId = await createProject(1);
    await importItems(projectId, ["g-plain"]);
    const gold = await admin.post(`/projects/${projectId}/items`, [
      {
        externalId: "g-gold",
        prompt: "Question g-gold",
        responses: [{ id: "a", text: "Answer g-gold" }],
        gold: { label: { score: 3 } },
      },
    ]);
    expect(gold.status, JSON.stringify(gold.body)).toBeLessThan(300);
    const [expert] = experts;
    expect(await status(expert, projectId)).toMatchObject({ state: "available", remaining: 2 });
    for (const remaining of [1, 0]) {
      const itemId = await next(expert, projectId);
      expect(itemId).not.toBeNull();
      expect(
        (await expert.post(`/items/${itemId}/annotations`, { label: { score: 3 } })).status,
      ).toBe(201);
      expect(await status(expert, projectId)).toMatchObject({
        state: remaining > 0 ? "available" : "all_done",
        remaining,
        doneTotal: 2 - remaining,
      });
    }
  });

  it("promises exactly the items the queue then gives (random projects and others' work)", async () => {
    const scenario = fc.record({
      overlap: fc.integer({ min: 1, max: 3 }),
      items: fc.array(
        fc.record({
          gold: fc.boolean(),
          domain: fc.constantFrom("medical", "legal"),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      others: fc.array(
        fc.record({ who: fc.constantFrom(1, 2), op: fc.constantFrom("next", "submit", "skip") }),
        { maxLength: 8 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ overlap, items, others }) => {
        const projectId = await createProject(overlap);
        const imported = await admin.post(
          `/projects/${projectId}/items`,
          items.map((item, index) => ({
            externalId: `prop-${index}`,
            prompt: `Question ${index}`,
            responses: [{ id: "a", text: `Answer ${index}` }],
            domain: item.domain,
            ...(item.gold ? { gold: { label: { score: 3 } } } : {}),
          })),
        );
        expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
        const held = new Map<number, number>();
        for (const { who, op } of others) {
          const other = experts[who];
          if (op === "next") {
            const itemId = await next(other, projectId);
            if (itemId !== null) held.set(who, itemId);
            continue;
          }
          const itemId = held.get(who);
          if (itemId === undefined) continue;
          held.delete(who);
          if (op === "submit")
            await other.post(`/items/${itemId}/annotations`, { label: { score: 2 } });
          else await other.post(`/items/${itemId}/skip`, { reason: "Not for me" });
        }

        const promised = await status(experts[0], projectId);
        let given = 0;
        for (let itemId = await next(experts[0], projectId); itemId !== null;) {
          given++;
          expect(
            (await experts[0].post(`/items/${itemId}/annotations`, { label: { score: 4 } })).status,
          ).toBe(201);
          itemId = await next(experts[0], projectId);
        }
        expect(given).toBe(promised.remaining);
        expect(promised.state === "available").toBe(given > 0);
        if (given === 0) {
          expect(promised.state).toBe(
            promised.waiting > 0
              ? "waiting"
              : items.some((item) => item.domain === "medical")
                ? "all_done"
                : "no_items_for_domains",
          );
        }
        expect(await status(experts[0], projectId)).toMatchObject({
          remaining: 0,
          doneTotal: given,
        });
      }),
      { numRuns: 15 },
    );
  });

  it("is for those who label: clients are refused, outsiders told nothing", async () => {
    const projectId = await createProject(1);
    expectApiError(await client.get(`/projects/${projectId}/queue/mine`), 403, "forbidden");
    expectApiError(await outsider.get(`/projects/${projectId}/queue/mine`), 404, "not_found");
    expectApiError(await experts[0].get(`/projects/abc/queue/mine`), 400, "bad_request");
  });
});

describe("changing one's last label", () => {
  it("is allowed while the item waits for other labels, checked like a submission", async () => {
    const projectId = await createProject(2);
    await importItems(projectId, ["v-1"]);
    const [first, second] = experts;
    const itemId = (await next(first, projectId))!;
    const path = `/items/${itemId}/annotations/mine`;
    expectApiError(await first.put(path, { label: { score: 2 } }), 409, "conflict");
    expect((await first.post(`/items/${itemId}/annotations`, { label: { score: 4 } })).status).toBe(
      201,
    );
    const mine = async () =>
      (
        await first.get<{ annotations: Array<{ label: unknown }> }>(
          `/projects/${projectId}/annotations/mine`,
        )
      ).body.annotations.map((annotation) => annotation.label);

    const revised = await first.put<{ annotation: { label: unknown } }>(path, {
      label: { score: 2 },
    });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body.annotation.label).toEqual({ score: 2 });
    expect(await mine()).toEqual([{ score: 2 }]);

    expect(
      expectApiError(await first.put(path, { label: { score: 9 } }), 422, "validation_failed"),
    ).toEqual([expect.objectContaining({ field: "score" })]);
    expectApiError(await first.put(path, { score: 3 }), 422, "validation_failed");
    expectApiError(await second.put(path, { label: { score: 3 } }), 409, "conflict");
    expectApiError(await client.put(path, { label: { score: 3 } }), 403, "forbidden");
    expectApiError(await outsider.put(path, { label: { score: 3 } }), 404, "not_found");
    expectApiError(
      await first.put(`/items/999999/annotations/mine`, { label: { score: 3 } }),
      404,
      "not_found",
    );
    expect(await mine()).toEqual([{ score: 2 }]);

    // The second label settles the item on the revised first one: no change after that.
    expect(await next(second, projectId)).toBe(itemId);
    expect(
      (await second.post(`/items/${itemId}/annotations`, { label: { score: 2 } })).status,
    ).toBe(201);
    const settled = await lead.get<{ item: { status: string } }>(`/items/${itemId}`);
    expect(settled.body.item.status).toMatch(/consensus|published/);
    expectApiError(await first.put(path, { label: { score: 5 } }), 409, "conflict");
    expect(await mine()).toEqual([{ score: 2 }]);
  });
});

describe("guidelines", () => {
  it("are versioned by leads and read by everyone in the project", async () => {
    const projectId = await createProject(1);
    const path = `/projects/${projectId}/guidelines`;
    expect((await experts[0].get(path)).body).toEqual({ guidelines: null });

    expectApiError(
      await experts[0].put(path, { body: "# Mine", expectedVersion: 0 }),
      403,
      "forbidden",
    );
    expectApiError(
      await client.put(path, { body: "# Mine", expectedVersion: 0 }),
      403,
      "forbidden",
    );
    expectApiError(
      await outsider.put(path, { body: "# Mine", expectedVersion: 0 }),
      404,
      "not_found",
    );
    expectApiError(await outsider.get(path), 404, "not_found");
    expect(
      expectApiError(await lead.put(path, { body: "# Rules" }), 422, "validation_failed"),
    ).toEqual([expect.objectContaining({ field: "expectedVersion" })]);
    expect(
      expectApiError(
        await lead.put(path, { body: "x".repeat(100_001), expectedVersion: 0 }),
        422,
        "validation_failed",
      ),
    ).toEqual([expect.objectContaining({ field: "body" })]);

    const first = await lead.put<{ guidelines: { version: number; body: string } }>(path, {
      body: "# Rules\n\nRate **accuracy** only.",
      expectedVersion: 0,
    });
    expect(first.status).toBe(201);
    expect(first.body.guidelines).toMatchObject({
      version: 1,
      body: "# Rules\n\nRate **accuracy** only.",
      createdBy: { name: "lead" },
    });

    // A save from a version that is no longer the latest is refused, and changes nothing.
    expectApiError(await lead.put(path, { body: "stale", expectedVersion: 0 }), 409, "conflict");
    expect(
      (await experts[0].get<{ guidelines: { version: number } }>(path)).body.guidelines,
    ).toMatchObject({ version: 1, body: "# Rules\n\nRate **accuracy** only." });

    expect((await lead.put(path, { body: "# Rules v2", expectedVersion: 1 })).status).toBe(201);
    expect((await client.get(path)).body).toMatchObject({
      guidelines: { version: 2, body: "# Rules v2" },
    });
    expect((await experts[0].get(`${path}?version=1`)).body).toMatchObject({
      guidelines: { version: 1, body: "# Rules\n\nRate **accuracy** only." },
    });
    expectApiError(await experts[0].get(`${path}?version=9`), 404, "not_found");
    const versions = await lead.get<{ versions: Array<{ version: number; length: number }> }>(
      `${path}/versions`,
    );
    expect(versions.body.versions.map((entry) => [entry.version, entry.length])).toEqual([
      [2, "# Rules v2".length],
      [1, "# Rules\n\nRate **accuracy** only.".length],
    ]);
  });

  it("take exactly one of many saves made from the same version", async () => {
    const projectId = await createProject(1);
    const path = `/projects/${projectId}/guidelines`;
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        lead.put(path, { body: `edit ${index}`, expectedVersion: 0 }),
      ),
    );
    const statuses = attempts.map((attempt) => attempt.status).sort();
    expect(statuses.filter((code) => code === 201)).toHaveLength(1);
    expect(statuses.filter((code) => code === 409)).toHaveLength(39);
    const versions = await lead.get<{ versions: unknown[] }>(`${path}/versions`);
    expect(versions.body.versions).toHaveLength(1);
  });
});

describe("flags", () => {
  it("are raised only on a held item, with a note; a refusal keeps the item held", async () => {
    const projectId = await createProject(2);
    await importItems(projectId, ["f-1", "f-2"]);
    const [expert] = experts;

    // No item held at all, and an item held by someone else.
    expectApiError(await expert.post(`/items/999999/flags`, { note: "?" }), 404, "not_found");
    const heldByOther = await next(experts[1], projectId);
    const refused = expectApiError(
      await expert.post(`/items/${heldByOther}/flags`, { note: "Unclear" }),
      409,
      "conflict",
    );
    expect(refused).toBeUndefined();
    expectApiError(
      await outsider.post(`/items/${heldByOther}/flags`, { note: "Unclear" }),
      404,
      "not_found",
    );
    expectApiError(
      await client.post(`/items/${heldByOther}/flags`, { note: "Unclear" }),
      403,
      "forbidden",
    );

    const held = await next(expert, projectId);
    expect(held).not.toBeNull();
    expect(
      (await expert.put(`/items/${held}/draft`, { label: { score: 3 }, elapsedMs: 1000 })).status,
    ).toBe(200);
    expect(
      expectApiError(
        await expert.post(`/items/${held}/flags`, { note: "   " }),
        422,
        "validation_failed",
      ),
    ).toEqual([expect.objectContaining({ field: "note" })]);
    // Still held after the refusal.
    expect(await next(expert, projectId)).toBe(held);
    expect(await flags(projectId)).toEqual([]);

    const flagged = await expert.post<{ flag: Flag }>(`/items/${held}/flags`, {
      note: "The answer cites a withdrawn guideline",
    });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);
    expect(flagged.body.flag).toMatchObject({
      item: { id: held },
      note: "The answer cites a withdrawn guideline",
      status: "open",
    });
    // The annotator moves on; the flagged item is no longer theirs to flag or label.
    expectApiError(await expert.post(`/items/${held}/flags`, { note: "again" }), 409, "conflict");
    expect(await next(expert, projectId)).not.toBe(held);
  });

  it("are seen by leads only, with the skip reasons, and released or reassigned once", async () => {
    const projectId = await createProject(2);
    await importItems(projectId, ["r-1", "r-2"]);
    const [first, second, third] = experts;

    const held = (await next(first, projectId))!;
    await first.put(`/items/${held}/draft`, { label: { score: 5 }, elapsedMs: 2000 });
    const flag = (
      await first.post<{ flag: Flag }>(`/items/${held}/flags`, { note: "Needs a pharmacist" })
    ).body.flag;
    const skipped = (await next(second, projectId))!;
    expect(
      (await second.post(`/items/${skipped}/skip`, { reason: "Outside my area" })).status,
    ).toBe(204);

    expectApiError(await first.get(`/projects/${projectId}/flags`), 403, "forbidden");
    expectApiError(await client.get(`/projects/${projectId}/flags`), 403, "forbidden");
    expectApiError(await outsider.get(`/projects/${projectId}/flags`), 404, "not_found");
    const queue = await lead.get<{
      flags: Flag[];
      skips: Array<{ item: { id: number }; reason: string; skippedBy: { email: string } }>;
    }>(`/projects/${projectId}/flags`);
    expect(queue.status).toBe(200);
    expect(queue.body.flags).toEqual([
      expect.objectContaining({
        id: flag.id,
        note: "Needs a pharmacist",
        status: "open",
        flaggedBy: expect.objectContaining({ email: "expert1@support.test" }),
      }),
    ]);
    expect(queue.body.skips).toEqual([
      expect.objectContaining({
        item: expect.objectContaining({ id: skipped }),
        reason: "Outside my area",
        skippedBy: expect.objectContaining({ email: "expert2@support.test" }),
      }),
    ]);

    // Only leads decide, and only once however many ask at once.
    expectApiError(await first.post(`/flags/${flag.id}/release`), 403, "forbidden");
    expectApiError(await client.post(`/flags/${flag.id}/release`), 403, "forbidden");
    expectApiError(await outsider.post(`/flags/${flag.id}/release`), 404, "not_found");
    expectApiError(await lead.post(`/flags/999999/release`), 404, "not_found");
    const releases = await Promise.all(
      Array.from({ length: 20 }, () => lead.post<{ flag: Flag }>(`/flags/${flag.id}/release`)),
    );
    expect(releases.filter((release) => release.status === 200)).toHaveLength(1);
    expect(releases.filter((release) => release.status === 409)).toHaveLength(19);
    expect(await flags(projectId)).toEqual([]);
    expect((await flags(projectId, "?status=all"))[0]).toMatchObject({ status: "released" });

    // Released: the annotator who flagged it may be given it again, and finds their draft.
    while ((await next(first, projectId)) !== held) {
      const other = (await next(first, projectId))!;
      await first.post(`/items/${other}/annotations`, { label: { score: 1 } });
    }
    const item = await first.get<{ draft: { label: unknown } | null }>(`/items/${held}`);
    expect(item.body.draft?.label).toEqual({ score: 5 });

    // A second flag, reassigned: refused for someone who is not an annotator of the project.
    const again = (
      await first.post<{ flag: Flag }>(`/items/${held}/flags`, { note: "Still unsure" })
    ).body.flag;
    expect(
      expectApiError(
        await lead.post(`/flags/${again.id}/reassign`, { email: "client@support.test" }),
        422,
        "validation_failed",
      ),
    ).toEqual([expect.objectContaining({ field: "email" })]);
    expectApiError(
      await lead.post(`/flags/${again.id}/reassign`, { email: "outsider@support.test" }),
      422,
      "validation_failed",
    );
    expectApiError(
      await first.post(`/flags/${again.id}/reassign`, { email: "expert3@support.test" }),
      403,
      "forbidden",
    );
    const reassigned = await lead.post<{ flag: Flag }>(`/flags/${again.id}/reassign`, {
      email: "expert3@support.test",
    });
    expect(reassigned.status, JSON.stringify(reassigned.body)).toBe(200);
    expect(reassigned.body.flag).toMatchObject({
      status: "reassigned",
      reassignedTo: { email: "expert3@support.test" },
    });
    expect(await next(third, projectId)).toBe(held);
    expectApiError(
      await lead.post(`/flags/${again.id}/reassign`, { email: "expert2@support.test" }),
      409,
      "conflict",
    );
  });

  it("cannot give an item to someone who labelled it, nor past its places", async () => {
    const projectId = await createProject(1);
    await importItems(projectId, ["p-1"]);
    const [first, second] = experts;
    const held = (await next(first, projectId))!;
    const flag = (await first.post<{ flag: Flag }>(`/items/${held}/flags`, { note: "Odd" })).body
      .flag;
    // The flag freed the one place; another annotator takes it meanwhile.
    expect(await next(second, projectId)).toBe(held);
    expectApiError(
      await lead.post(`/flags/${flag.id}/reassign`, { email: "expert3@support.test" }),
      409,
      "conflict",
    );
    // Refused, the flag stays open for the lead to decide otherwise.
    expect((await flags(projectId)).map((open) => open.id)).toEqual([flag.id]);
    expect((await second.post(`/items/${held}/annotations`, { label: { score: 2 } })).status).toBe(
      201,
    );
    expectApiError(
      await lead.post(`/flags/${flag.id}/reassign`, { email: "expert2@support.test" }),
      409,
      "conflict",
    );
  });
});

describe("the pages", () => {
  const PASSWORD = "correct horse battery staple";
  const page = (cookie: string, path: string, form?: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: form ? "POST" : "GET",
      headers: {
        Cookie: cookie,
        ...(form
          ? { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" }
          : {}),
      },
      body: form ? new URLSearchParams(form) : undefined,
      redirect: "manual",
    });

  it("show the guidelines before the first item, and say why the queue is empty", async () => {
    const projectId = await createProject(1);
    await importItems(projectId, ["page-1"]);
    await lead.put(`/projects/${projectId}/guidelines`, {
      body: "Rate **accuracy** only.",
      expectedVersion: 0,
    });
    const expertCookie = await signInCookie(server.url, "expert3@support.test", PASSWORD);
    const intro = await page(expertCookie, `/projects/${projectId}/label`);
    expect(intro.status).toBe(200);
    const html = await intro.text();
    expect(html).toContain("Before your first item: the guidelines");
    // Rendered as markdown, as item content is.
    expect(html).toMatch(/<strong><span[^>]*>accuracy<\/span><\/strong>/);
    // Reading them reserves nothing.
    expect(await status(experts[2], projectId)).toMatchObject({ state: "available", remaining: 1 });

    const legalCookie = await signInCookie(server.url, "legal@support.test", PASSWORD);
    const empty = await (await page(legalCookie, `/projects/${projectId}/label`)).text();
    expect(empty).toContain("Nothing to label right now");
    expect(empty).toContain("No items in your domains");
  });

  it("give leads the flag queue and the guidelines editor, and keep a refused edit", async () => {
    const projectId = await createProject(1);
    await importItems(projectId, ["page-2"]);
    const held = (await next(experts[0], projectId))!;
    await experts[0].post(`/items/${held}/flags`, { note: "Prompt is truncated" });

    const leadCookie = await signInCookie(server.url, "lead@support.test", PASSWORD);
    const queue = await page(leadCookie, `/projects/${projectId}/flags`);
    expect(queue.status).toBe(200);
    expect(await queue.text()).toContain("Prompt is truncated");
    const annotatorCookie = await signInCookie(server.url, "expert1@support.test", PASSWORD);
    expect((await page(annotatorCookie, `/projects/${projectId}/flags`)).status).toBe(403);

    const saved = await page(leadCookie, `/projects/${projectId}/guidelines`, {
      body: "First version",
      expectedVersion: "0",
    });
    expect(saved.status).toBe(302);
    const stale = await page(leadCookie, `/projects/${projectId}/guidelines`, {
      body: "Typed over an old version",
      expectedVersion: "0",
    });
    expect(stale.status).toBe(409);
    const staleHtml = await stale.text();
    expect(staleHtml).toContain("changed meanwhile");
    expect(staleHtml).toContain("Typed over an old version");
    expect((await lead.get(`/projects/${projectId}/guidelines`)).body).toMatchObject({
      guidelines: { version: 1, body: "First version" },
    });
    // The adjudication room shows them too.
    const room = await page(leadCookie, `/items/${held}/room`);
    expect(room.status).toBe(200);
    expect(await room.text()).toMatch(/Guidelines.*First version/s);
    // Annotators read the guidelines page but cannot save.
    const refused = await page(annotatorCookie, `/projects/${projectId}/guidelines`, {
      body: "Mine",
      expectedVersion: "1",
    });
    expect(refused.status).toBe(403);
  });
});
