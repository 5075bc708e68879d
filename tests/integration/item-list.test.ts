import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCast,
  createProject,
  disputedLabels,
  responses,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { expectApiError } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

interface ListedItem {
  id: number;
  externalId: string;
  status?: string;
  labelCount?: number;
  disputedFields?: string[];
  submittedByYou: boolean;
  invitedToPanel: boolean;
}

interface ItemList {
  items: ListedItem[];
  nextCursor: number | null;
}

interface ItemView {
  item: { status?: string };
  annotations: unknown[];
  outcome: { fields: Array<{ fieldId: string; disputed: boolean }> } | null;
}

async function list(person: Person, projectId: number, query = ""): Promise<ItemList> {
  const response = await person.api.get<ItemList>(`/projects/${projectId}/items${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** Every page of the list, one item at a time, following the cursor. */
async function walk(person: Person, projectId: number, status?: string): Promise<number[]> {
  const ids: number[] = [];
  let cursor: number | null = null;
  do {
    const query = new URLSearchParams({
      limit: "1",
      ...(status ? { status } : {}),
      ...(cursor === null ? {} : { cursor: String(cursor) }),
    });
    const page = await list(person, projectId, `?${query}`);
    expect(page.items.length).toBeLessThanOrEqual(1);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
    if (cursor !== null) expect(cursor).toBe(page.items[0].id);
  } while (cursor !== null);
  return ids;
}

/** Has the annotator take the next item from the queue and label it. */
async function labelNext(person: Person, projectId: number, label: unknown): Promise<number> {
  const next = await person.api.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${projectId}`,
  );
  expect(next.body.assignment, person.email).not.toBeNull();
  const itemId = next.body.assignment!.itemId;
  const submitted = await person.api.post(`/items/${itemId}/annotations`, { label });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  return itemId;
}

/**
 * A project of five items: the first two experts label three of them in disagreement, the
 * expert the lead invites later labels a fourth alone (it stays blind), the third expert holds
 * a reservation, and the lead puts the invited expert on the panels of two of the disputed items.
 */
async function projectWithPanels() {
  const projectId = await createProject(cast, { overlap: 2 });
  const imported = await cast.lead.api.post(
    `/projects/${projectId}/items`,
    [1, 2, 3, 4, 5].map((number) => ({
      externalId: `list-${number}`,
      prompt: `Warfarin with antibiotic ${number}?`,
      responses,
    })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);

  const [first, second, third] = cast.experts;
  const disputed: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const itemId = await labelNext(first, projectId, disputedLabels[0]);
    expect(await labelNext(second, projectId, disputedLabels[1])).toBe(itemId);
    disputed.push(itemId);
  }
  disputed.sort((a, b) => a - b);
  const blind = await labelNext(cast.invited, projectId, disputedLabels[2]);
  const reserved = await third.api.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${projectId}`,
  );
  expect(reserved.body.assignment).not.toBeNull();

  const [panelled, notPanelled, alsoPanelled] = disputed;
  for (const itemId of [panelled, alsoPanelled]) {
    const added = await cast.lead.api.post(`/items/${itemId}/panel`, {
      email: cast.invited.email,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  return {
    projectId,
    panelled: [panelled, alsoPanelled],
    notPanelled,
    blind,
    reservedByThird: reserved.body.assignment!.itemId,
  };
}

describe("the item list for a panel member a lead invited", () => {
  it("lists the items whose panel they sit on, with what the item page shows them", async () => {
    const { projectId, panelled, notPanelled, blind } = await projectWithPanels();

    const { items, nextCursor } = await list(cast.invited, projectId);
    expect(nextCursor).toBeNull();
    expect(items.map((item) => item.id)).toEqual([blind, ...panelled].sort((a, b) => a - b));
    expect(items.map((item) => item.id)).not.toContain(notPanelled);

    for (const itemId of panelled) {
      const listed = items.find((item) => item.id === itemId)!;
      const view = await cast.invited.api.get<ItemView>(`/items/${itemId}`);
      expect(view.status).toBe(200);
      const disputedOnPage = view.body.outcome!.fields.filter((field) => field.disputed);
      expect(listed).toMatchObject({
        status: view.body.item.status,
        labelCount: view.body.annotations.length,
        disputedFields: disputedOnPage.map((field) => field.fieldId),
        submittedByYou: false,
        invitedToPanel: true,
      });
      expect(listed.status).toBe("adjudicating");
      expect(listed.labelCount).toBe(2);
      expect(listed.disputedFields).toEqual(["preference", "accuracy"]);
    }

    // Their own label on an item still being labelled keeps it blind, in the list as on its page.
    const own = items.find((item) => item.id === blind)!;
    expect(own).toMatchObject({ submittedByYou: true, invitedToPanel: false });
    for (const hidden of ["status", "labelCount", "disputedFields"]) {
      expect(own).not.toHaveProperty(hidden);
    }
    const ownView = await cast.invited.api.get<ItemView>(`/items/${blind}`);
    expect(ownView.body.item).not.toHaveProperty("status");
    expect(ownView.body.annotations).toHaveLength(1);
  });

  it("hides those items from an annotator neither assigned them nor on their panel", async () => {
    const { projectId, panelled, notPanelled, reservedByThird } = await projectWithPanels();
    const third = cast.experts[2];

    const { items } = await list(third, projectId);
    expect(items.map((item) => item.id)).toEqual([reservedByThird]);
    expect(items[0]).toMatchObject({ submittedByYou: false, invitedToPanel: false });
    expect(items[0]).not.toHaveProperty("status");
    for (const itemId of [...panelled, notPanelled]) {
      expectApiError(await third.api.get(`/items/${itemId}`), 404, "not_found");
    }
    expect((await list(third, projectId, "?status=adjudicating")).items).toEqual([]);
    expectApiError(await cast.outsider.api.get(`/projects/${projectId}/items`), 404, "not_found");

    // Those who labelled the items still see them as before, not as invited.
    const labelled = await list(cast.experts[0], projectId);
    expect(labelled.items.map((item) => item.id)).toEqual(
      [...panelled, notPanelled].sort((a, b) => a - b),
    );
    expect(labelled.items.every((item) => item.submittedByYou && !item.invitedToPanel)).toBe(true);
  });

  it("keeps the status filter and the cursor", async () => {
    const { projectId, panelled, blind } = await projectWithPanels();

    expect(await walk(cast.invited, projectId)).toEqual([blind, ...panelled].sort((a, b) => a - b));
    expect(await walk(cast.invited, projectId, "adjudicating")).toEqual(panelled);
    const afterFirst = await list(
      cast.invited,
      projectId,
      `?status=adjudicating&cursor=${panelled[0]}`,
    );
    expect(afterFirst).toEqual({
      items: [expect.objectContaining({ id: panelled[1] })],
      total: 2,
      nextCursor: null,
    });
    // The disputed item they are not on, and the blind one they labelled, match no status.
    expect((await list(cast.invited, projectId, "?status=disputed")).items).toEqual([]);
    expect((await list(cast.invited, projectId, "?status=annotating")).items).toEqual([]);
    expect((await list(cast.invited, projectId, "?status=published")).items).toEqual([]);

    const lead = await list(cast.lead, projectId, "?status=adjudicating");
    expect(lead.items.map((item) => item.id)).toEqual(panelled);
    expect(lead.items.every((item) => !item.invitedToPanel)).toBe(true);
  });
});
