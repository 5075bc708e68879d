import fc from "fast-check";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemRoomName, reviewRoomName, setLabelValue } from "../../app/domain/room.ts";
import { IDLE_THRESHOLD_MS } from "../../app/domain/work-time.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  disputedItem,
  responses,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { expectApiError } from "../setup/api-client.ts";
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
const day = 24 * 3_600_000;

beforeAll(async () => {
  // Rooms' time is stored every half second here, so that a test can see it stored while a
  // participant is still connected.
  server = await startTestServer({ SYNC_ACTIVITY_FLUSH_SECONDS: "0.5" });
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

const label = { preference: 1, accuracy: 4 };

interface Reserved {
  assignment: { itemId: number } | null;
}

interface SubmittedBody {
  annotation: { durationMs: number | null; activeMs: number };
}

interface Progress {
  annotators: Array<{
    id: number | null;
    labels: number;
    goldAnswers: number;
    meanDurationMs: number | null;
    meanGoldDurationMs: number | null;
  }>;
}

/** A project of its own, `count` items in it; the experts (and the junior) label them. */
async function projectWithItems(
  count: number,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const projectId = await createProject(cast, { overlap: 1, ...extra }, { withJunior: true });
  const items = Array.from({ length: count }, (_, index) => ({
    externalId: `work-${projectId}-${index}`,
    prompt: "Warfarin with an antibiotic?",
    responses,
  }));
  const imported = await cast.lead.api.post(`/projects/${projectId}/items`, items);
  expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
  return projectId;
}

async function reserve(person: Person, projectId: number): Promise<number> {
  const next = await person.api.get<Reserved>(`/queue/next?project=${projectId}`);
  expect(next.body.assignment, JSON.stringify(next.body)).not.toBeNull();
  return next.body.assignment!.itemId;
}

/** Moves the caller's reservation of the item back in time: as if reserved `ms` ago. */
async function reservedAgo(person: Person, itemId: number, ms: number): Promise<void> {
  await server.context.db
    .updateTable("assignments")
    .set({ reserved_at: new Date(Date.now() - ms) })
    .where("item_id", "=", itemId)
    .where("user_id", "=", person.id)
    .execute();
}

async function assignmentOf(person: Person, itemId: number) {
  return server.context.db
    .selectFrom("assignments")
    .select(["status", "reserved_at", "active_ms", "last_active_at"])
    .where("item_id", "=", itemId)
    .where("user_id", "=", person.id)
    .executeTakeFirstOrThrow();
}

async function annotationOf(person: Person, itemId: number) {
  return server.context.db
    .selectFrom("annotations")
    .select(["duration_ms", "active_ms", "submitted_at"])
    .where("item_id", "=", itemId)
    .where("user_id", "=", person.id)
    .executeTakeFirstOrThrow();
}

async function meanOf(projectId: number, person: Person) {
  const progress = await cast.lead.api.get<Progress>(`/projects/${projectId}/progress`);
  expect(progress.status).toBe(200);
  return progress.body.annotators.find((row) => row.id === person.id)!;
}

describe("a label's working time", () => {
  it("refuses a claimed duration that cannot be a time, naming durationMs, and stores nothing", async () => {
    const projectId = await projectWithItems(1);
    const [expert] = cast.experts;
    const itemId = await reserve(expert, projectId);
    for (const durationMs of [-1, 1.5, "5000", 7 * day, day + 1, null]) {
      const details = expectApiError(
        await expert.api.post(`/items/${itemId}/annotations`, { label, durationMs }),
        422,
        "validation_failed",
      );
      expect(details, String(durationMs)).toEqual([
        expect.objectContaining({ field: "durationMs" }),
      ]);
    }
    expect((await assignmentOf(expert, itemId)).status).toBe("reserved");
  });

  it("keeps the mean time per label where the labels' measured times put it, whatever is claimed", async () => {
    const projectId = await projectWithItems(3);
    const expert = cast.experts[1];
    // An honest label: reserved 46 s before it was submitted, with its 46 s claimed.
    const honest = await reserve(expert, projectId);
    await reservedAgo(expert, honest, 46_000);
    const first = await expert.api.post<SubmittedBody>(`/items/${honest}/annotations`, {
      label,
      durationMs: 46_000,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.annotation.durationMs).toBe(46_000);
    expect(first.body.annotation.activeMs).toBeGreaterThanOrEqual(46_000);
    expect(first.body.annotation.activeMs).toBeLessThan(48_000);
    const before = (await meanOf(projectId, expert)).meanDurationMs!;
    expect(before).toBe(first.body.annotation.activeMs);

    // Then seven days claimed for a label reserved 46 s earlier: refused; 23 hours: cut to what
    // the reservation allows.
    const inflated = await reserve(expert, projectId);
    await reservedAgo(expert, inflated, 46_000);
    expectApiError(
      await expert.api.post(`/items/${inflated}/annotations`, { label, durationMs: 7 * day }),
      422,
      "validation_failed",
    );
    const second = await expert.api.post<SubmittedBody>(`/items/${inflated}/annotations`, {
      label,
      durationMs: 23 * 3_600_000,
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const stored = await annotationOf(expert, inflated);
    const assignment = await assignmentOf(expert, inflated);
    const wallMs = stored.submitted_at.getTime() - assignment.reserved_at.getTime();
    expect(stored.duration_ms).toBe(Math.min(wallMs, stored.active_ms! + IDLE_THRESHOLD_MS));
    expect(stored.duration_ms).toBeLessThan(48_000);
    expect(second.body.annotation.durationMs).toBe(stored.duration_ms);

    const after = (await meanOf(projectId, expert)).meanDurationMs!;
    expect(Math.abs(after - before)).toBeLessThan(2_000);
    const item = await cast.lead.api.get<{ annotations: Array<Record<string, unknown>> }>(
      `/items/${inflated}`,
    );
    expect(item.body.annotations).toEqual([
      expect.objectContaining({ durationMs: stored.duration_ms, activeMs: stored.active_ms }),
    ]);
  });

  it("measures from the reservation through heartbeats and draft saves to the submission", async () => {
    const projectId = await projectWithItems(1);
    const expert = cast.experts[2];
    const itemId = await reserve(expert, projectId);
    // Reserved five minutes ago and not touched since: the pause counts up to the threshold.
    await reservedAgo(expert, itemId, 5 * 60_000);
    expect((await expert.api.post(`/items/${itemId}/heartbeat`)).status).toBe(204);
    const afterPause = await assignmentOf(expert, itemId);
    expect(afterPause.active_ms).toBe(IDLE_THRESHOLD_MS);
    await sleep(700);
    const saved = await expert.api.put(`/items/${itemId}/draft`, {
      label: { accuracy: 3 },
      elapsedMs: 1_000,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const afterDraft = await assignmentOf(expert, itemId);
    expect(afterDraft.active_ms).toBe(
      IDLE_THRESHOLD_MS +
        afterDraft.last_active_at!.getTime() -
        afterPause.last_active_at!.getTime(),
    );
    await sleep(700);
    expect((await expert.api.post(`/items/${itemId}/heartbeat`)).status).toBe(204);
    await sleep(300);
    const submitted = await expert.api.post<SubmittedBody>(`/items/${itemId}/annotations`, {
      label,
      durationMs: 10 * 60_000,
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const stored = await annotationOf(expert, itemId);
    // Every gap after the pause was short: all of it counts, up to the submission.
    expect(stored.active_ms).toBe(
      IDLE_THRESHOLD_MS + stored.submitted_at.getTime() - afterPause.last_active_at!.getTime(),
    );
    expect(stored.active_ms).toBeGreaterThan(IDLE_THRESHOLD_MS + 1_500);
    // Ten minutes claimed: cut to the measured time plus one threshold (under the wall time).
    expect(stored.duration_ms).toBe(stored.active_ms! + IDLE_THRESHOLD_MS);
    expect(submitted.body.annotation).toMatchObject({
      activeMs: stored.active_ms,
      durationMs: stored.duration_ms,
    });
  });

  it("bounds a script's label, with no heartbeats, by its reservation", async () => {
    const projectId = await projectWithItems(2);
    const expert = cast.experts[0];
    const quick = await reserve(expert, projectId);
    await reservedAgo(expert, quick, 20_000);
    await expert.api.post(`/items/${quick}/annotations`, { label, durationMs: 60_000 });
    const quickLabel = await annotationOf(expert, quick);
    expect(quickLabel.active_ms).toBeGreaterThanOrEqual(20_000);
    expect(quickLabel.active_ms).toBeLessThan(21_000);
    expect(quickLabel.duration_ms).toBe(quickLabel.active_ms);

    const slow = await reserve(expert, projectId);
    await reservedAgo(expert, slow, 10 * 60_000);
    await expert.api.post(`/items/${slow}/annotations`, { label, durationMs: 9 * 60_000 });
    const slowLabel = await annotationOf(expert, slow);
    expect(slowLabel.active_ms).toBe(IDLE_THRESHOLD_MS);
    expect(slowLabel.duration_ms).toBe(2 * IDLE_THRESHOLD_MS);
  });

  it("answers a heartbeat only for an item the caller holds within its reservation", async () => {
    const projectId = await projectWithItems(2);
    const expert = cast.experts[0];
    const itemId = await reserve(expert, projectId);
    expectApiError(await cast.outsider.api.post(`/items/${itemId}/heartbeat`), 404, "not_found");
    expectApiError(await cast.experts[1].api.post(`/items/${itemId}/heartbeat`), 409, "conflict");
    await server.context.db
      .updateTable("assignments")
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where("item_id", "=", itemId)
      .where("user_id", "=", expert.id)
      .execute();
    const before = await assignmentOf(expert, itemId);
    expectApiError(await expert.api.post(`/items/${itemId}/heartbeat`), 409, "conflict");
    expect(await assignmentOf(expert, itemId)).toEqual(before);
    await expert.api.post(`/items/${itemId}/annotations`, { label });
    expectApiError(await expert.api.post(`/items/${itemId}/heartbeat`), 409, "conflict");
    expectApiError(await expert.api.post("/items/999999/heartbeat"), 404, "not_found");
  });

  it("leaves imported labels unmeasured and out of the mean, and counts gold answers apart", async () => {
    const projectId = await createProject(cast, { overlap: 1, settings: { goldRate: 1 } });
    const [expert] = cast.experts;
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
      {
        externalId: "imported",
        prompt: "Warfarin?",
        responses,
        annotations: [{ annotator: expert.email, label, durationMs: 95_000 }],
      },
      { externalId: "gold", prompt: "Warfarin?", responses, gold: { label } },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
    const importedId = (
      await server.context.db
        .selectFrom("items")
        .select("id")
        .where("project_id", "=", projectId)
        .where("external_id", "=", "imported")
        .executeTakeFirstOrThrow()
    ).id;
    expect(await annotationOf(expert, importedId)).toMatchObject({
      duration_ms: 95_000,
      active_ms: null,
    });
    expect(await meanOf(projectId, expert)).toMatchObject({
      labels: 1,
      goldAnswers: 0,
      meanDurationMs: null,
      meanGoldDurationMs: null,
    });

    const goldId = await reserve(expert, projectId);
    await reservedAgo(expert, goldId, 30_000);
    await expert.api.post(`/items/${goldId}/annotations`, { label });
    const gold = await annotationOf(expert, goldId);
    expect(await meanOf(projectId, expert)).toMatchObject({
      labels: 1,
      goldAnswers: 1,
      meanDurationMs: null,
      meanGoldDurationMs: gold.active_ms,
    });
  });

  it("takes the mean over labels with a measured time, gold apart, for any labels", async () => {
    const annotator = fc.record({
      labels: fc.array(
        fc.record({
          activeMs: fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: null }),
          gold: fc.boolean(),
          rejected: fc.boolean(),
        }),
        { maxLength: 6 },
      ),
    });
    const { db } = server.context;
    await fc.assert(
      fc.asyncProperty(fc.array(annotator, { minLength: 1, maxLength: 3 }), async (people) => {
        const projectId = await createProject(cast, { overlap: 3 });
        const users = [cast.experts[0], cast.experts[1], cast.experts[2]];
        let index = 0;
        for (const [position, person] of people.entries()) {
          for (const entry of person.labels) {
            index += 1;
            const item = await db
              .insertInto("items")
              .values({
                project_id: projectId,
                external_id: `random-${index}`,
                prompt: JSON.stringify("Warfarin?"),
                responses: JSON.stringify(responses),
                content_hash: `random-${projectId}-${index}`,
                gold_label: entry.gold ? JSON.stringify(label) : null,
              })
              .returning("id")
              .executeTakeFirstOrThrow();
            await db
              .insertInto("annotations")
              .values({
                item_id: item.id,
                user_id: users[position].id,
                label: JSON.stringify(label),
                active_ms: entry.activeMs,
                rejected_at: entry.rejected ? new Date() : null,
              })
              .execute();
          }
        }
        const progress = await cast.lead.api.get<Progress>(`/projects/${projectId}/progress`);
        for (const [position, person] of people.entries()) {
          const counted = person.labels.filter((entry) => !entry.rejected);
          const mean = (gold: boolean) => {
            const times = counted.flatMap((entry) =>
              entry.gold === gold && entry.activeMs !== null ? [entry.activeMs] : [],
            );
            return times.length === 0
              ? null
              : Math.round(times.reduce((sum, time) => sum + time, 0) / times.length);
          };
          const row = progress.body.annotators.find((entry) => entry.id === users[position].id);
          if (counted.length === 0) {
            expect(row).toBeUndefined();
            continue;
          }
          expect(row).toMatchObject({
            labels: counted.filter((entry) => !entry.gold).length,
            goldAnswers: counted.filter((entry) => entry.gold).length,
            meanDurationMs: mean(false),
            meanGoldDurationMs: mean(true),
          });
        }
      }),
      { numRuns: 15 },
    );
  });
});

/** A disputed item whose room holds a valid draft, written by the server (nobody's activity). */
async function publishableItem(): Promise<number> {
  const { itemId } = await disputedItem(cast);
  await prepareItemRoom(server.context, itemId);
  await server.context.rooms.applyServerUpdate(itemRoomName(itemId), (doc) => {
    setLabelValue(doc, "preference", 1);
    setLabelValue(doc, "accuracy", 3);
  });
  return itemId;
}

function joinRoom(docName: string, person: Person): SyncClient {
  return clients.track(
    connectSyncClient(server.url, docName, { token: person.token, persisted: true }),
  );
}

async function personTimes(itemId: number, version: number) {
  const rows = await server.context.db
    .selectFrom("adjudication_time")
    .select(["user_id", "active_ms"])
    .where("item_id", "=", itemId)
    .where("version", "=", version)
    .execute();
  return new Map(rows.map((row) => [row.user_id, row.active_ms]));
}

async function timeSpent(itemId: number, version: number) {
  return server.context.db
    .selectFrom("adjudications")
    .select(["time_spent_ms", "time_spent_kind"])
    .where("item_id", "=", itemId)
    .where("version", "=", version)
    .executeTakeFirstOrThrow();
}

describe("a panel's time in the room", () => {
  it("is each editor's active time from their presence changes and updates; renewals are not activity", async () => {
    const itemId = await publishableItem();
    const docName = itemRoomName(itemId);
    const [active, idle] = cast.experts;

    // The active member changes their presence every second; the idle one announces themself
    // once, and then their stock client only renews it (every 15 s), changing nothing.
    const activeClient = joinRoom(docName, active);
    activeClient.provider.awareness.setLocalStateField("activity", 0);
    const idleClient = joinRoom(docName, idle);
    idleClient.provider.awareness.setLocalStateField("field", null);
    // The client watches and moves around, but is an observer: not on the panel's time.
    const watcher = joinRoom(docName, cast.client);
    await Promise.all(
      [activeClient, idleClient, watcher].map((client) => within(client.synced, "sync")),
    );
    const activeFrom = Date.now();
    const leadClient = joinRoom(docName, cast.lead);
    await within(leadClient.synced, "the lead to sync");

    // The lead edits the draft (no presence at all) for a few seconds.
    const leadFrom = Date.now();
    for (let edit = 0; edit < 4; edit++) {
      setLabelValue(leadClient.doc, "accuracy", 2 + (edit % 2));
      await waitFor(() => leadClient.saved(), "the lead's edit to be stored");
      if (edit < 3) await sleep(1_000);
    }
    let activeUntil = activeFrom;
    for (let change = 1; change <= 16; change++) {
      await sleep(1_000);
      activeClient.provider.awareness.setLocalStateField("activity", change);
      watcher.provider.awareness.setLocalStateField("activity", change);
      activeUntil = Date.now();
    }
    await sleep(300);

    const publishFrom = Date.now();
    const published = await cast.lead.api.post(`/items/${itemId}/publish`, {});
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const publishUntil = Date.now();

    const times = await personTimes(itemId, 1);
    const measured = {
      active: times.get(active.id)!,
      idle: times.get(idle.id)!,
      lead: times.get(cast.lead.id)!,
    };
    expect(Math.abs(measured.active - (activeUntil - activeFrom))).toBeLessThan(1_000);
    expect(measured.idle).toBeLessThan(500);
    expect(measured.lead).toBeGreaterThan(publishFrom - leadFrom - 1_000);
    expect(measured.lead).toBeLessThan(publishUntil - leadFrom + 1_000);
    expect(times.has(cast.client.id)).toBe(false);
    expect(await timeSpent(itemId, 1)).toEqual({
      time_spent_ms: measured.active + measured.idle + measured.lead,
      time_spent_kind: "person_time",
    });
    const rows = await server.context.db
      .selectFrom("room_time")
      .selectAll()
      .where("doc_name", "=", docName)
      .execute();
    expect(rows).toEqual([]);

    const view = await cast.lead.api.get<{
      versions: Array<{ personTime: Array<{ member: { id: number }; activeMs: number }> }>;
    }>(`/items/${itemId}`);
    expect(view.body.versions[0].personTime).toEqual(
      expect.arrayContaining([
        { member: expect.objectContaining({ id: active.id }), activeMs: measured.active },
        { member: expect.objectContaining({ id: cast.lead.id }), activeMs: measured.lead },
      ]),
    );
  }, 60_000);

  it("is none when a lead publishes through the API with nobody in the room", async () => {
    const itemId = await publishableItem();
    const published = await cast.lead.api.post(`/items/${itemId}/publish`, {});
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(await timeSpent(itemId, 1)).toEqual({
      time_spent_ms: 0,
      time_spent_kind: "person_time",
    });
    expect(await personTimes(itemId, 1)).toEqual(new Map([[cast.lead.id, 0]]));
  });

  it("is stored while members are still in the room, and counts afresh after a reopening", async () => {
    const itemId = await publishableItem();
    const docName = itemRoomName(itemId);
    const [member] = cast.experts;
    const client = joinRoom(docName, member);
    client.provider.awareness.setLocalStateField("activity", 0);
    await within(client.synced, "sync");
    const from = Date.now();
    for (let change = 1; change <= 3; change++) {
      await sleep(400);
      client.provider.awareness.setLocalStateField("activity", change);
    }
    const until = Date.now();
    // Still connected: the periodic write (every 0.5 s here) has stored the time.
    await waitFor(async () => {
      const row = await server.context.db
        .selectFrom("room_time")
        .select("active_ms")
        .where("doc_name", "=", docName)
        .where("user_id", "=", member.id)
        .executeTakeFirst();
      return row !== undefined && Math.abs(row.active_ms - (until - from)) < 500;
    }, "the member's time to be stored while connected");
    client.destroy();

    expect((await cast.lead.api.post(`/items/${itemId}/publish`, {})).status).toBe(201);
    expect((await personTimes(itemId, 1)).get(member.id)).toBeGreaterThan(until - from - 500);

    // Reading the published room is not work on the next version.
    const reader = joinRoom(docName, member);
    reader.provider.awareness.setLocalStateField("activity", 0);
    await within(reader.synced, "sync");
    for (let change = 1; change <= 2; change++) {
      await sleep(400);
      reader.provider.awareness.setLocalStateField("activity", change);
    }
    await sleep(300);
    expect((await cast.lead.api.post(`/items/${itemId}/reopen`)).status).toBe(200);
    reader.destroy();
    await sleep(700);
    expect((await cast.lead.api.post(`/items/${itemId}/publish`, {})).status).toBe(201);
    expect(await personTimes(itemId, 2)).toEqual(new Map([[cast.lead.id, 0]]));
  });
});

describe("a review's time", () => {
  async function pendingReview(): Promise<{ reviewId: number; annotationId: number }> {
    const projectId = await projectWithItems(1);
    const itemId = await reserve(cast.junior, projectId);
    const submitted = await cast.junior.api.post<{ annotation: { id: number } }>(
      `/items/${itemId}/annotations`,
      { label },
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const review = await server.context.db
      .selectFrom("reviews")
      .select(["id", "annotation_id"])
      .where("annotation_id", "=", submitted.body.annotation.id)
      .executeTakeFirstOrThrow();
    return { reviewId: review.id, annotationId: review.annotation_id };
  }

  async function reviewTimes(reviewId: number) {
    const review = await server.context.db
      .selectFrom("reviews")
      .select("time_spent_ms")
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
    const rows = await server.context.db
      .selectFrom("review_time")
      .select(["user_id", "active_ms"])
      .where("review_id", "=", reviewId)
      .execute();
    return {
      total: review.time_spent_ms,
      byUser: new Map(rows.map((row) => [row.user_id, row.active_ms])),
    };
  }

  it("is measured from the review page's heartbeats and the review room, to the decision", async () => {
    const { reviewId, annotationId } = await pendingReview();
    const from = Date.now();
    expect((await cast.lead.api.post(`/reviews/${reviewId}/heartbeat`)).status).toBe(204);
    const room = joinRoom(reviewRoomName(annotationId), cast.lead);
    room.provider.awareness.setLocalStateField("activity", 0);
    await within(room.synced, "sync");
    for (let change = 1; change <= 3; change++) {
      await sleep(400);
      room.provider.awareness.setLocalStateField("activity", change);
    }
    await sleep(300);
    expect((await cast.lead.api.post(`/reviews/${reviewId}/heartbeat`)).status).toBe(204);
    const decided = await cast.lead.api.post(`/reviews/${reviewId}`, { verdict: "accept" });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const until = Date.now();

    const { total, byUser } = await reviewTimes(reviewId);
    const lead = byUser.get(cast.lead.id)!;
    expect(lead).toBeGreaterThan(until - from - 600);
    expect(lead).toBeLessThanOrEqual(until - from);
    expect(total).toBe(lead);
    expectApiError(await cast.lead.api.post(`/reviews/${reviewId}/heartbeat`), 409, "conflict");
    expectApiError(
      await cast.experts[0].api.post(`/reviews/${reviewId}/heartbeat`),
      403,
      "forbidden",
    );
  });

  it("is none for a decision made through the API alone", async () => {
    const { reviewId } = await pendingReview();
    const decided = await cast.lead.api.post(`/reviews/${reviewId}`, { verdict: "accept" });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(await reviewTimes(reviewId)).toEqual({ total: 0, byUser: new Map([[cast.lead.id, 0]]) });
  });
});
