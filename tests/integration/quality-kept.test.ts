import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { RawNode, type KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectModel } from "../../server/services/project-model.ts";
import { keptProgressCounts, readProjectProgress } from "../../server/services/progress.ts";
import { projectQualityComputation } from "../../server/services/quality-economics.ts";
import { createCast, type Cast } from "../setup/adjudication.ts";
import { createVerdictProject, importVerdictItems } from "../setup/quality-fixture.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/** A full collection, twice, each after the current job's weak references are released. */
async function collectGarbage(): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let round = 0; round < 2; round++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
}

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

describe("kept quality figures, checked without reading the labels", () => {
  it("are kept while nothing changed, and recomputed after a revision, a rate or a role change", async () => {
    const projectId = await createVerdictProject(cast, 3);
    const { db } = server.context;
    const [one] = cast.experts;
    const ids = await importVerdictItems(server, cast.lead, projectId, [{ externalId: "a" }]);
    const itemId = ids.get("a")!;
    const next = await one.api.get<{ assignment: { itemId: number } | null }>(
      `/queue/next?project=${projectId}`,
    );
    expect(next.body.assignment?.itemId).toBe(itemId);
    const submitted = await one.api.post(`/items/${itemId}/annotations`, {
      label: { verdict: "safe" },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);

    const figures = async () =>
      projectQualityComputation(db, await loadProjectModel(db, projectId));
    const first = await figures();
    expect(first.data.labels.map((entry) => entry.label)).toEqual([{ verdict: "safe" }]);
    expect(await figures()).toBe(first);

    // A revision writes no project event; the next answer must still show it.
    const revised = await one.api.put(`/items/${itemId}/annotations/mine`, {
      label: { verdict: "unsafe" },
    });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    const afterRevision = await figures();
    expect(afterRevision.data.labels.map((entry) => entry.label)).toEqual([{ verdict: "unsafe" }]);

    await db
      .updateTable("users")
      .set({ hourly_rate_cents: 12_345 })
      .where("id", "=", one.id)
      .execute();
    const afterRate = await figures();
    expect(afterRate).not.toBe(afterRevision);
    expect(afterRate.data.workers.get(one.id)?.rateCentsPerHour).toBe(12_345);

    const demoted = await cast.admin.api.post(`/projects/${projectId}/members`, {
      email: one.email,
      role: "client",
    });
    expect(demoted.status, JSON.stringify(demoted.body)).toBeLessThan(300);
    const afterRole = await figures();
    expect(afterRole.data.workers.get(one.id)?.role).toBe("client");
    expect(await figures()).toBe(afterRole);
  });

  it("keep a project's progress counts while nothing changed, and follow every change", async () => {
    const projectId = await createVerdictProject(cast, 3);
    const { db } = server.context;
    const [one, two] = cast.experts;
    type Progress = {
      items: number;
      labels: { given: number };
      annotators: Array<{ id: number; name: string; level: string | null; labels: number }>;
    };
    const progress = async () => {
      const response = await cast.lead.api.get<Progress>(`/projects/${projectId}/progress`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body;
    };
    const counts = async () => keptProgressCounts(db, await loadProjectModel(db, projectId));
    const label = async (annotator: typeof one, verdict: string) => {
      const next = await annotator.api.get<{ assignment: { itemId: number } | null }>(
        `/queue/next?project=${projectId}`,
      );
      const itemId = next.body.assignment!.itemId;
      const submitted = await annotator.api.post(`/items/${itemId}/annotations`, {
        label: { verdict },
      });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    };

    await importVerdictItems(server, cast.lead, projectId, [{ externalId: "a" }]);
    expect((await progress()).items).toBe(1);
    const kept = await counts();
    expect(await counts()).toBe(kept);

    await importVerdictItems(server, cast.lead, projectId, [{ externalId: "b" }]);
    expect((await progress()).items).toBe(2);

    await label(one, "safe");
    const afterLabel = await progress();
    expect(afterLabel.labels.given).toBe(1);
    expect(afterLabel.annotators).toEqual([expect.objectContaining({ id: one.id, labels: 1 })]);

    await label(two, "unsafe");
    expect((await progress()).labels.given).toBe(2);

    await db.updateTable("users").set({ name: "Renamed" }).where("id", "=", one.id).execute();
    const afterRename = await progress();
    expect(afterRename.annotators.find((row) => row.id === one.id)?.name).toBe("Renamed");

    await db.updateTable("users").set({ level: "junior" }).where("id", "=", two.id).execute();
    const afterLevel = await progress();
    expect(afterLevel.annotators.find((row) => row.id === two.id)?.level).toBe("junior");
    const settled = await counts();
    expect(await counts()).toBe(settled);
  });

  it("read the fingerprint once for a progress with costs, whose counts and costs it checks", async () => {
    const projectId = await createVerdictProject(cast, 3);
    await importVerdictItems(server, cast.lead, projectId, [{ externalId: "a" }]);
    let fingerprintReads = 0;
    const counting: KyselyPlugin = {
      transformQuery({ node }) {
        if (RawNode.is(node) && node.sqlFragments.some((part) => part.includes("concat_ws('|'")))
          fingerprintReads += 1;
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const db = server.context.db.withPlugin(counting);
    const project = await loadProjectModel(db, projectId);
    for (const costs of [true, true, false]) {
      fingerprintReads = 0;
      const progress = await readProjectProgress(db, project, { pseudonyms: false, costs });
      expect(progress(false, costs).items).toBe(1);
      expect(fingerprintReads).toBe(1);
    }
  });

  it("let earlier figures go: a computation holds what the next one starts from, not the chain", async () => {
    const projectId = await createVerdictProject(cast, 3);
    const { db } = server.context;
    const [one] = cast.experts;
    const ids = await importVerdictItems(server, cast.lead, projectId, [{ externalId: "a" }]);
    const itemId = ids.get("a")!;
    await one.api.get(`/queue/next?project=${projectId}`);
    const submitted = await one.api.post(`/items/${itemId}/annotations`, {
      label: { verdict: "safe" },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);

    // Every computation patches the one before and computes all its parts, each taking over
    // the counts of the one before (agreement, quality over time).
    const computed: Array<WeakRef<object>> = [];
    for (const verdict of ["unsafe", "unclear", "safe", "unsafe", "unclear"]) {
      const revised = await one.api.put(`/items/${itemId}/annotations/mine`, {
        label: { verdict },
      });
      expect(revised.status, JSON.stringify(revised.body)).toBe(200);
      const figures = await projectQualityComputation(db, await loadProjectModel(db, projectId));
      figures.overTime();
      figures.agreements();
      figures.models();
      computed.push(new WeakRef(figures.data));
    }
    await collectGarbage();
    expect(computed.map((figures) => figures.deref() !== undefined)).toEqual([
      false,
      false,
      false,
      expect.any(Boolean),
      true,
    ]);
  });
});
