import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelSchemaFor, templateSchema, type ResponseRef } from "../../app/domain/template.ts";
import type { ApiResponse } from "../setup/api-client.ts";
import { raceWithHeldWriters } from "../setup/lock-race.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { memberMaker, projectWithTeam, reserve, type Member } from "../setup/team-project.ts";

/**
 * A lead changing a project while people work in it: a template change racing the labels it
 * would refuse, an overlap lowered under items that already have enough labels, a member removed
 * while holding a reservation and added back.
 */

const preferenceTemplate = (scale: 1 | 2) => ({
  fields: [{ id: "preference", type: "preference", label: "Preference", scale, required: true }],
});

const pair = (externalId: string) => ({
  externalId,
  prompt: "Which answer is better?",
  responses: [
    { id: "a", text: "Take it with food." },
    { id: "b", text: "Take it on an empty stomach." },
  ],
});

let server: TestServer;
let admin: Member;
let lead: Member;
let projects = 0;
const person = memberMaker(() => server, "changes.test");

/** A preference project (scale 2) led by `lead`, with these annotators and `items` pairs. */
async function project(
  annotators: Member[],
  body: Record<string, unknown>,
  items = 1,
): Promise<{ projectId: number; itemIds: number[] }> {
  projects += 1;
  return projectWithTeam(
    server,
    { admin, lead, annotators },
    { name: `Changes ${projects}`, template: preferenceTemplate(2), ...body },
    Array.from({ length: items }, (_, index) => pair(`p${projects}-${index}`)),
  );
}

async function submit(member: Member, itemId: number, preference: number) {
  return member.api.post(`/items/${itemId}/annotations`, { label: { preference } });
}

async function itemRow(itemId: number) {
  return server.context.db
    .selectFrom("items")
    .select(["status", "label_count"])
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
}

/**
 * Every label stored in the project (annotations, leads' corrections, gold labels) as the
 * project's template, as stored now, refuses it: what a template change must never leave behind.
 */
async function labelsTheTemplateRefuses(projectId: number): Promise<unknown[]> {
  const { db } = server.context;
  const { template } = await db
    .selectFrom("projects")
    .select("template")
    .where("id", "=", projectId)
    .executeTakeFirstOrThrow();
  const parsedTemplate = templateSchema.parse(template);
  const items = await db
    .selectFrom("items")
    .select(["id", "responses", "gold_label"])
    .where("project_id", "=", projectId)
    .execute();
  const annotations = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .select(["annotations.item_id", "annotations.label", "reviews.corrected_label"])
    .where("items.project_id", "=", projectId)
    .execute();
  const responses = new Map(items.map((item) => [item.id, item.responses as ResponseRef[]]));
  const labels = [
    ...items.filter((item) => item.gold_label !== null).map((item) => [item.id, item.gold_label]),
    ...annotations.map((row) => [row.item_id, row.label]),
    ...annotations
      .filter((row) => row.corrected_label !== null)
      .map((row) => [row.item_id, row.corrected_label]),
  ] as Array<[number, unknown]>;
  return labels
    .filter(
      ([itemId, label]) =>
        !labelSchemaFor(parsedTemplate, responses.get(itemId)!).safeParse(label).success,
    )
    .map(([, label]) => label);
}

/**
 * Runs label writers and a lead's template change (preference scale 2 → 1) concurrently, in the
 * interleaving that let labels past the change (`raceWithHeldWriters`): on PostgreSQL a
 * transaction of the test holds the locks the writers need, the project's item rows or the
 * project's import lock, until every writer waits on it and the change has been sent.
 */
async function raceTemplateChange(
  projectId: number,
  hold: "items" | "import",
  writers: () => Array<Promise<ApiResponse<unknown>>>,
): Promise<{ change: ApiResponse<unknown>; writes: Array<ApiResponse<unknown>> }> {
  return raceWithHeldWriters({
    databaseUrl: server.context.config.databaseUrl,
    hold: (holder) =>
      hold === "items"
        ? holder.query("select id from items where project_id = $1 for update", [projectId])
        : holder.query("select pg_advisory_xact_lock(hashtext($1))", [
            `quorum:import:${projectId}`,
          ]),
    writers,
    change: () => lead.api.patch(`/projects/${projectId}`, { template: preferenceTemplate(1) }),
  });
}

beforeAll(async () => {
  server = await startTestServer();
  admin = await person("admin", { isAdmin: true });
  lead = await person("lead");
});

afterAll(async () => {
  await server?.stop();
});

describe("a template change racing labels", () => {
  it("waits for submissions in flight and checks their labels", async () => {
    const annotators = await Promise.all(
      Array.from({ length: 5 }, () => person("annotator", { level: "expert" })),
    );
    const { projectId } = await project(annotators, { overlap: 3 }, 4);
    const held: number[] = [];
    for (const annotator of annotators) held.push((await reserve(annotator, projectId))!);
    const { change, writes } = await raceTemplateChange(projectId, "items", () =>
      annotators.map((annotator, index) => submit(annotator, held[index]!, 2)),
    );
    expect(await labelsTheTemplateRefuses(projectId)).toEqual([]);
    if (server.context.dbKind === "postgres") {
      expect(writes.map((write) => write.status)).toEqual([201, 201, 201, 201, 201]);
      expect(change.status, JSON.stringify(change.body)).toBe(409);
    }
  });

  it("waits for a revision in flight and checks it", async () => {
    const annotator = await person("annotator", { level: "expert" });
    const { projectId } = await project([annotator], { overlap: 3 });
    const itemId = (await reserve(annotator, projectId))!;
    expect((await submit(annotator, itemId, 1)).status).toBe(201);
    const { change, writes } = await raceTemplateChange(projectId, "items", () => [
      annotator.api.put(`/items/${itemId}/annotations/mine`, { label: { preference: 2 } }),
    ]);
    expect(await labelsTheTemplateRefuses(projectId)).toEqual([]);
    if (server.context.dbKind === "postgres") {
      expect(writes[0]!.status, JSON.stringify(writes[0]!.body)).toBe(200);
      expect(change.status, JSON.stringify(change.body)).toBe(409);
    }
  });

  it("waits for a lead's correction in review and checks the corrected label", async () => {
    const junior = await person("junior", { level: "junior" });
    const { projectId } = await project([junior], {
      overlap: 3,
      settings: { juniorReview: { firstN: 20, rate: 1 } },
    });
    const itemId = (await reserve(junior, projectId))!;
    expect((await submit(junior, itemId, 1)).status).toBe(201);
    const review = await server.context.db
      .selectFrom("reviews")
      .select("id")
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    const { change, writes } = await raceTemplateChange(projectId, "items", () => [
      lead.api.post(`/reviews/${review.id}`, {
        verdict: "correct",
        correctedLabel: { preference: 2 },
        comments: [{ text: "The second answer is clearly better" }],
      }),
    ]);
    expect(await labelsTheTemplateRefuses(projectId)).toEqual([]);
    if (server.context.dbKind === "postgres") {
      expect(writes[0]!.status, JSON.stringify(writes[0]!.body)).toBe(200);
      expect(change.status, JSON.stringify(change.body)).toBe(409);
      // Once stored, the correction is one of the labels a template change must keep.
      const again = await lead.api.patch(`/projects/${projectId}`, {
        template: preferenceTemplate(1),
      });
      expect(again.status, JSON.stringify(again.body)).toBe(409);
      expect(JSON.stringify(again.body)).toMatch(/"source":"correction"/);
    }
  });

  it("refuses an import whose labels were checked against the template it replaced", async () => {
    const annotator = await person("annotator", { level: "expert" });
    const { projectId } = await project([annotator], { overlap: 3 });
    const { change, writes } = await raceTemplateChange(projectId, "import", () => [
      lead.api.post(`/projects/${projectId}/items`, [
        {
          ...pair(`imported-${projectId}`),
          annotations: [{ annotator: annotator.email, label: { preference: 2 } }],
        },
        { ...pair(`gold-${projectId}`), gold: { label: { preference: -2 } } },
      ]),
    ]);
    expect(await labelsTheTemplateRefuses(projectId)).toEqual([]);
    if (server.context.dbKind === "postgres") {
      expect(change.status, JSON.stringify(change.body)).toBe(200);
      expect(writes[0]!.status, JSON.stringify(writes[0]!.body)).toBe(409);
    }
  });
});

describe("lowering the overlap", () => {
  it("settles the items that already have enough labels, as their last label would", async () => {
    const [first, second, third] = await Promise.all([
      person("first", { level: "expert" }),
      person("second", { level: "expert" }),
      person("third", { level: "expert" }),
    ]);
    const { projectId, itemIds } = await project([first, second, third], { overlap: 3 }, 3);
    const [agreed, disagreed, waiting] = itemIds as [number, number, number];
    // Items further along are served first: both annotators get the same item until it is full.
    for (const [itemId, labels] of [
      [agreed, [2, 1]],
      [disagreed, [2, -2]],
    ] as const) {
      for (const [index, member] of [first, second].entries()) {
        expect(await reserve(member, projectId)).toBe(itemId);
        expect((await submit(member, itemId, labels[index]!)).status).toBe(201);
      }
    }
    expect(await reserve(first, projectId)).toBe(waiting);
    expect((await submit(first, waiting, 1)).status).toBe(201);
    // The third annotator holds a place in the agreed item when the overlap drops.
    expect(await reserve(third, projectId)).toBe(agreed);
    expect(await itemRow(agreed)).toEqual({ status: "annotating", label_count: 2 });

    const lowered = await lead.api.patch(`/projects/${projectId}`, { overlap: 2 });
    expect(lowered.status, JSON.stringify(lowered.body)).toBe(200);
    expect(await itemRow(agreed)).toEqual({ status: "consensus", label_count: 2 });
    expect(await itemRow(disagreed)).toEqual({ status: "disputed", label_count: 2 });
    expect(await itemRow(waiting)).toEqual({ status: "annotating", label_count: 1 });
    const outcome = await server.context.db
      .selectFrom("item_outcomes")
      .select("aggregated_label")
      .where("item_id", "=", agreed)
      .executeTakeFirstOrThrow();
    expect(outcome.aggregated_label).toEqual({ preference: 1 });
    const events = await server.context.db
      .selectFrom("project_events")
      .select(["type", "item_id"])
      .where("project_id", "=", projectId)
      .where("type", "=", "item.disputed")
      .execute();
    expect(events).toEqual([{ type: "item.disputed", item_id: disagreed }]);
    // The third annotator's reservation ended with the item's labelling: the queue offers them
    // the item still waiting, and the settled one takes no label.
    expect(await reserve(third, projectId)).toBe(waiting);
    expect((await submit(third, agreed, 2)).status).toBe(409);

    // Raising it again leaves settled items as they are.
    const raised = await lead.api.patch(`/projects/${projectId}`, { overlap: 3 });
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect((await itemRow(agreed)).status).toBe("consensus");
    expect((await itemRow(disagreed)).status).toBe("disputed");
  });
});

describe("a lower overlap where the project requires an expert", () => {
  it("is refused while an item would settle without an expert's label, whose place stays kept", async () => {
    const [first, second] = await Promise.all([
      person("junior", { level: "junior" }),
      person("junior", { level: "junior" }),
    ]);
    const expert = await person("expert", { level: "expert" });
    const { projectId, itemIds } = await project([first, second, expert], {
      overlap: 3,
      settings: { requireExpert: true, juniorReview: { firstN: 0, rate: 0 } },
    });
    const [itemId] = itemIds;
    for (const junior of [first, second]) {
      expect(await reserve(junior, projectId)).toBe(itemId);
      expect((await submit(junior, itemId!, 1)).status).toBe(201);
    }
    const lowered = await lead.api.patch<{ error: { details: unknown } }>(
      `/projects/${projectId}`,
      { overlap: 2 },
    );
    expect(lowered.status, JSON.stringify(lowered.body)).toBe(409);
    expect(lowered.body.error.details).toEqual([{ item: `p${projects}-0` }]);
    const stored = await server.context.db
      .selectFrom("projects")
      .select("overlap")
      .where("id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(stored.overlap).toBe(3);
    expect(await itemRow(itemId!)).toEqual({ status: "annotating", label_count: 2 });
    expect(await reserve(expert, projectId)).toBe(itemId);
    expect((await submit(expert, itemId!, 1)).status).toBe(201);
    expect(await itemRow(itemId!)).toEqual({ status: "consensus", label_count: 3 });
  });
});

describe("the order in which labels and their items are locked (decision 035)", () => {
  it("has a review decision wait for its item before it locks the label, as a settling submission does", async () => {
    const junior = await person("junior", { level: "junior" });
    const { projectId } = await project([junior], {
      overlap: 2,
      settings: { juniorReview: { firstN: 20, rate: 1 } },
    });
    const itemId = (await reserve(junior, projectId))!;
    expect((await submit(junior, itemId, 1)).status).toBe(201);
    const review = await server.context.db
      .selectFrom("reviews")
      .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
      .select("reviews.id")
      .where("annotations.item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    const decide = () =>
      lead.api.post(`/reviews/${review.id}`, { verdict: "accept", comments: [] });
    const url = server.context.config.databaseUrl;
    if (!url) {
      expect((await decide()).status).toBe(200);
      return;
    }
    // A submission that settles the item holds its row and then writes its labels (marking them
    // revealed); a decision that locked the label first and waited for the item deadlocked.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("select id from items where id = $1 for update", [itemId]);
      const decision = decide();
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await holder.query<{ count: string }>(
          `select count(*) from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if (Number(rows[0]!.count) > 0) break;
        if (Date.now() > deadline) throw new Error("the decision never waited for the item");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await holder.query("update annotations set revealed_at = now() where item_id = $1", [itemId]);
      await holder.query("commit");
      const decided = await decision;
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    } finally {
      await holder.end();
    }
  });
});

describe("a reservation that ended early", () => {
  it("holds no place for a member removed and added back", async () => {
    const junior = await person("junior", { level: "junior" });
    const [first, second] = await Promise.all([
      person("first", { level: "expert" }),
      person("second", { level: "expert" }),
    ]);
    const { projectId, itemIds } = await project([junior, first, second], {
      overlap: 2,
      settings: { juniorReview: { firstN: 0, rate: 0 } },
    });
    const itemId = itemIds[0]!;
    expect(await reserve(junior, projectId)).toBe(itemId);
    const removed = await lead.api.delete(`/projects/${projectId}/members/${junior.id}`);
    expect(removed.status, JSON.stringify(removed.body)).toBeLessThan(300);
    expect(await reserve(first, projectId)).toBe(itemId);
    expect(await reserve(second, projectId)).toBe(itemId);
    const readded = await lead.api.post(`/projects/${projectId}/members`, {
      email: junior.email,
      role: "annotator",
    });
    expect(readded.status, JSON.stringify(readded.body)).toBe(201);

    const late = await submit(junior, itemId, 1);
    expect(late.status, JSON.stringify(late.body)).toBe(409);
    expect((await submit(first, itemId, 1)).status).toBe(201);
    expect((await submit(second, itemId, 1)).status).toBe(201);
    expect(await itemRow(itemId)).toEqual({ status: "consensus", label_count: 2 });
  });

  it("holds no place for an annotator whose flag a lead released", async () => {
    const flagger = await person("flagger", { level: "expert" });
    const [first, second] = await Promise.all([
      person("first", { level: "expert" }),
      person("second", { level: "expert" }),
    ]);
    const { projectId, itemIds } = await project([flagger, first, second], { overlap: 2 });
    const itemId = itemIds[0]!;
    expect(await reserve(flagger, projectId)).toBe(itemId);
    const flagged = await flagger.api.post<{ flag: { id: number } }>(`/items/${itemId}/flags`, {
      note: "The responses are cut off",
    });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);
    expect(await reserve(first, projectId)).toBe(itemId);
    expect(await reserve(second, projectId)).toBe(itemId);
    const released = await lead.api.post(`/flags/${flagged.body.flag.id}/release`);
    expect(released.status, JSON.stringify(released.body)).toBe(200);

    const late = await submit(flagger, itemId, 1);
    expect(late.status, JSON.stringify(late.body)).toBe(409);
    expect((await submit(first, itemId, 1)).status).toBe(201);
    expect((await submit(second, itemId, 1)).status).toBe(201);
    expect(await itemRow(itemId)).toEqual({ status: "consensus", label_count: 2 });
  });
});
