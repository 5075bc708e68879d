import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectItemCount } from "../../server/services/items.ts";
import { loadProjectModel } from "../../server/services/project-model.ts";
import { fieldAgreements } from "../../server/services/quality-agreement.ts";
import { keeper, projectQualityComputation } from "../../server/services/quality-economics.ts";
import { categoricalModels } from "../../server/services/quality-models.ts";
import { createCast, type Cast } from "../setup/adjudication.ts";
import { createVerdictProject, importVerdictItems } from "../setup/quality-fixture.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

/** Noon (UTC) `daysAgo` days before today, and its day as `YYYY-MM-DD`. */
function noon(daysAgo: number): { at: string; day: string } {
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const instant = new Date(today - daysAgo * DAY_MS + 12 * 60 * 60 * 1000);
  return { at: instant.toISOString(), day: instant.toISOString().slice(0, 10) };
}

async function newProject(): Promise<number> {
  return createVerdictProject(cast, 2);
}

interface Day {
  day: string;
  items: number;
  alpha: Array<{ fieldId: string; value: number | null; reason: string | null }>;
  accuracyVsFinal: { value: number | null; reason: string | null; correct: number; scored: number };
}

/** The verdicts of the first two experts, given on `day` (the second's on `secondDay`). */
function expertLabels(day: string, first: string, second: string, secondDay = day) {
  const [one, two] = cast.experts;
  return [
    { annotator: one.email, label: { verdict: first }, submittedAt: day },
    { annotator: two.email, label: { verdict: second }, submittedAt: secondDay },
  ];
}

describe("quality over time", () => {
  it("buckets items by the day of their latest label: alpha and accuracy worked by hand", async () => {
    const projectId = await newProject();
    const twoDaysAgo = noon(2);
    const yesterday = noon(1);
    const today = noon(0);
    await importVerdictItems(server, cast.lead, projectId, [
      // Two days ago: both items agree (consensus).
      { externalId: "a", annotations: expertLabels(twoDaysAgo.at, "safe", "safe") },
      { externalId: "b", annotations: expertLabels(twoDaysAgo.at, "unsafe", "unsafe") },
      // Yesterday: one disputed item (no final label) and one consensus; item e's first label
      // was two days ago, its latest yesterday, so it counts yesterday.
      { externalId: "c", annotations: expertLabels(yesterday.at, "safe", "unsafe") },
      { externalId: "d", annotations: expertLabels(yesterday.at, "safe", "safe") },
      { externalId: "e", annotations: expertLabels(twoDaysAgo.at, "safe", "safe", yesterday.at) },
      // Gold items are left out of both figures.
      {
        externalId: "g",
        gold: { verdict: "unsafe" },
        annotations: expertLabels(twoDaysAgo.at, "safe", "safe"),
      },
    ]);

    const response = await cast.lead.api.get<{ quality: { overTime: Day[] } }>(
      `/projects/${projectId}/quality`,
    );
    expect(response.status).toBe(200);
    const days = response.body.quality.overTime;
    expect(days).toHaveLength(30);
    expect(days.at(-1)!.day).toBe(today.day);
    const byDay = new Map(days.map((day) => [day.day, day]));

    // Two days ago, units {safe, safe} and {unsafe, unsafe}: no disagreement, alpha 1. Each
    // label is judged against what the other label settles on (leave-one-out): 4 of 4.
    expect(byDay.get(twoDaysAgo.day)).toEqual({
      day: twoDaysAgo.day,
      items: 2,
      alpha: [{ fieldId: "verdict", value: 1, reason: null }],
      accuracyVsFinal: { value: 1, reason: null, correct: 4, scored: 4 },
    });
    // Yesterday, units {safe, unsafe}, {safe, safe}, {safe, safe}: n = 6, n_safe = 5,
    // n_unsafe = 1; observed disagreement 2/6, expected 2·5·1/(6·5) = 1/3; alpha = 1 − 1 = 0.
    // Accuracy: c has no final label (disputed), d and e give 4 of 4.
    const yesterdayFigures = byDay.get(yesterday.day)!;
    expect(yesterdayFigures.items).toBe(3);
    expect(yesterdayFigures.alpha[0]!.value).toBeCloseTo(0, 12);
    expect(yesterdayFigures.accuracyVsFinal).toEqual({
      value: 1,
      reason: null,
      correct: 4,
      scored: 4,
    });
    // Today nothing was labelled: null figures with their reason, never NaN or zero.
    expect(byDay.get(today.day)).toEqual({
      day: today.day,
      items: 0,
      alpha: [{ fieldId: "verdict", value: null, reason: "no-data" }],
      accuracyVsFinal: { value: null, reason: "no-data", correct: 0, scored: 0 },
    });
    expect(JSON.stringify(days)).not.toContain("NaN");

    // A client sees the same series (it names no one).
    const asClient = await cast.client.api.get<{ quality: { overTime: Day[] } }>(
      `/projects/${projectId}/quality`,
    );
    expect(asClient.status).toBe(200);
    expect(asClient.body.quality.overTime).toEqual(days);
  });
});

describe("kept quality figures", () => {
  it("count the parts computed on first use as computing, and complete them behind a request", async () => {
    const projectId = await newProject();
    const { db } = server.context;
    const project = await loadProjectModel(db, projectId);
    const item = (externalId: string) => ({
      externalId,
      annotations: expertLabels(noon(0).at, "safe", "safe"),
    });
    await importVerdictItems(server, cast.lead, projectId, [item("first")]);
    const counted = keeper(
      async (database, model) => ({
        items: await projectItemCount(database, model.id),
        completed: false,
      }),
      {
        complete: async (figures) => {
          figures.completed = true;
        },
        // The figures compute in milliseconds, but their parts took seconds on first use.
        spentMs: () => 5_000,
      },
    );
    const bound = { maxStaleMs: 60_000 };
    const first = await counted(db, project, bound);
    expect(first).toEqual({ items: 1, completed: false });

    // Slow with its parts, so the kept figures are answered while the next ones compute behind,
    // and those come with every part computed.
    await importVerdictItems(server, cast.lead, projectId, [item("second")]);
    expect(await counted(db, project, bound)).toBe(first);
    let latest = first;
    while (latest.items !== 2) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      latest = await counted(db, project, bound);
    }
    expect(latest).toEqual({ items: 2, completed: true });
  });

  it("never keep a request within the bound waiting for more than half a second of computation", async () => {
    const projectId = await newProject();
    const { db } = server.context;
    const project = await loadProjectModel(db, projectId);
    const item = (externalId: string) => ({
      externalId,
      annotations: expertLabels(noon(0).at, "safe", "safe"),
    });
    await importVerdictItems(server, cast.lead, projectId, [item("first")]);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const takingMs = (ms: number) =>
      keeper(async (database, model) => {
        await pause(ms);
        return { items: await projectItemCount(database, model.id) };
      });
    // A project whose figures take 0.6 s to compute (the old threshold was a second).
    const slow = takingMs(600);
    const quick = takingMs(0);
    const bound = { maxStaleMs: 60_000 };
    expect(await slow(db, project, bound)).toEqual({ items: 1 });
    expect(await quick(db, project, bound)).toEqual({ items: 1 });
    await importVerdictItems(server, cast.lead, projectId, [item("second")]);
    // The slow one answers with the kept figures while it computes behind; the quick one is exact.
    expect(await slow(db, project, bound)).toEqual({ items: 1 });
    expect(await quick(db, project, bound)).toEqual({ items: 2 });
    let latest = { items: 1 };
    while (latest.items !== 2) {
      await pause(100);
      latest = await slow(db, project, bound);
    }
  });

  it("may lag a change by at most the bound, and show it once the bound has passed", async () => {
    const projectId = await newProject();
    const { db } = server.context;
    const project = await loadProjectModel(db, projectId);
    const item = (externalId: string) => ({
      externalId,
      annotations: expertLabels(noon(0).at, "safe", "safe"),
    });
    await importVerdictItems(server, cast.lead, projectId, [item("first")]);
    // Every computation counts as slow here, so that kept figures may be served stale.
    const bound = { maxStaleMs: 1_500, slowComputationMs: 0 };
    const labelsNow = async () =>
      (await projectQualityComputation(db, project, bound)).data.labels.length;
    expect(await labelsNow()).toBe(2);

    await importVerdictItems(server, cast.lead, projectId, [item("second")]);
    const changedAt = Date.now();
    // Within the bound the kept figures may still be answered; once it has passed since the
    // data were last seen unchanged, the answer must show the change.
    let seen = await labelsNow();
    while (seen !== 4) {
      expect(Date.now() - changedAt).toBeLessThan(bound.maxStaleMs + 1_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await labelsNow();
    }
    await new Promise((resolve) => setTimeout(resolve, bound.maxStaleMs + 100));
    expect(await labelsNow()).toBe(4);
    // Computed behind a request, a step at a time: the same figures as computed at once.
    const behind = await projectQualityComputation(db, project, bound);
    expect(behind.agreements()).toEqual(fieldAgreements(project, behind.data.labels));
    expect(behind.models()).toEqual(categoricalModels(project.template, behind.data.labels));

    // Exact by default: a change is in the very next answer.
    await importVerdictItems(server, cast.lead, projectId, [item("third")]);
    expect((await projectQualityComputation(db, project)).data.labels.length).toBe(6);
  });

  it("are kept within the bound behind a quiet spell, for a while after a request", async () => {
    const projectId = await newProject();
    const { db } = server.context;
    const project = await loadProjectModel(db, projectId);
    const item = (externalId: string) => ({
      externalId,
      annotations: expertLabels(noon(0).at, "safe", "unsafe"),
    });
    await importVerdictItems(server, cast.lead, projectId, [item("first")]);
    // Each computation is counted, so that one the request did not start is told apart.
    const computed: number[] = [];
    const counted = keeper(async (database, model) => {
      const items = await projectItemCount(database, model.id);
      computed.push(items);
      return { items, computation: computed.length };
    });
    const stopped = new AbortController();
    const bound = {
      maxStaleMs: 400,
      slowComputationMs: 0,
      refreshUntil: stopped.signal,
      refreshForMs: 3_000,
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    expect(await counted(db, project, bound)).toEqual({ items: 1, computation: 1 });

    // A change and a quiet spell longer than the bound: the figures were computed behind it, and
    // the next request is answered with them, not by a computation of its own.
    await importVerdictItems(server, cast.lead, projectId, [item("second")]);
    await pause(1_000);
    expect(computed).toEqual([1, 2]);
    expect(await counted(db, project, bound)).toEqual({ items: 2, computation: 2 });
    // Nothing changed: nothing computed.
    await pause(1_000);
    expect(computed).toEqual([1, 2]);

    // Past the time it is kept fresh for after the last request, a change waits for a request.
    await pause(3_000);
    await importVerdictItems(server, cast.lead, projectId, [item("third")]);
    await pause(1_000);
    expect(computed).toEqual([1, 2]);
    expect(await counted(db, project, bound)).toEqual({ items: 3, computation: 3 });

    // Nor after the signal (the server's closing) has aborted.
    stopped.abort();
    await importVerdictItems(server, cast.lead, projectId, [item("fourth")]);
    await pause(1_000);
    expect(computed).toEqual([1, 2, 3]);
  });
});
