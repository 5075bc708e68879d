import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemRoomName, setLabelValue } from "../../app/domain/room.ts";
import { loadProjectModel } from "../../server/services/project-model.ts";
import { fieldAgreements } from "../../server/services/quality-agreement.ts";
import {
  projectQualityComputation,
  qualityEconomicsOf,
} from "../../server/services/quality-economics.ts";
import { categoricalModels } from "../../server/services/quality-models.ts";
import { qualityOverTime } from "../../server/services/quality-over-time.ts";
import { patchKeptRows, readKeptRows, type KeptRows } from "../../server/services/quality-rows.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import { createCast, createProject, type Cast, type Person } from "../setup/adjudication.ts";
import { importVerdictItems, verdictField } from "../setup/quality-fixture.ts";
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

const verdicts = ["safe", "unsafe", "unclear"] as const;

const step = fc.record({
  kind: fc.constantFrom(
    "label",
    "label",
    "label",
    "revise",
    "import",
    "review",
    "publish",
    "reopen",
    "rate",
    "backdated",
  ),
  pick: fc.nat({ max: 1_000 }),
  verdict: fc.constantFrom(...verdicts),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/**
 * The kept rows patched after every change, and the figures the keeper computes from them, are
 * those of a full read and a computation from scratch.
 */
describe("quality figures maintained incrementally", () => {
  it("equal a full read and computation after every change", async () => {
    const { db } = server.context;
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 8, maxLength: 16 }), async (steps) => {
        const projectId = await createProject(
          cast,
          {
            template: { fields: [verdictField] },
            overlap: 2,
            settings: { goldRate: 0.3, juniorReview: { firstN: 1_000, rate: 1 } },
          },
          { withJunior: true },
        );
        const people: Person[] = [...cast.experts, cast.junior];
        const rowsOf = <Row>(rows: Row[], pick: number): Row | undefined =>
          rows.length === 0 ? undefined : rows[pick % rows.length];
        /** One of the project's labels, chosen by `pick`, in id order. */
        const pickedLabel = async (pick: number) =>
          rowsOf(
            await db
              .selectFrom("annotations")
              .innerJoin("items", "items.id", "annotations.item_id")
              .select(["annotations.id", "annotations.item_id", "annotations.user_id"])
              .where("items.project_id", "=", projectId)
              .orderBy("annotations.id")
              .execute(),
            pick,
          );
        const itemsWith = async (status: "disputed" | "published") =>
          db
            .selectFrom("items")
            .select("id")
            .where("project_id", "=", projectId)
            .where("status", "=", status)
            .orderBy("id")
            .execute();

        const apply = async ({ kind, pick, verdict }: Step) => {
          if (kind === "label") {
            const person = people[pick % people.length]!;
            const next = await person.api.get<{ assignment: { itemId: number } | null }>(
              `/queue/next?project=${projectId}`,
            );
            const itemId = next.body.assignment?.itemId;
            if (itemId === undefined) return;
            const submitted = await person.api.post(`/items/${itemId}/annotations`, {
              label: { verdict },
            });
            expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
          } else if (kind === "revise") {
            const own = await pickedLabel(pick);
            const person = people.find((entry) => entry.id === own?.user_id);
            if (!own || !person) return;
            // Refused once the item is settled; either way the figures must follow.
            await person.api.put(`/items/${own.item_id}/annotations/mine`, {
              label: { verdict },
            });
          } else if (kind === "import") {
            imported += 1;
            const [one, two] = cast.experts;
            await importVerdictItems(server, cast.lead, projectId, [
              {
                externalId: `import-${imported}`,
                ...(pick % 3 === 0 ? { gold: { verdict } } : {}),
                ...(pick % 2 === 0
                  ? {
                      annotations: [
                        { annotator: one.email, label: { verdict } },
                        { annotator: two.email, label: { verdict: verdicts[pick % 3] } },
                      ],
                    }
                  : {}),
              },
            ]);
          } else if (kind === "review") {
            const review = rowsOf(
              await db
                .selectFrom("reviews")
                .select("id")
                .where("project_id", "=", projectId)
                .where("verdict", "=", "pending")
                .orderBy("id")
                .execute(),
              pick,
            );
            if (!review) return;
            const decided = await cast.lead.api.post(
              `/reviews/${review.id}`,
              pick % 2 === 0
                ? { verdict: "accept" }
                : { verdict: "reject", comments: [{ text: "Not what the response says." }] },
            );
            // Refused once the item is being adjudicated (after a reopening); the figures follow.
            expect([200, 409], JSON.stringify(decided.body)).toContain(decided.status);
          } else if (kind === "publish") {
            const item = rowsOf(await itemsWith("disputed"), pick);
            if (!item) return;
            await prepareItemRoom(server.context, item.id);
            await server.context.rooms.applyServerUpdate(itemRoomName(item.id), (doc) => {
              setLabelValue(doc, "verdict", verdict);
            });
            const published = await cast.lead.api.post(`/items/${item.id}/publish`, {});
            expect(published.status, JSON.stringify(published.body)).toBe(201);
          } else if (kind === "reopen") {
            const item = rowsOf(await itemsWith("published"), pick);
            if (!item) return;
            const reopened = await cast.lead.api.post(`/items/${item.id}/reopen`, {});
            expect(reopened.status, JSON.stringify(reopened.body)).toBeLessThan(300);
          } else if (kind === "rate") {
            const person = people[pick % people.length]!;
            const changed = await cast.admin.api.patch(`/users/${person.id}`, {
              hourlyRate: 10 + (pick % 90),
            });
            expect(changed.status, JSON.stringify(changed.body)).toBe(200);
          } else {
            // A transaction that began before the latest change and committed after it: the
            // item's `updated_at` falls below the latest one kept.
            const label = await pickedLabel(pick);
            if (!label) return;
            await db
              .updateTable("annotations")
              .set({ label: JSON.stringify({ verdict }) })
              .where("id", "=", label.id)
              .execute();
            await db
              .updateTable("items")
              .set({ updated_at: sql<Date>`now() - interval '1 day'` })
              .where("id", "=", label.item_id)
              .execute();
          }
        };

        await importVerdictItems(server, cast.lead, projectId, [
          { externalId: "a" },
          { externalId: "b" },
          { externalId: "c" },
          { externalId: "g", gold: { verdict: "unsafe" } },
        ]);
        let kept: KeptRows = await readKeptRows(db, projectId);
        for (const change of steps) {
          await apply(change);
          kept = await patchKeptRows(db, projectId, kept);
          expect(kept.full, change.kind).toBe(false);
          const fresh = await readKeptRows(db, projectId);
          expect(kept.data, change.kind).toEqual(fresh.data);

          const project = await loadProjectModel(db, projectId);
          const maintained = await projectQualityComputation(db, project);
          const scratch = qualityEconomicsOf(project, fresh.data);
          expect(maintained.data, change.kind).toEqual(fresh.data);
          expect(maintained.economics, change.kind).toEqual(scratch.economics);
          expect(maintained.groups, change.kind).toEqual(scratch.groups);
          expect(maintained.models(), change.kind).toEqual(
            categoricalModels(project.template, fresh.data.labels),
          );
          expect(maintained.agreements(), change.kind).toEqual(
            fieldAgreements(project, fresh.data.labels),
          );
          expect(maintained.overTime(), change.kind).toEqual(qualityOverTime(project, fresh.data));
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
  });
});
