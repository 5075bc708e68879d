import { createHash } from "node:crypto";
import fc from "fast-check";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema.ts";
import { projectItemCount } from "../../server/services/items.ts";
import { latestProjectEventId, recordProjectEvent } from "../../server/services/project-events.ts";
import { loadProjectModel } from "../../server/services/project-model.ts";
import { createLogger } from "../../server/logger.ts";
import { AHEAD_ITEMS, QualityAhead } from "../../server/services/quality-ahead.ts";
import { importItems } from "../../server/services/import/index.ts";
import {
  EXACT,
  keeper,
  projectQualityComputation,
  qualityFingerprint,
} from "../../server/services/quality-economics.ts";
import {
  QUALITY_FIGURES_FORMAT,
  readStoredFingerprint,
  readStoredQuality,
  storeQuality,
} from "../../server/services/quality-snapshots.ts";
import {
  confirmFiguresOfWrite,
  cutForViewer,
  qualityFigures,
  storeFiguresWithWrite,
  type QualityFigures,
} from "../../server/services/quality.ts";
import { createCast, type Cast } from "../setup/adjudication.ts";
import { createVerdictProject, importVerdictItems } from "../setup/quality-fixture.ts";
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

/**
 * The database as a process that has just started sees it: the same connections, but a new
 * `Kysely` object, under which nothing computed is kept (the keepers key their figures by it).
 */
const freshProcess = (): Kysely<Database> => server.context.db.withoutPlugins();

const onPostgres = Boolean(process.env.DATABASE_URL);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often the server looks for imports (half the quality event interval, at least 1 s). */
const QUALITY_AHEAD_LOOK_MS = 5_000;

const responses = [
  { id: "a", text: "Yes." },
  { id: "b", text: "No." },
];

/** Four items labelled by three experts, and `unlabelled` items more. */
async function labelledProject(unlabelled = 0): Promise<number> {
  const projectId = await createVerdictProject(cast, 3);
  const [one, two, three] = cast.experts;
  await importVerdictItems(server, cast.lead, projectId, [
    ...["a", "b", "c", "d"].map((externalId, index) => ({
      externalId,
      annotations: [
        { annotator: one.email, label: { verdict: "safe" } },
        { annotator: two.email, label: { verdict: index % 2 === 0 ? "safe" : "unsafe" } },
        { annotator: three.email, label: { verdict: index === 3 ? "unclear" : "safe" } },
      ],
    })),
    ...Array.from({ length: unlabelled }, (_, index) => ({ externalId: `unlabelled-${index}` })),
  ]);
  return projectId;
}

/** Marks the stored figures, so that an answer taken from them is told apart from a computed one. */
async function markStored(db: Kysely<Database>, projectId: number, labels: number): Promise<void> {
  const stored = await readStoredQuality<QualityFigures>(db, projectId);
  expect(stored).not.toBeNull();
  const figures = structuredClone(stored!.figures);
  figures.view.project.labels = labels;
  await db
    .updateTable("quality_snapshots")
    .set({ figures: JSON.stringify(figures) })
    .where("project_id", "=", projectId)
    .execute();
}

describe("stored quality figures", () => {
  it("answer a process that has not computed the project, exact or within the bound, while it computes its own behind", async () => {
    const projectId = await labelledProject();
    const project = await loadProjectModel(server.context.db, projectId);
    // Every computation counts as slow here, so that figures are stored.
    const slow = { slowComputationMs: 0 };
    const computed = await qualityFigures(server.context.db, project, { maxStaleMs: 0, ...slow });
    expect(computed.view.project.labels).toBe(12);

    // Stored as computed: read back, they are the same figures, every viewer's cut included.
    const stored = await readStoredQuality<QualityFigures>(server.context.db, projectId);
    expect(stored?.figures).toEqual(computed);
    expect(stored!.computeMs).toBeGreaterThanOrEqual(0);
    const fromStore = await qualityFigures(freshProcess(), project, { maxStaleMs: 0, ...slow });
    expect(fromStore).toEqual(computed);

    // Marked, they tell which answers come from them: a new process answers from them while
    // the data are unchanged, and, given the server's closing signal, computes its own behind.
    await markStored(server.context.db, projectId, 999);
    const closing = new AbortController();
    const started = freshProcess();
    const exact = { maxStaleMs: 0, refreshUntil: closing.signal, ...slow };
    expect((await qualityFigures(started, project, exact)).view.project.labels).toBe(999);
    while (!projectQualityComputation.holds(started, projectId)) await pause(20);
    expect((await qualityFigures(started, project, exact)).view.project.labels).toBe(12);
    closing.abort();

    // A one-shot process (the CLI) answers from them, and computes nothing behind.
    const oneShot = freshProcess();
    expect((await qualityFigures(oneShot, project, { maxStaleMs: 0 })).view.project.labels).toBe(
      999,
    );
    await pause(200);
    expect(projectQualityComputation.holds(oneShot, projectId)).toBe(false);

    // After a change: within the bound since the data were last seen to match them, they may
    // still answer; an exact request, or one past the bound, gets figures of the data as they are.
    await markStored(server.context.db, projectId, 999);
    const [one] = cast.experts;
    await importVerdictItems(server, cast.lead, projectId, [
      { externalId: "e", annotations: [{ annotator: one.email, label: { verdict: "safe" } }] },
    ]);
    const withinBound = { maxStaleMs: 60_000 };
    expect((await qualityFigures(freshProcess(), project, withinBound)).view.project.labels).toBe(
      999,
    );
    expect((await qualityFigures(freshProcess(), project, EXACT_SLOW)).view.project.labels).toBe(
      13,
    );
    // That exact computation stored the figures of the new data in place of the marked ones.
    expect((await qualityFigures(freshProcess(), project, EXACT_SLOW)).view.project.labels).toBe(
      13,
    );
    await markStored(server.context.db, projectId, 999);
    await importVerdictItems(server, cast.lead, projectId, [
      { externalId: "f", annotations: [{ annotator: one.email, label: { verdict: "safe" } }] },
    ]);
    await pause(300);
    const pastBound = { maxStaleMs: 200 };
    expect((await qualityFigures(freshProcess(), project, pastBound)).view.project.labels).toBe(14);
  });

  it("answer exactly when their data are the project's, or were seen to be within the caller's bound", async () => {
    const { db } = server.context;
    const projectId = await labelledProject();
    const project = await loadProjectModel(db, projectId);
    const [one] = cast.experts;
    let labels = 12;
    let added = 0;
    // Ages and bounds seconds apart, so that the time a request takes never decides the case.
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.constantFrom(2_000, 30_000, 300_000),
        fc.constantFrom(0, 10_000, 120_000),
        async (changed, ageMs, boundMs) => {
          await qualityFigures(freshProcess(), project, EXACT_SLOW);
          await markStored(db, projectId, 999);
          if (changed) {
            added += 1;
            await importVerdictItems(server, cast.lead, projectId, [
              {
                externalId: `changed-${added}`,
                annotations: [{ annotator: one.email, label: { verdict: "safe" } }],
              },
            ]);
            labels += 1;
          }
          await db
            .updateTable("quality_snapshots")
            .set({ matched_at: new Date(Date.now() - ageMs) })
            .where("project_id", "=", projectId)
            .execute();

          const answer = await qualityFigures(freshProcess(), project, { maxStaleMs: boundMs });
          const fromStored = !changed || ageMs <= boundMs;
          expect(answer.view.project.labels).toBe(fromStored ? 999 : labels);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("are ignored when stored in another format, and kept for the later data when two processes store", async () => {
    const projectId = await labelledProject();
    const { db } = server.context;
    const project = await loadProjectModel(db, projectId);
    const computed = await qualityFigures(db, project, EXACT_SLOW);
    await markStored(db, projectId, 999);
    await db
      .updateTable("quality_snapshots")
      .set({ format: QUALITY_FIGURES_FORMAT + 1 })
      .where("project_id", "=", projectId)
      .execute();
    expect(await readStoredQuality(db, projectId)).toBeNull();
    expect((await qualityFigures(freshProcess(), project, EXACT_SLOW)).view).toEqual(computed.view);

    const later = await readStoredQuality<QualityFigures>(db, projectId);
    expect(later).not.toBeNull();
    // A process storing figures of data seen before the stored ones' does not replace them.
    await storeQuality(db, projectId, {
      ...later!,
      fingerprint: "older",
      matchedAt: later!.matchedAt - 1_000,
    });
    expect((await readStoredQuality(db, projectId))?.fingerprint).toBe(later!.fingerprint);
    await storeQuality(db, projectId, {
      ...later!,
      fingerprint: "newer",
      matchedAt: later!.matchedAt + 1_000,
    });
    expect((await readStoredQuality(db, projectId))?.fingerprint).toBe("newer");

    // Deleting the project deletes its stored figures.
    await sql`delete from projects where id = ${projectId}`.execute(db);
    const { count } = await db
      .selectFrom("quality_snapshots")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(0);
  });

  it("change shape only with a new format number", async () => {
    const projectId = await labelledProject();
    const project = await loadProjectModel(server.context.db, projectId);
    const figures = await qualityFigures(server.context.db, project);
    // Every key path of the figures, array elements as []: what a stored row must still have.
    const paths = new Set<string>();
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((element) => walk(element, `${path}[]`));
      else if (value !== null && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
      } else paths.add(path);
    };
    walk(figures, "");
    const shape = createHash("sha256")
      .update([...paths].sort().join("\n"))
      .digest("hex")
      .slice(0, 16);
    // A failure here means the stored figures changed shape: rows stored by the release before
    // would be read as the new shape. Raise QUALITY_FIGURES_FORMAT, and record the new shape.
    expect({ format: QUALITY_FIGURES_FORMAT, shape }).toEqual(STORED_SHAPE);
  });

  it("cut for any viewer, after a round trip through storage, as they cut before it", async () => {
    const projectId = await labelledProject();
    const project = await loadProjectModel(server.context.db, projectId);
    const computed = await qualityFigures(server.context.db, project);
    const roundTripped = JSON.parse(JSON.stringify(computed)) as QualityFigures;
    const people = computed.roles.map(([id]) => id);
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.dictionary(fc.constantFrom(...people.map(String)), fc.string())),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (names, costsShown, costsPerPerson, timesShown) => {
          // Only clients go without a person's costs, and only they may go without the project's;
          // only clients who see the project's cost go without times.
          fc.pre(costsShown || !costsPerPerson);
          fc.pre(timesShown || (costsShown && !costsPerPerson));
          const pseudonyms =
            names === null
              ? null
              : new Map(Object.entries(names).map(([id, name]) => [Number(id), name]));
          const cut = { pseudonyms, costsShown, costsPerPerson, timesShown };
          const view = cutForViewer(roundTripped, cut);
          expect(view).toEqual(cutForViewer(computed, cut));
          const text = JSON.stringify(view);
          if (!costsPerPerson) {
            for (const annotator of view.annotators)
              expect(annotator).not.toHaveProperty("costCents");
          }
          if (!costsShown) expect(text).not.toMatch(/costCents|costPerCorrectCents/);
          if (!timesShown) expect(text).not.toMatch(/activeMs|panelMs|reviewMs/);
          if (pseudonyms !== null) {
            expect(view.groups).toBeNull();
            for (const annotator of view.annotators) {
              expect(annotator.annotator.id).toBeNull();
              expect(annotator.level).toBeNull();
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("quality figures computed ahead", () => {
  it("are judged by what computing them from nothing took, however fast a patch of them was", async () => {
    const projectId = await createVerdictProject(cast, 1);
    const { db } = server.context;
    // From nothing, slow; patched from earlier figures, fast.
    const patchedOnce = keeper(async (database, model, base: { items: number } | null) => {
      if (!base) await pause(300);
      return { items: await projectItemCount(database, model.id) };
    });
    const project = await loadProjectModel(db, projectId);
    const fromNothing = await patchedOnce(db, project);
    expect(patchedOnce.describe(fromNothing)!.fromNothingMs).toBeGreaterThanOrEqual(290);
    for (const externalId of ["a", "b"]) {
      await importVerdictItems(server, cast.lead, projectId, [{ externalId }]);
      const patched = await patchedOnce(db, project);
      const { computeMs, fromNothingMs } = patchedOnce.describe(patched)!;
      expect(computeMs).toBeLessThan(290);
      expect(fromNothingMs).toBe(patchedOnce.describe(fromNothing)!.computeMs);
    }
  });

  it("run one computation per project at a time, and once more for data that came meanwhile", async () => {
    const projectId = await createVerdictProject(cast, 1);
    const { db } = server.context;
    const computed: number[] = [];
    // The first computation ends only once every import is in, so that the run is the same on a
    // fast machine and a slow one.
    let importsDone = () => {};
    const allImported = new Promise<void>((resolve) => (importsDone = resolve));
    // The next import waits until the first computation has read the project, which on a busy
    // machine can come after the computation was asked for by more than an import takes.
    let firstRead = () => {};
    const firstHasRead = new Promise<void>((resolve) => (firstRead = resolve));
    const counted = keeper(async (database, model) => {
      const items = await projectItemCount(database, model.id);
      firstRead();
      await allImported;
      computed.push(items);
      return { items };
    });
    const closing = new AbortController();
    const bound = { maxStaleMs: 0, refreshUntil: closing.signal };
    // Five imports in a row, each asking for the figures ahead while the first computation runs.
    for (const externalId of ["a", "b", "c", "d", "e"]) {
      await importVerdictItems(server, cast.lead, projectId, [{ externalId }]);
      counted.computeAhead(db, projectId, bound);
      await firstHasRead;
    }
    importsDone();
    while (computed.at(-1) !== 5) {
      expect(computed.length).toBeLessThanOrEqual(2);
      await pause(20);
    }
    await pause(400);
    expect(computed).toEqual([1, 5]);
    // Nothing runs once the server closes.
    closing.abort();
    await importVerdictItems(server, cast.lead, projectId, [{ externalId: "f" }]);
    counted.computeAhead(db, projectId, bound);
    await pause(400);
    expect(computed).toEqual([1, 5]);
  });

  it("are patched by a request that comes while a computation of older data runs, not read again whole", async () => {
    const projectId = await createVerdictProject(cast, 1);
    const { db } = server.context;
    await importVerdictItems(server, cast.lead, projectId, [{ externalId: "a" }]);
    // Which computations started from earlier figures, in the order they started.
    const patchedFrom: Array<number | null> = [];
    let release = () => {};
    let held = new Promise<void>((resolve) => (release = resolve));
    let started = () => {};
    let hasStarted = new Promise<void>((resolve) => (started = resolve));
    const counted = keeper<{ items: number }>(async (database, model, base) => {
      patchedFrom.push(base?.items ?? null);
      const items = await projectItemCount(database, model.id);
      started();
      await held;
      return { items };
    });
    const project = await loadProjectModel(db, projectId);
    release();
    expect(await counted(db, project)).toEqual({ items: 1 });

    // A computation ahead of the next import's data, held until the request below has come.
    held = new Promise<void>((resolve) => (release = resolve));
    hasStarted = new Promise<void>((resolve) => (started = resolve));
    await importVerdictItems(server, cast.lead, projectId, [{ externalId: "b" }]);
    const closing = new AbortController();
    const ahead = counted.computeAhead(db, projectId, {
      maxStaleMs: 0,
      refreshUntil: closing.signal,
    });
    await hasStarted;
    await importVerdictItems(server, cast.lead, projectId, [{ externalId: "c" }]);
    const request = counted(db, project);
    await pause(200);
    release();
    expect(await request).toEqual({ items: 3 });
    await ahead;
    closing.abort();
    // From nothing, then the one ahead from the first figures, then the request from the ones
    // ahead, rather than from nothing while they were being computed.
    expect(patchedFrom).toEqual([null, 1, 2]);
  });

  it(`are computed after an import into a project of ${AHEAD_ITEMS.toLocaleString("en-US")} items or more, by any process, before any request, and when a server starts`, async () => {
    const projectId = await createVerdictProject(cast, 1);
    const { db } = server.context;
    const items = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({ externalId: `item-${from + index}` }));
    const heldCurrent = async () =>
      projectQualityComputation.holds(db, projectId, await qualityFingerprint(db, projectId));
    const waitFor = async (done: () => Promise<boolean>) => {
      const deadline = Date.now() + 30_000;
      while (!(await done())) {
        expect(Date.now()).toBeLessThan(deadline);
        await pause(100);
      }
    };
    // Below the size, an import leaves the figures to the first request.
    await importVerdictItems(server, cast.lead, projectId, items(0, AHEAD_ITEMS - 1));
    await pause(QUALITY_AHEAD_LOOK_MS * 2);
    expect(projectQualityComputation.holds(db, projectId)).toBe(false);
    // Through the API, the import that makes it large has them computed.
    await importVerdictItems(server, cast.lead, projectId, items(AHEAD_ITEMS, 1));
    await waitFor(heldCurrent);
    const project = await loadProjectModel(db, projectId);
    const held = await projectQualityComputation(db, project);
    expect(held.data.items).toHaveLength(AHEAD_ITEMS);
    // So does one by another process over the same database, as the CLI imports.
    await importItems(freshProcess(), {
      projectId,
      actor: null,
      rows: [{ row: 1, value: { externalId: "from-the-cli", prompt: "Aspirin?", responses } }],
    });
    expect(await heldCurrent()).toBe(false);
    await waitFor(heldCurrent);
    const after = await projectQualityComputation(db, project, { maxStaleMs: 0 });
    expect(after.data.items).toHaveLength(AHEAD_ITEMS + 1);
    // A process that starts later computes the large project at once, whatever changed while no
    // server ran, and leaves a small one to its first request.
    const small = await createVerdictProject(cast, 1);
    await importVerdictItems(server, cast.lead, small, items(0, 1));
    const restarted = freshProcess();
    const stopping = new AbortController();
    const restartedAhead = new QualityAhead(
      restarted,
      { intervalMs: 60_000, closing: stopping.signal },
      createLogger("silent"),
    );
    restartedAhead.start();
    await waitFor(async () =>
      projectQualityComputation.holds(
        restarted,
        projectId,
        await qualityFingerprint(restarted, projectId),
      ),
    );
    expect(projectQualityComputation.holds(restarted, small)).toBe(false);
    stopping.abort();
    await restartedAhead.close();
  }, 90_000);
});

describe("quality figures stored with an import", () => {
  /** A project of one item fewer than `AHEAD_ITEMS`, four of them labelled. */
  const projectJustBelowSize = () => labelledProject(AHEAD_ITEMS - 5);

  const oneLabelledItem = (externalId: string) => ({
    row: 1,
    value: {
      externalId,
      prompt: "Warfarin with an antibiotic?",
      responses,
      annotations: [{ annotator: cast.experts[0].email, label: { verdict: "unsafe" } }],
    },
  });

  it(`are those of the data the import commits, in a project of ${AHEAD_ITEMS.toLocaleString("en-US")} items or more, and answer a process that holds older ones`, async () => {
    const { db } = server.context;
    const projectId = await projectJustBelowSize();
    const project = await loadProjectModel(db, projectId);
    // Below the size, the import stores nothing.
    expect(await readStoredQuality(db, projectId)).toBeNull();
    const held = freshProcess();
    expect((await qualityFigures(held, project, EXACT)).view.project.labels).toBe(12);

    await importItems(db, {
      projectId,
      actor: null,
      rows: [oneLabelledItem("the-one-that-makes-it-large")],
      qualityInTransaction: true,
    });
    // Committed with the data: current as soon as the import returns.
    const stored = await readStoredQuality<QualityFigures>(db, projectId);
    expect(stored?.fingerprint).toBe(await qualityFingerprint(db, projectId));
    expect(stored?.figures.view.project.labels).toBe(13);
    // They are the figures a process holding nothing computes from nothing.
    await db.deleteFrom("quality_snapshots").where("project_id", "=", projectId).execute();
    expect(stored?.figures).toEqual(await qualityFigures(freshProcess(), project, EXACT_SLOW));

    // Marked, they tell which answers come from them: the process that held the figures from
    // before the import answers from them rather than patching its own with every item.
    await markStored(db, projectId, 999);
    expect((await qualityFigures(held, project, EXACT)).view.project.labels).toBe(999);
    // A long-lived process brings its own up to the data behind, and answers from them after.
    const closing = new AbortController();
    const behind = { maxStaleMs: 0, refreshUntil: closing.signal };
    expect((await qualityFigures(held, project, behind)).view.project.labels).toBe(999);
    const fingerprint = await qualityFingerprint(db, projectId);
    while (!projectQualityComputation.holds(held, projectId, fingerprint)) await pause(20);
    expect((await qualityFigures(held, project, behind)).view.project.labels).toBe(13);
    closing.abort();
  }, 60_000);

  // Another write committing while one is open needs a second connection: PostgreSQL's.
  it.runIf(onPostgres)(
    "are put under the fingerprint read after the commit, unless another write committed meanwhile",
    async () => {
      const { db } = server.context;
      const projectId = await labelledProject();
      const importEvent = {
        type: "import.completed",
        created: 0,
        unchanged: 0,
        annotations: 0,
      } as const;
      /** A write that stores the figures with it, as an import does, and `meanwhile` before commit. */
      const writeStoringFigures = (meanwhile: () => Promise<void>) =>
        db.transaction().execute(async (trx) => {
          const eventsBefore = await latestProjectEventId(trx, projectId);
          await recordProjectEvent(trx, projectId, importEvent);
          const stored = await storeFiguresWithWrite(trx, projectId, eventsBefore);
          await meanwhile();
          return stored;
        });

      const alone = await writeStoringFigures(async () => {});
      // The transaction read its own event under an id that changed at commit.
      expect(alone.fingerprint).not.toBe(await qualityFingerprint(db, projectId));
      expect(await confirmFiguresOfWrite(db, projectId, alone)).toBe(true);
      expect(await readStoredFingerprint(db, projectId)).toBe(
        await qualityFingerprint(db, projectId),
      );

      // Another write's event, committed while the first computed, leaves the figures unconfirmed.
      const overlapped = await writeStoringFigures(() =>
        db.transaction().execute((other) => recordProjectEvent(other, projectId, importEvent)),
      );
      expect(await confirmFiguresOfWrite(db, projectId, overlapped)).toBe(false);
      expect(await readStoredFingerprint(db, projectId)).toBe(overlapped.fingerprint);
      expect(overlapped.fingerprint).not.toBe(await qualityFingerprint(db, projectId));
      // So does one committed after it, before the check.
      const followed = await writeStoringFigures(async () => {});
      await importVerdictItems(server, cast.lead, projectId, [{ externalId: "after-the-write" }]);
      expect(await confirmFiguresOfWrite(db, projectId, followed)).toBe(false);
    },
  );

  it.runIf(onPostgres)(
    "are stored by the API's imports on PostgreSQL",
    async () => {
      const { db } = server.context;
      const projectId = await projectJustBelowSize();
      await importVerdictItems(server, cast.lead, projectId, [
        {
          externalId: "through-the-api",
          annotations: [{ annotator: cast.experts[0].email, label: { verdict: "safe" } }],
        },
      ]);
      const stored = await readStoredQuality<QualityFigures>(db, projectId);
      expect(stored?.fingerprint).toBe(await qualityFingerprint(db, projectId));
      expect(stored?.figures.view.project.labels).toBe(13);
    },
    60_000,
  );

  it("are patched right after the commit by a process that held those of the data before it", async () => {
    const { db } = server.context;
    const projectId = await projectJustBelowSize();
    const project = await loadProjectModel(db, projectId);
    expect((await qualityFigures(db, project, EXACT)).view.project.labels).toBe(12);
    const phases: string[] = [];

    await importItems(db, {
      projectId,
      actor: null,
      rows: [oneLabelledItem("patched-in")],
      qualityInTransaction: true,
      onProgress: ({ phase, done, total }) => {
        if (phase === "quality") phases.push(`${done}/${total}`);
      },
    });
    // The process holds the figures of the data as committed, as soon as the import returns:
    // patched with the one item, not computed from nothing in the import's transaction.
    const fingerprint = await qualityFingerprint(db, projectId);
    expect(projectQualityComputation.holds(db, projectId, fingerprint)).toBe(true);
    expect(phases).toEqual([`0/${AHEAD_ITEMS}`, `${AHEAD_ITEMS}/${AHEAD_ITEMS}`]);
    const patched = await qualityFigures(db, project, EXACT);
    expect(patched.view.project.labels).toBe(13);
    expect(patched).toEqual(await qualityFigures(freshProcess(), project, EXACT_SLOW));
  }, 60_000);

  it("fail without failing the import", async () => {
    const { db } = server.context;
    const projectId = await projectJustBelowSize();
    // The database refuses this project's figures, as it might refuse any write.
    await sql
      .raw(
        `create function refuse_figures() returns trigger language plpgsql as $$
           begin raise exception 'figures refused'; end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger refuse_figures before insert on quality_snapshots for each row
           when (new.project_id = ${projectId}) execute function refuse_figures()`,
      )
      .execute(db);
    const failures: unknown[] = [];
    try {
      const summary = await importItems(db, {
        projectId,
        actor: null,
        rows: [oneLabelledItem("stored-without-figures")],
        qualityInTransaction: true,
        onQualityError: (error) => failures.push(error),
      });
      expect(summary.created).toBe(1);
    } finally {
      await sql.raw("drop trigger refuse_figures on quality_snapshots").execute(db);
      await sql.raw("drop function refuse_figures()").execute(db);
    }
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toContain("figures refused");
    expect(await projectItemCount(db, projectId)).toBe(AHEAD_ITEMS);
    expect(await readStoredQuality(db, projectId)).toBeNull();
    const project = await loadProjectModel(db, projectId);
    expect((await qualityFigures(freshProcess(), project, EXACT)).view.project.labels).toBe(13);
  }, 60_000);
});

const EXACT_SLOW = { maxStaleMs: 0, slowComputationMs: 0 };

/** The shape of the stored figures of `labelledProject`, under the format they are stored in. */
const STORED_SHAPE = { format: 2, shape: "6f7727ae28d989b6" };

describe("the quality fingerprint", () => {
  const setRate = (userId: number, cents: number | null) =>
    server.context.db
      .updateTable("users")
      .set({ hourly_rate_cents: cents })
      .where("id", "=", userId)
      .execute();

  it("changes with the people who take part in the project, and with nobody else", async () => {
    const { db } = server.context;
    const projectId = await labelledProject();
    const before = await qualityFingerprint(db, projectId);

    // Someone new, and someone who never took part, change: the figures stay current.
    await server.createUserWithToken({
      email: `newcomer-${projectId}@example.test`,
      hourlyRate: 90,
    });
    await db
      .updateTable("users")
      .set({ hourly_rate_cents: 12_345 + projectId, name: `Renamed ${projectId}` })
      .where("id", "=", cast.outsider.id)
      .execute();
    expect(await qualityFingerprint(db, projectId)).toBe(before);

    // A member's rate is in the figures.
    const { hourly_rate_cents: rate } = await db
      .selectFrom("users")
      .select("hourly_rate_cents")
      .where("id", "=", cast.experts[0].id)
      .executeTakeFirstOrThrow();
    await setRate(cast.experts[0].id, (rate ?? 0) + 100);
    expect(await qualityFingerprint(db, projectId)).not.toBe(before);
    await setRate(cast.experts[0].id, rate);
    expect(await qualityFingerprint(db, projectId)).toBe(before);
  });

  it("counts everyone whose label, panel time or review time the project stores, member or not", async () => {
    const { db } = server.context;
    const projectId = await labelledProject();
    const item = await db
      .selectFrom("items")
      .innerJoin("annotations", "annotations.item_id", "items.id")
      .select(["items.id", "annotations.id as annotationId"])
      .where("items.project_id", "=", projectId)
      .orderBy("annotations.id")
      .executeTakeFirstOrThrow();
    const worker = async (role: string) =>
      (await server.createUserWithToken({ email: `${role}-${projectId}@example.test` })).userId;
    const [annotator, panelist, reviewer] = [
      await worker("annotator"),
      await worker("panelist"),
      await worker("reviewer"),
    ];
    const participants = async () =>
      (
        await db
          .selectFrom("project_participants")
          .select("user_id")
          .where("project_id", "=", projectId)
          .execute()
      ).map((row) => row.user_id);
    expect(await participants()).not.toContain(annotator);

    // Written straight into the tables: the triggers hold whichever path writes the rows (an
    // admin's label through the API, an import, a panel's publication).
    await db
      .insertInto("annotations")
      .values({ item_id: item.id, user_id: annotator, label: JSON.stringify({ verdict: "safe" }) })
      .execute();
    await db
      .insertInto("adjudications")
      .values({ item_id: item.id, version: 1, label: JSON.stringify({ verdict: "safe" }) })
      .execute();
    await db
      .insertInto("adjudication_time")
      .values({ item_id: item.id, version: 1, user_id: panelist, active_ms: 60_000 })
      .execute();
    const review = await db
      .insertInto("reviews")
      .values({ annotation_id: item.annotationId, project_id: projectId })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("review_time")
      .values({ review_id: review.id, user_id: reviewer, active_ms: 30_000 })
      .execute();

    expect(await participants()).toEqual(expect.arrayContaining([annotator, panelist, reviewer]));
    for (const person of [annotator, panelist, reviewer]) {
      const before = await qualityFingerprint(db, projectId);
      await setRate(person, 4_200);
      expect(await qualityFingerprint(db, projectId), `user ${person}`).not.toBe(before);
    }
  });
});
