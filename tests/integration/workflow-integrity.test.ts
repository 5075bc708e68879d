import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../db/schema.ts";
import { authorizeDocument } from "../../server/sync/permissions.ts";
import {
  itemRoomName,
  setLabelValue,
  setVote,
  votesMap,
  votesToJson,
} from "../../app/domain/room.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { participantKeyFor } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { memberMaker, projectWithTeam, reserve, type Member } from "../setup/team-project.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  waitFor,
  within,
} from "../setup/sync-client.ts";

/**
 * What keeps labels independent and the workflow's rules whole when people act in an order the
 * pages do not suggest: reading the other labels and then revising one's own, a rejected label's
 * author in the panel, a reviewer judging their own label, a late label taking a place kept for
 * an expert.
 */

const verdictTemplate = {
  fields: [
    {
      id: "verdict",
      type: "choice",
      label: "Verdict",
      options: ["safe", "unsafe", "unclear"],
      required: true,
    },
  ],
};

let server: TestServer;
let admin: Member;
let lead: Member;
let projects = 0;
const person = memberMaker(() => server, "integrity.test");

/** A project with the lead and these annotators, and its items (one, unless given), first's id. */
async function project(
  annotators: Member[],
  body: Record<string, unknown>,
  items?: Array<Record<string, unknown>>,
): Promise<{ projectId: number; itemId: number }> {
  projects += 1;
  const { projectId, itemIds } = await projectWithTeam(
    server,
    { admin, lead, annotators },
    { name: `Integrity ${projects}`, template: verdictTemplate, ...body },
    items ?? [
      {
        externalId: `q-${projects}`,
        prompt: "Is this safe?",
        responses: [{ id: "a", text: "Yes." }],
      },
    ],
  );
  return { projectId, itemId: itemIds[0] };
}

async function label(member: Member, projectId: number, itemId: number, verdict: string) {
  expect(await reserve(member, projectId), member.email).toBe(itemId);
  const submitted = await member.api.post(`/items/${itemId}/annotations`, {
    label: { verdict },
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
}

async function status(itemId: number): Promise<string> {
  return (
    await server.context.db
      .selectFrom("items")
      .select("status")
      .where("id", "=", itemId)
      .executeTakeFirstOrThrow()
  ).status;
}

async function pendingReviewOf(projectId: number, author: Member): Promise<number> {
  const review = await server.context.db
    .selectFrom("reviews")
    .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
    .select("reviews.id")
    .where("reviews.project_id", "=", projectId)
    .where("annotations.user_id", "=", author.id)
    .where("reviews.verdict", "=", "pending")
    .executeTakeFirstOrThrow();
  return review.id;
}

async function userRow(member: Member): Promise<User> {
  return server.context.db
    .selectFrom("users")
    .selectAll()
    .where("id", "=", member.id)
    .executeTakeFirstOrThrow();
}

const reviewEveryJunior = { juniorReview: { firstN: 20, rate: 1 } };

/** The parts of an exported JSON Lines item and Label Studio task these tests read. */
interface ExportedLine {
  externalId: string;
  label: Record<string, unknown>;
  annotations: Array<{ annotator: string; label: Record<string, unknown> }>;
}
interface LabelStudioTask {
  annotations: Array<{ ground_truth?: boolean; result: Array<{ value: { choices?: string[] } }> }>;
}

/**
 * An expert and a junior label one item of a project of overlap 2 that reviews every junior
 * label, with these verdicts.
 */
async function labelledByExpertAndJunior(
  verdicts: [expert: string, junior: string],
  body: Record<string, unknown> = {},
) {
  const expert = await person("expert", { level: "expert" });
  const junior = await person("junior", { level: "junior" });
  const { projectId, itemId } = await project([expert, junior], {
    overlap: 2,
    settings: reviewEveryJunior,
    ...body,
  });
  await label(expert, projectId, itemId, verdicts[0]);
  await label(junior, projectId, itemId, verdicts[1]);
  return { expert, junior, projectId, itemId };
}

beforeAll(async () => {
  server = await startTestServer();
  admin = await person("admin", { isAdmin: true });
  lead = await person("lead");
});

afterAll(async () => {
  await server?.stop();
});

describe("labels stay independent", () => {
  it("fixes a label once its author has read the others, though a rejection sends the item back to the queue", async () => {
    const expert = await person("expert", { level: "expert" });
    const junior = await person("junior", { level: "junior" });
    const third = await person("third", { level: "expert" });
    const { projectId, itemId } = await project([expert, junior, third], {
      overlap: 2,
      settings: reviewEveryJunior,
    });
    await label(expert, projectId, itemId, "safe");
    await label(junior, projectId, itemId, "unsafe");
    expect(await status(itemId)).toBe("disputed");
    const seen = await expert.api.get<{ annotations: Array<{ label: unknown }> }>(
      `/items/${itemId}`,
    );
    expect(seen.body.annotations.map((entry) => entry.label)).toContainEqual({
      verdict: "unsafe",
    });

    const rejected = await lead.api.post(`/reviews/${await pendingReviewOf(projectId, junior)}`, {
      verdict: "reject",
      comments: [{ text: "Not what the guidelines say" }],
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(await status(itemId)).toBe("annotating");

    const revised = await expert.api.put(`/items/${itemId}/annotations/mine`, {
      label: { verdict: "unsafe" },
    });
    expect(revised.status, JSON.stringify(revised.body)).toBe(409);
    await label(third, projectId, itemId, "safe");
    expect(await status(itemId)).toBe("consensus");
    const outcome = await server.context.db
      .selectFrom("item_outcomes")
      .select("aggregated_label")
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    expect(outcome.aggregated_label).toEqual({ verdict: "safe" });
  });

  it("shows a rejected label's author neither the others' labels nor the room", async () => {
    const junior = await person("junior", { level: "junior" });
    const first = await person("first", { level: "expert" });
    const second = await person("second", { level: "expert" });
    const { projectId, itemId } = await project([junior, first, second], {
      overlap: 2,
      settings: reviewEveryJunior,
    });
    await label(junior, projectId, itemId, "unclear");
    const rejected = await lead.api.post(`/reviews/${await pendingReviewOf(projectId, junior)}`, {
      verdict: "reject",
      comments: [{ text: "Unclear is not an answer here" }],
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    await label(first, projectId, itemId, "safe");
    await label(second, projectId, itemId, "unsafe");
    expect(await status(itemId)).toBe("disputed");

    const asJunior = await junior.api.get<{
      item: { externalId: string | null };
      annotations: Array<{ annotator: { own: boolean } }>;
    }>(`/items/${itemId}`);
    expect(asJunior.status, JSON.stringify(asJunior.body)).toBe(200);
    expect(asJunior.body.annotations.every((entry) => entry.annotator.own)).toBe(true);
    expect(asJunior.body.item.externalId).toBeNull();
    await expect(
      authorizeDocument(server.context, await userRow(junior), {
        kind: "item",
        name: `item:${itemId}`,
        itemId,
      }),
    ).rejects.toMatchObject({ status: 403 });
    // Those whose labels count are the panel.
    await expect(
      authorizeDocument(server.context, await userRow(first), {
        kind: "item",
        name: `item:${itemId}`,
        itemId,
      }),
    ).resolves.toMatchObject({ access: "edit" });
  });
});

describe("a label rejected while its author is in the room", () => {
  const clients = closeSyncClientsAfterEach();

  it("closes the author's connection, takes their vote out and leaves it out of the version", async () => {
    const { expert, junior, projectId, itemId } = await labelledByExpertAndJunior([
      "safe",
      "unsafe",
    ]);
    expect(await status(itemId)).toBe("disputed");
    const docName = itemRoomName(itemId);
    const inRoom = clients.track(connectSyncClient(server.url, docName, { token: junior.token }));
    await within(inRoom.synced, "the junior to join the room");
    expect(await status(itemId)).toBe("adjudicating");
    const juniorKey = await participantKeyFor(server, itemId, junior.id);
    expect(votesToJson(inRoom.doc)).toHaveProperty(juniorKey);

    const rejected = await lead.api.post(`/reviews/${await pendingReviewOf(projectId, junior)}`, {
      verdict: "reject",
      comments: [{ text: "Not what the guidelines say" }],
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect((await within(inRoom.refused, "the junior's connection to close")).code).toBe(
      SyncCloseCode.accessRevoked,
    );
    const room = await server.context.rooms.read(docName);
    expect(votesToJson(room)).not.toHaveProperty(juniorKey);
    room.destroy();

    // Even a vote the room still holds (written before the connection closed) stays out of the
    // version: it records the panel's votes alone.
    await server.context.rooms.applyServerUpdate(docName, (doc) => {
      setLabelValue(doc, "verdict", "safe");
      setVote(doc, juniorKey, "verdict", "unsafe");
    });
    const published = await lead.api.post(`/items/${itemId}/publish`, {});
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const version = await server.context.db
      .selectFrom("adjudications")
      .select(["panel", "votes", "minority"])
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    expect(version).toEqual({
      panel: [expert.id],
      votes: { [String(expert.id)]: { verdict: "safe" } },
      minority: {},
    });
  });
});

describe("a panel seat lost while another instance decided it", () => {
  const clients = closeSyncClientsAfterEach();

  it("takes out the vote a member wrote back before the recheck closed them", async () => {
    const { junior, itemId } = await labelledByExpertAndJunior(["safe", "unsafe"]);
    const docName = itemRoomName(itemId);
    const inRoom = clients.track(
      connectSyncClient(server.url, docName, { token: junior.token, persisted: true }),
    );
    await within(inRoom.synced, "the junior to join the room");
    const juniorKey = await participantKeyFor(server, itemId, junior.id);
    // The rejection as another instance stores it: nothing on this one hears of it, and the
    // vote it took out there is written back here while the connection stays open.
    await server.context.db
      .updateTable("annotations")
      .set({ rejected_at: new Date() })
      .where("item_id", "=", itemId)
      .where("user_id", "=", junior.id)
      .execute();
    await server.context.rooms.applyServerUpdate(docName, (doc) => votesMap(doc).delete(juniorKey));
    await waitFor(() => !(juniorKey in votesToJson(inRoom.doc)), "the junior to see it go");
    setVote(inRoom.doc, juniorKey, "verdict", "safe");
    await waitFor(() => inRoom.saved(), "the vote written back to be stored");
    const before = await server.context.rooms.read(docName);
    expect(votesToJson(before)).toHaveProperty(juniorKey);
    before.destroy();

    server.context.accessChanges.notify();
    expect((await within(inRoom.refused, "the junior's connection to close")).code).toBe(
      SyncCloseCode.accessRevoked,
    );
    await waitFor(async () => {
      const room = await server.context.rooms.read(docName);
      const held = juniorKey in votesToJson(room);
      room.destroy();
      return !held;
    }, "the vote to be taken out");
  });
});

describe("gold items", () => {
  it("stop taking revisions of a label when an ordinary item would, once they have all their labels", async () => {
    const annotator = await person("annotator", { level: "expert" });
    const { projectId } = await project([annotator], { overlap: 1, settings: { goldRate: 1 } }, [
      { externalId: "ordinary", prompt: "Is this safe?", responses: [{ id: "a", text: "Yes." }] },
      {
        externalId: "gold",
        prompt: "Is this safe too?",
        responses: [{ id: "a", text: "No." }],
        gold: { label: { verdict: "unsafe" } },
      },
    ]);
    const revisions: number[] = [];
    for (let turn = 0; turn < 2; turn++) {
      const itemId = await reserve(annotator, projectId);
      expect(itemId).not.toBeNull();
      const submitted = await annotator.api.post(`/items/${itemId}/annotations`, {
        label: { verdict: "safe" },
      });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      const revised = await annotator.api.put(`/items/${itemId}/annotations/mine`, {
        label: { verdict: "unsafe" },
      });
      revisions.push(revised.status);
    }
    // With one label an item needs, neither label may change: no answer tells the two apart.
    expect(revisions).toEqual([409, 409]);
  });
});

describe("the workflow's rules", () => {
  it("answers a submission sent again as the first time, and refuses a different label", async () => {
    const annotator = await person("annotator", { level: "expert" });
    const { projectId, itemId } = await project([annotator], { overlap: 2 });
    expect(await reserve(annotator, projectId)).toBe(itemId);
    const body = { label: { verdict: "safe" }, durationMs: 1000 };
    const first = await annotator.api.post<{ annotation: { id: number } }>(
      `/items/${itemId}/annotations`,
      body,
    );
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // The client never got that answer and sends the same again: it learns the label is stored.
    const again = await annotator.api.post(`/items/${itemId}/annotations`, body);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual(first.body);
    const different = await annotator.api.post(`/items/${itemId}/annotations`, {
      label: { verdict: "unsafe" },
    });
    expect(different.status, JSON.stringify(different.body)).toBe(409);
    const stored = await server.context.db
      .selectFrom("annotations")
      .select("label")
      .where("item_id", "=", itemId)
      .execute();
    expect(stored).toEqual([{ label: { verdict: "safe" } }]);
  });

  it("settles an item on a lead's correction of a label, and leaves a published item as published", async () => {
    const { expert, junior, projectId, itemId } = await labelledByExpertAndJunior(["safe", "safe"]);
    expect(await status(itemId)).toBe("consensus");
    const corrected = await lead.api.post(`/reviews/${await pendingReviewOf(projectId, junior)}`, {
      verdict: "correct",
      correctedLabel: { verdict: "unsafe" },
      comments: [{ text: "The dose is unsafe" }],
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    // The correction disagrees with the expert: the item goes to a panel, not to the training
    // data as "safe".
    expect(await status(itemId)).toBe("disputed");

    const published = await project([expert, junior], {
      overlap: 2,
      autoPublishConsensus: true,
      settings: reviewEveryJunior,
    });
    await label(expert, published.projectId, published.itemId, "safe");
    await label(junior, published.projectId, published.itemId, "safe");
    expect(await status(published.itemId)).toBe("published");
    const late = await lead.api.post(
      `/reviews/${await pendingReviewOf(published.projectId, junior)}`,
      {
        verdict: "correct",
        correctedLabel: { verdict: "unsafe" },
        comments: [{ text: "Unsafe after all" }],
      },
    );
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(await status(published.itemId)).toBe("published");
  });

  it("exports a label a lead corrected as corrected, so that the export imports back to the same outcome", async () => {
    const { expert, junior, projectId, itemId } = await labelledByExpertAndJunior([
      "safe",
      "unsafe",
    ]);
    expect(await status(itemId)).toBe("disputed");
    const corrected = await lead.api.post(`/reviews/${await pendingReviewOf(projectId, junior)}`, {
      verdict: "correct",
      correctedLabel: { verdict: "safe" },
      comments: [{ text: "It is safe at this dose" }],
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    expect(await status(itemId)).toBe("consensus");

    const exported = async (id: number, format: string) => {
      const response = await fetch(`${server.url}/api/v1/projects/${id}/export?format=${format}`, {
        headers: { Authorization: `Bearer ${lead.token}` },
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const lines = await exported(projectId, "jsonl");
    const [line] = lines
      .trim()
      .split("\n")
      .map((text) => JSON.parse(text) as ExportedLine);
    expect(line.label).toEqual({ verdict: "safe" });
    expect(line.annotations.map((annotation) => [annotation.annotator, annotation.label])).toEqual([
      [expert.email, { verdict: "safe" }],
      [junior.email, { verdict: "safe" }],
    ]);
    const tasks = JSON.parse(await exported(projectId, "label-studio")) as LabelStudioTask[];
    const choices = tasks[0].annotations
      .filter((annotation) => !annotation.ground_truth)
      .map((annotation) => annotation.result.map((result) => result.value.choices));
    expect(choices).toEqual([[["safe"]], [["safe"]]]);

    const copy = await project([expert, junior], { overlap: 2 });
    const imported = await fetch(`${server.url}/api/v1/projects/${copy.projectId}/items`, {
      method: "POST",
      headers: { Authorization: `Bearer ${lead.token}`, "Content-Type": "application/x-ndjson" },
      body: lines,
    });
    expect(imported.status, await imported.clone().text()).toBe(201);
    const copied = await server.context.db
      .selectFrom("items")
      .select("status")
      .where("project_id", "=", copy.projectId)
      .where("external_id", "=", line.externalId)
      .executeTakeFirstOrThrow();
    expect(copied.status).toBe("consensus");
  });

  it("rejects a label whatever its item's state, leaving a published item as published", async () => {
    const { junior, projectId, itemId } = await labelledByExpertAndJunior(["safe", "safe"], {
      autoPublishConsensus: true,
    });
    expect(await status(itemId)).toBe("published");
    const rejected = await lead.api.post(`/reviews/${await pendingReviewOf(projectId, junior)}`, {
      verdict: "reject",
      comments: [{ text: "Guessed" }],
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(await status(itemId)).toBe("published");
    const annotation = await server.context.db
      .selectFrom("annotations")
      .select("rejected_at")
      .where("item_id", "=", itemId)
      .where("user_id", "=", junior.id)
      .executeTakeFirstOrThrow();
    expect(annotation.rejected_at).not.toBeNull();
  });

  it("lets nobody decide the review of their own label, a junior made lead included", async () => {
    const junior = await person("junior", { level: "junior" });
    const { projectId, itemId } = await project([junior], {
      overlap: 1,
      settings: reviewEveryJunior,
    });
    await label(junior, projectId, itemId, "safe");
    const reviewId = await pendingReviewOf(projectId, junior);
    const promoted = await admin.api.post(`/projects/${projectId}/members`, {
      email: junior.email,
      role: "lead",
    });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    const own = await junior.api.post(`/reviews/${reviewId}`, {
      verdict: "accept",
      comments: [],
    });
    expect(own.status, JSON.stringify(own.body)).toBe(403);
    const review = await server.context.db
      .selectFrom("reviews")
      .select(["verdict", "reviewer_id"])
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
    expect(review).toEqual({ verdict: "pending", reviewer_id: null });
    const byLead = await lead.api.post(`/reviews/${reviewId}`, { verdict: "accept", comments: [] });
    expect(byLead.status, JSON.stringify(byLead.body)).toBe(200);
  });

  it("keeps the last place for an expert against a late label as against a reservation", async () => {
    const late = await person("late", { level: "junior" });
    const other = await person("other", { level: "junior" });
    const expert = await person("expert", { level: "expert" });
    const { projectId, itemId } = await project([late, other, expert], {
      overlap: 2,
      settings: { requireExpert: true, juniorReview: { firstN: 0, rate: 0 } },
    });
    expect(await reserve(late, projectId)).toBe(itemId);
    await server.context.db
      .updateTable("assignments")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("item_id", "=", itemId)
      .where("user_id", "=", late.id)
      .execute();
    await label(other, projectId, itemId, "safe");
    const lateLabel = await late.api.post(`/items/${itemId}/annotations`, {
      label: { verdict: "safe" },
    });
    expect(lateLabel.status, JSON.stringify(lateLabel.body)).toBe(409);
    expect(JSON.stringify(lateLabel.body)).toMatch(/kept for an expert/);
    expect(await status(itemId)).toBe("annotating");
    await label(expert, projectId, itemId, "safe");
    expect(await status(itemId)).toBe("consensus");
  });
});
