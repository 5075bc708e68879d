import { expect } from "vitest";
import { IDLE_THRESHOLD_MS } from "../../app/domain/work-time.ts";
import { createProject, responses, type Cast, type Person } from "./adjudication.ts";
import type { TestServer } from "./server.ts";

/**
 * Hand-made projects for the quality figures: one single-choice field, items imported by the
 * lead with the same prompt and responses, and labels each measured at exactly one idle
 * threshold, so that their costs can be worked out by hand.
 */
export const verdictField = {
  id: "verdict",
  type: "choice",
  label: "Verdict",
  options: ["safe", "unsafe", "unclear"],
  required: true,
} as const;

/**
 * A project of the verdict field alone, `overlap` labels per item, with no gold items drawn and no
 * junior review: the quality figures' inputs are then only what a test imports or labels.
 */
export function createVerdictProject(cast: Cast, overlap: number): Promise<number> {
  return createProject(cast, {
    template: { fields: [verdictField] },
    overlap,
    settings: { goldRate: 0, juniorReview: { firstN: 0, rate: 0 } },
  });
}

const MINUTES_10 = 10 * 60_000;

/** Imports the items as the lead; returns the project's item ids by external id. */
export async function importVerdictItems(
  server: TestServer,
  lead: Person,
  projectId: number,
  items: Array<{ externalId: string; gold?: object; annotations?: object[] }>,
): Promise<Map<string, number>> {
  const imported = await lead.api.post(
    `/projects/${projectId}/items`,
    items.map((item) => ({
      externalId: item.externalId,
      prompt: "Warfarin with an antibiotic?",
      responses,
      ...(item.gold ? { gold: { label: item.gold } } : {}),
      ...(item.annotations ? { annotations: item.annotations } : {}),
    })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
  return projectItemIds(server, projectId);
}

/** The project's item ids by external id. */
export async function projectItemIds(
  server: TestServer,
  projectId: number,
): Promise<Map<string, number>> {
  const rows = await server.context.db
    .selectFrom("items")
    .select(["id", "external_id"])
    .where("project_id", "=", projectId)
    .execute();
  return new Map(rows.map((row) => [row.external_id, row.id]));
}

/**
 * Takes the person's next item (it must be `itemId`), moves the reservation ten minutes back and
 * submits at once, so the server measures one idle threshold, 2 minutes (decision 021).
 */
export async function labelAfterOneIdleThreshold(
  server: TestServer,
  person: Person,
  projectId: number,
  itemId: number,
  label: object,
): Promise<void> {
  const next = await person.api.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${projectId}`,
  );
  expect(next.body.assignment?.itemId, person.email).toBe(itemId);
  await server.context.db
    .updateTable("assignments")
    .set({ reserved_at: new Date(Date.now() - MINUTES_10) })
    .where("item_id", "=", itemId)
    .where("user_id", "=", person.id)
    .execute();
  const submitted = await person.api.post(`/items/${itemId}/annotations`, { label });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const stored = await server.context.db
    .selectFrom("annotations")
    .select("active_ms")
    .where("item_id", "=", itemId)
    .where("user_id", "=", person.id)
    .executeTakeFirstOrThrow();
  expect(stored.active_ms).toBe(IDLE_THRESHOLD_MS);
}
