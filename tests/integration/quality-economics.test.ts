import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { krippendorffAlphaInterval } from "../../app/domain/agreement.ts";
import { dawidSkene } from "../../app/domain/reliability.ts";
import { itemRoomName, setLabelValue } from "../../app/domain/room.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  doseSpan,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { waitFor } from "../setup/sync-client.ts";
import {
  importVerdictItems,
  labelAfterOneIdleThreshold,
  projectItemIds,
  verdictField,
} from "../setup/quality-fixture.ts";
import { streamEvents } from "../setup/server-sent-events.ts";

/**
 * Quality and cost figures of `GET /projects/:id/quality` and `…/progress`, on projects built
 * through the API, each figure worked out by hand below.
 *
 * Time: every label is reserved, its reservation moved ten minutes back, and submitted with no
 * activity in between, so the server measures exactly one idle threshold, 2 minutes
 * (120,000 ms), on each (decision 021). Rates (cents per hour) and so the cost of one label,
 * rate × 120,000 / 3,600,000 = rate / 30:
 *   expert1 6,000 → 200 · expert2 3,000 → 100 · junior 1,500 → 50 · lead 12,000 · expert4 none
 */
const MINUTES_10 = 10 * 60_000;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  const rates: Array<[Person, number | null, string[]?]> = [
    [cast.experts[0], 60],
    // Two domains: expert2 counts in both domain groups.
    [cast.experts[1], 30, ["legal", "medical"]],
    [cast.junior, 15],
    [cast.lead, 120],
    [cast.invited, null],
  ];
  for (const [person, hourlyRate, domains] of rates) {
    const changed = await cast.admin.api.patch(`/users/${person.id}`, {
      hourlyRate,
      ...(domains ? { domains } : {}),
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  }
});

afterAll(async () => {
  await server?.stop();
});

const verdictTemplate = {
  fields: [verdictField, { id: "notes", type: "text", label: "Notes" }],
};

/** A project whose items are labelled in import order, gold items last (gold rate 0). */
async function newProject(body: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  return createProject(
    cast,
    {
      template: verdictTemplate,
      ...body,
      settings: { goldRate: 0, juniorReview: { firstN: 0, rate: 0 }, ...settings },
    },
    { withJunior: true },
  );
}

function importItems(
  projectId: number,
  items: Array<{ externalId: string; gold?: Record<string, unknown> }>,
): Promise<Map<string, number>> {
  return importVerdictItems(server, cast.lead, projectId, items);
}

function itemIds(projectId: number): Promise<Map<string, number>> {
  return projectItemIds(server, projectId);
}

function label(person: Person, projectId: number, itemId: number, value: object) {
  return labelAfterOneIdleThreshold(server, person, projectId, itemId, value);
}

/** Wilson's 95 % score interval for k of n (the formula, z = Φ⁻¹(0.975)). */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [centre - half, centre + half];
}

function expectInterval(actual: unknown, expected: [number, number]) {
  expect(Array.isArray(actual)).toBe(true);
  const [lower, upper] = actual as [number, number];
  expect(lower).toBeCloseTo(expected[0], 12);
  expect(upper).toBeCloseTo(expected[1], 12);
}

interface Estimate {
  value: number | null;
  reason: string | null;
}

interface Accuracy {
  value: number | null;
  reason: string | null;
  ci: [number, number] | null;
  correct: number;
  scored: number;
  selfDecided?: number;
}

interface Economics {
  labels: number;
  activeMs: number;
  costCents?: Estimate;
  accuracyVsFinal: Accuracy;
  goldAccuracy: Accuracy;
  reliability: Estimate;
  costPerCorrectCents?: Estimate;
}

interface AnnotatorRef {
  id: number | null;
  name: string;
  level: string | null;
}

interface Quality {
  pseudonymised: boolean;
  costsShown: boolean;
  reliabilityModels: Array<{
    fieldId: string;
    classes: Array<string | number>;
    iterations: number;
    converged: boolean;
    reason: string | null;
    annotators: Array<{
      annotator: AnnotatorRef;
      labels: number;
      accuracy: number;
      confusion: number[][];
    }>;
  }>;
  agreement: Array<{
    fieldId: string;
    metric: string;
    level: string | null;
    alpha: number | null;
    reason: string | null;
    alphaCi: [number, number] | null;
    alphaCiReason: string | null;
    fleissKappa: Estimate;
    cohenKappa: Array<{
      a: AnnotatorRef;
      b: AnnotatorRef;
      items: number;
      unweighted: Estimate;
      linear: Estimate;
      quadratic: Estimate;
    }>;
    items: number;
    kendallW?: Estimate;
    spanF1?: { exact: Estimate; overlap: Estimate };
  }>;
  annotators: Array<
    Economics & {
      annotator: AnnotatorRef;
      level: string | null;
      domains: string[] | null;
      fields: Array<{ fieldId: string; accuracyVsFinal: Accuracy }>;
    }
  >;
  groups: {
    byLevel: Array<Economics & { key: string | null; people: number }>;
    byDomain: Array<Economics & { key: string | null; people: number }>;
  } | null;
  project: Economics & {
    panelMs: number;
    reviewMs: number;
    publishedItems: { items: number; costedItems: number };
    costPerPublishedItemCents?: Estimate;
  };
  fieldQuality: Array<{
    fieldId: string;
    accuracyVsFinal: Accuracy;
    goldAccuracy: Accuracy;
    costPerPublishedItemCents?: Estimate;
    costPerCorrectCents?: Estimate;
  }>;
}

async function qualityAs(person: Person, projectId: number): Promise<Quality> {
  const response = await person.api.get<{ quality: Quality }>(`/projects/${projectId}/quality`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.quality;
}

async function progressAs(person: Person, projectId: number) {
  const response = await person.api.get<{
    costCents?: Estimate;
    costPerPublishedItemCents?: Estimate;
  }>(`/projects/${projectId}/progress`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

interface StreamedProgress {
  byStatus: Record<string, number>;
  costCents?: Estimate;
  costPerPublishedItemCents?: Estimate;
}

/** The `progress` events of a project's event stream, as they arrive. */
function progressEvents(projectId: number, person: Person) {
  const received: StreamedProgress[] = [];
  const controller = new AbortController();
  const reading = (async () => {
    const response = await fetch(`${server.url}/api/v1/projects/${projectId}/events`, {
      headers: { Authorization: `Bearer ${person.token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    for await (const { event, data } of streamEvents(response.body!)) {
      if (event === "progress") received.push(data as StreamedProgress);
    }
  })().catch((error: unknown) => {
    if (!(error instanceof Error && error.name === "AbortError")) throw error;
  });
  return {
    async next(test: (progress: StreamedProgress) => boolean): Promise<StreamedProgress> {
      await waitFor(() => received.some(test), `a progress event for ${person.email}`, 15_000);
      return received.find(test)!;
    },
    close() {
      controller.abort();
      return reading;
    },
  };
}

const cents = (value: number): Estimate => ({ value, reason: null });
const none = (reason: string): Estimate => ({ value: null, reason });

/**
 * The main project: overlap 3, single choice `verdict` (majority: more than half) and free-text
 * `notes`; expert1 (E1), expert2 (E2) and the junior (J) label; the lead reviews and publishes.
 *
 *   i1: E1 safe, E2 safe, J safe      → consensus "safe". Leaving each out, the other two
 *                                        still settle on safe: 3 correct answers.
 *   i2: E1 safe, E2 unsafe, J safe    → consensus "safe" (2 of 3). E1 left out: E2 and J tie,
 *                                        so E1 is self-decided, J likewise; E2 against E1 + J
 *                                        (safe): wrong.
 *   i3: E1 safe, E2 unsafe, J unclear → disputed; the lead publishes "unsafe", which no set of
 *                                        labels or votes settles on: each against the final:
 *                                        E2 correct, E1 and J wrong.
 *   g1 (gold "unsafe"): E1 unsafe (correct), J safe (wrong).
 *   i4: E1 safe alone → still annotating: costed, not judged.
 *
 * Time beyond labels: the lead reviews J's label on i1 for one idle threshold (120,000 ms at
 * 12,000 → 400 cents); on i3's room the lead has 60,000 ms stored and the publish comes ten
 * minutes after their last instant, so one threshold more: 180,000 ms → 600 cents; E2 has
 * 90,000 ms stored → 3,000 × 90,000 / 3,600,000 = 75 cents.
 *
 *            labels  label ¢  panel ¢  review ¢  total ¢  final (c/s/self)  gold  judged ¢ / correct
 *   E1       5       1,000    0        0         1,000    1 / 2 / 1         1/1   800 / 2 → 400
 *   E2       3       300      75       0         375      2 / 3 / 0         —     300 / 2 → 150
 *   J        4       200      0        0         200      1 / 2 / 1         0/1   200 / 1 → 200
 *   lead     0       0        600      400       1,000    —                 —     —
 *   project  12                                  2,575    4 / 7 / 2         1/2   1,300 / 5 → 260
 *
 * Published items: i3 alone: labels 200 + 100 + 50, adjudication 600 + 75 → 1,025 per item;
 * split over the two fields 513 + 512. Judged cost per field 1,300 / 2 = 650 each; verdict has 5
 * correct answers → 130; notes is free text, not scored.
 */
describe("a project's quality and cost", () => {
  let projectId: number;
  const [e1, e2] = [0, 1];
  let ids: Map<string, number>;

  beforeAll(async () => {
    projectId = await newProject(
      { overlap: 3 },
      // The junior's first label goes to review; no other.
      { juniorReview: { firstN: 1, rate: 0 } },
    );
    const experts = cast.experts;
    ids = await importItems(projectId, [
      { externalId: "i1" },
      { externalId: "i2" },
      { externalId: "i3" },
      { externalId: "g1", gold: { verdict: "unsafe" } },
    ]);
    const rounds: Array<[string, string, string, string]> = [
      ["i1", "safe", "safe", "safe"],
      ["i2", "safe", "unsafe", "safe"],
      ["i3", "safe", "unsafe", "unclear"],
    ];
    for (const [item, first, second, junior] of rounds) {
      await label(experts[e1], projectId, ids.get(item)!, { verdict: first });
      await label(experts[e2], projectId, ids.get(item)!, { verdict: second });
      await label(cast.junior, projectId, ids.get(item)!, { verdict: junior });
    }
    await label(experts[e1], projectId, ids.get("g1")!, { verdict: "unsafe" });
    await label(cast.junior, projectId, ids.get("g1")!, { verdict: "safe" });
    const later = await importItems(projectId, [{ externalId: "i4" }]);
    await label(experts[e1], projectId, later.get("i4")!, { verdict: "safe" });
    ids = later;

    // The review of J's label on i1: a heartbeat, then the decision 10 minutes later.
    const review = await server.context.db
      .selectFrom("reviews")
      .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
      .select(["reviews.id", "reviews.annotation_id"])
      .where("reviews.project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect((await cast.lead.api.post(`/reviews/${review.id}/heartbeat`)).status).toBe(204);
    await server.context.db
      .updateTable("room_time")
      .set({ last_active_at: new Date(Date.now() - MINUTES_10) })
      .where("doc_name", "=", `review:${review.annotation_id}`)
      .execute();
    const decided = await cast.lead.api.post(`/reviews/${review.id}`, { verdict: "accept" });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    // i3's room: the sync server had stored the lead's and E2's time (as it does every few
    // seconds); the lead publishes "unsafe".
    const i3 = ids.get("i3")!;
    expect(
      (
        await server.context.db
          .selectFrom("items")
          .select("status")
          .where("id", "=", i3)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("disputed");
    await prepareItemRoom(server.context, i3);
    await server.context.rooms.applyServerUpdate(itemRoomName(i3), (doc) => {
      setLabelValue(doc, "verdict", "unsafe");
    });
    await server.context.db
      .insertInto("room_time")
      .values([
        {
          doc_name: itemRoomName(i3),
          user_id: cast.lead.id,
          active_ms: 60_000,
          last_active_at: new Date(Date.now() - MINUTES_10),
        },
        {
          doc_name: itemRoomName(i3),
          user_id: experts[e2].id,
          active_ms: 90_000,
          last_active_at: null,
        },
      ])
      .execute();
    const published = await cast.lead.api.post(`/items/${i3}/publish`, {});
    expect(published.status, JSON.stringify(published.body)).toBe(201);
  });

  it("costs each person's work at their rate and judges their labels against final labels and gold", async () => {
    const quality = await qualityAs(cast.lead, projectId);
    const byId = new Map(quality.annotators.map((entry) => [entry.annotator.id, entry]));
    const [expert1, expert2] = cast.experts;

    expect(byId.get(expert1.id)).toMatchObject({
      level: "expert",
      domains: ["medical"],
      labels: 5,
      activeMs: 5 * 120_000,
      costCents: cents(1_000),
      accuracyVsFinal: { value: 0.5, reason: null, correct: 1, scored: 2, selfDecided: 1 },
      goldAccuracy: { value: 1, reason: null, correct: 1, scored: 1 },
      costPerCorrectCents: cents(400),
    });
    expectInterval(byId.get(expert1.id)!.accuracyVsFinal.ci, wilson(1, 2));
    expectInterval(byId.get(expert1.id)!.goldAccuracy.ci, wilson(1, 1));

    expect(byId.get(expert2.id)).toMatchObject({
      domains: ["legal", "medical"],
      labels: 3,
      activeMs: 3 * 120_000,
      // 300 for labels + 75 for the room.
      costCents: cents(375),
      accuracyVsFinal: { value: 2 / 3, correct: 2, scored: 3, selfDecided: 0 },
      goldAccuracy: { value: null, reason: "no-data", ci: null },
      costPerCorrectCents: cents(150),
    });
    expectInterval(byId.get(expert2.id)!.accuracyVsFinal.ci, wilson(2, 3));

    expect(byId.get(cast.junior.id)).toMatchObject({
      level: "junior",
      labels: 4,
      costCents: cents(200),
      accuracyVsFinal: { value: 0.5, correct: 1, scored: 2, selfDecided: 1 },
      goldAccuracy: { value: 0, correct: 0, scored: 1 },
      costPerCorrectCents: cents(200),
    });
    expectInterval(byId.get(cast.junior.id)!.goldAccuracy.ci, wilson(0, 1));

    // The lead labelled nothing: panel 600 + review 400, and no accuracy to speak of.
    expect(byId.get(cast.lead.id)).toMatchObject({
      level: null,
      labels: 0,
      costCents: cents(1_000),
      accuracyVsFinal: { value: null, reason: "no-data", ci: null },
      costPerCorrectCents: none("no-data"),
      reliability: none("no-data"),
    });

    // Per field: only verdict is scored; E1's answers are those above.
    expect(byId.get(expert1.id)!.fields).toEqual([
      {
        fieldId: "verdict",
        accuracyVsFinal: expect.objectContaining({ correct: 1, scored: 2, selfDecided: 1 }),
      },
    ]);

    expect(quality.project).toMatchObject({
      labels: 12,
      costCents: cents(2_575),
      panelMs: 270_000,
      reviewMs: 120_000,
      accuracyVsFinal: { value: 4 / 7, correct: 4, scored: 7, selfDecided: 2 },
      goldAccuracy: { value: 0.5, correct: 1, scored: 2 },
      costPerCorrectCents: cents(260),
      publishedItems: { items: 1, costedItems: 1 },
      costPerPublishedItemCents: cents(1_025),
    });
    expectInterval(quality.project.accuracyVsFinal.ci, wilson(4, 7));

    expect(quality.fieldQuality).toEqual([
      expect.objectContaining({
        fieldId: "verdict",
        costPerPublishedItemCents: cents(513),
        costPerCorrectCents: cents(130),
      }),
      expect.objectContaining({
        fieldId: "notes",
        costPerPublishedItemCents: cents(512),
        costPerCorrectCents: none("not-scored"),
      }),
    ]);
  });

  it("rolls people up by level and by domain from their sums", async () => {
    const { groups } = await qualityAs(cast.lead, projectId);
    expect(groups).not.toBeNull();
    // expert: E1 + E2: 1,375 ¢; final 3 of 5 (1 self-decided); judged 1,100 ¢ / 4 correct = 275.
    expect(groups!.byLevel.map((group) => [group.key, group.people])).toEqual([
      ["expert", 2],
      ["junior", 1],
      [null, 1],
    ]);
    expect(groups!.byLevel[0]).toMatchObject({
      labels: 8,
      costCents: cents(1_375),
      accuracyVsFinal: { value: 3 / 5, correct: 3, scored: 5, selfDecided: 1 },
      goldAccuracy: { value: 1, correct: 1, scored: 1 },
      costPerCorrectCents: cents(275),
    });
    expectInterval(groups!.byLevel[0]!.accuracyVsFinal.ci, wilson(3, 5));
    expect(groups!.byLevel[1]).toMatchObject({
      costCents: cents(200),
      costPerCorrectCents: cents(200),
    });
    expect(groups!.byLevel[2]).toMatchObject({ costCents: cents(1_000) });

    // legal: E2 alone; medical: E1, E2 and J (1,575 ¢; 4 of 7; 1,300 ¢ / 5 = 260); none: lead.
    expect(groups!.byDomain.map((group) => [group.key, group.people])).toEqual([
      ["legal", 1],
      ["medical", 3],
      [null, 1],
    ]);
    expect(groups!.byDomain[0]).toMatchObject({
      costCents: cents(375),
      costPerCorrectCents: cents(150),
    });
    expect(groups!.byDomain[1]).toMatchObject({
      labels: 12,
      costCents: cents(1_575),
      accuracyVsFinal: { value: 4 / 7, correct: 4, scored: 7 },
      costPerCorrectCents: cents(260),
    });
  });

  it("gives reliability by Dawid–Skene, and alpha with its interval, Fleiss' and Cohen's kappas", async () => {
    const quality = await qualityAs(cast.lead, projectId);
    const [expert1, expert2] = cast.experts;

    // The model over the counted labels of the verdict field (gold left out; i4 included).
    const answers = [
      ["i1", expert1, "safe"],
      ["i1", expert2, "safe"],
      ["i1", cast.junior, "safe"],
      ["i2", expert1, "safe"],
      ["i2", expert2, "unsafe"],
      ["i2", cast.junior, "safe"],
      ["i3", expert1, "safe"],
      ["i3", expert2, "unsafe"],
      ["i3", cast.junior, "unclear"],
      ["i4", expert1, "safe"],
    ] as const;
    const model = dawidSkene(
      answers.map(([item, person, verdict]) => ({
        item: ids.get(item)!,
        annotator: person.id,
        label: verdict,
      })),
    ).value!;
    for (const reliability of model.annotators) {
      const entry = quality.annotators.find((row) => row.annotator.id === reliability.annotator)!;
      expect(entry.reliability.value).toBeCloseTo(reliability.accuracy, 12);
    }
    expect(
      quality.annotators.find((row) => row.annotator.id === expert1.id)!.reliability.value,
    ).toBeGreaterThan(0);
    // The same model's matrices, as the quality page draws them.
    const [matrices] = quality.reliabilityModels;
    expect(matrices).toMatchObject({
      fieldId: "verdict",
      classes: model.classes,
      iterations: model.iterations,
      converged: model.converged,
      reason: null,
    });
    expect(matrices!.annotators).toHaveLength(model.annotators.length);
    for (const reliability of model.annotators) {
      const entry = matrices!.annotators.find((row) => row.annotator.id === reliability.annotator)!;
      expect(entry).toMatchObject({ labels: reliability.labels, accuracy: reliability.accuracy });
      expect(entry.confusion).toEqual(reliability.confusion);
      for (const row of entry.confusion) {
        expect(row.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 9);
      }
    }

    // Nominal alpha over i1 [s,s,s], i2 [s,u,s], i3 [s,u,c] (n = 9; s 6, u 2, c 1):
    //   o(s,u) = o(u,s) = 1 + 0.5, o(s,c) = o(c,s) = o(u,c) = o(c,u) = 0.5; D_o = 5/9
    //   D_e = (81 − 36 − 4 − 1) / 72 = 5/9, so alpha = 0.
    const verdict = quality.agreement.find((field) => field.fieldId === "verdict")!;
    expect(verdict).toMatchObject({ metric: "alpha", level: "nominal", items: 3, reason: null });
    expect(verdict.alpha).toBeCloseTo(0, 12);
    const interval = krippendorffAlphaInterval(
      [
        ["safe", "safe", "safe"],
        ["safe", "unsafe", "safe"],
        ["safe", "unsafe", "unclear"],
      ],
      "nominal",
    ).value!;
    expect(verdict.alphaCi).toEqual([interval.lower, interval.upper]);
    expect(verdict.alphaCi![0]).toBeLessThanOrEqual(0);
    expect(verdict.alphaCi![1]).toBeGreaterThanOrEqual(0);
    // Fleiss over [3,0,0], [2,1,0], [1,1,1]: P̄ = (1 + 1/3 + 0)/3 = 4/9, P_e = 41/81,
    // kappa = (36/81 − 41/81) / (40/81) = −1/8.
    expect(verdict.fleissKappa.value).toBeCloseTo(-0.125, 12);
    // Cohen per pair over i1–i3: E1 sss vs E2 suu: p_o = 1/3 = p_e → 0; E1 vs J ssc: 0;
    // E2 suu vs J ssc: disagreement 2/3 against chance 7/9 → 1 − 6/7 = 1/7. Categories have no
    // distances, so the weighted kappas are undefined.
    expect(
      verdict.cohenKappa.map((pair) => [
        pair.a.name,
        pair.b.name,
        pair.items,
        pair.unweighted.value,
      ]),
    ).toEqual([
      ["expert1", "expert2", 3, expect.closeTo(0, 12)],
      ["expert1", "junior", 3, expect.closeTo(0, 12)],
      ["expert2", "junior", 3, expect.closeTo(1 / 7, 12)],
    ]);
    expect(verdict.cohenKappa[0]!.linear).toEqual(none("non-numeric-values"));
    expect(verdict.cohenKappa[0]!.quadratic).toEqual(none("non-numeric-values"));
  });

  it("reports the cost so far and per published item with the progress", async () => {
    const progress = await progressAs(cast.lead, projectId);
    expect(progress.costCents).toEqual(cents(2_575));
    expect(progress.costPerPublishedItemCents).toEqual(cents(1_025));
  });

  it("streams the costs with the progress to those who may see them", async () => {
    const lead = progressEvents(projectId, cast.lead);
    const client = progressEvents(projectId, cast.client);
    try {
      // Each stream's first event comes before the new item; the item changes the progress,
      // so each stream's poll sends it again as its audience sees it: the lead with the costs,
      // the client (costs not shown) without.
      await Promise.all([
        lead.next((progress) => progress.byStatus.queued === 0),
        client.next((progress) => progress.byStatus.queued === 0),
      ]);
      await importItems(projectId, [{ externalId: "i5" }]);
      const [forLead, forClient] = await Promise.all([
        lead.next((progress) => progress.byStatus.queued === 1),
        client.next((progress) => progress.byStatus.queued === 1),
      ]);
      expect(forLead).toMatchObject({
        costCents: cents(2_575),
        costPerPublishedItemCents: cents(1_025),
      });
      expect(forClient).not.toHaveProperty("costCents");
      expect(forClient).not.toHaveProperty("costPerPublishedItemCents");
    } finally {
      lead.close();
      client.close();
    }
  });

  it("shows a pseudonymising client no person, level, domain, rate or cost unless the project allows costs", async () => {
    const quality = await qualityAs(cast.client, projectId);
    expect(quality.pseudonymised).toBe(true);
    expect(quality.costsShown).toBe(false);
    expect(quality.groups).toBeNull();
    for (const entry of quality.reliabilityModels.flatMap((model) => model.annotators)) {
      expect(entry.annotator.id).toBeNull();
      expect(entry.annotator.name).toMatch(/^Annotator [A-Z]$/);
    }
    for (const entry of quality.annotators) {
      expect(entry.annotator.id).toBeNull();
      expect(entry.annotator.level).toBeNull();
      expect(entry.level).toBeNull();
      expect(entry.domains).toBeNull();
      expect(entry).not.toHaveProperty("costCents");
      expect(entry).not.toHaveProperty("costPerCorrectCents");
    }
    expect(quality.annotators.map((entry) => entry.annotator.name).sort()).toEqual([
      "Annotator A",
      "Annotator B",
      "Annotator E",
      "lead",
    ]);
    const pairs = quality.agreement.flatMap((field) => field.cohenKappa);
    expect(pairs.length).toBe(3);
    for (const pair of pairs) expect([pair.a.id, pair.b.id]).toEqual([null, null]);
    expect(quality.project).not.toHaveProperty("costCents");
    expect(quality.project).not.toHaveProperty("costPerPublishedItemCents");
    for (const field of quality.fieldQuality)
      expect(field).not.toHaveProperty("costPerCorrectCents");
    const json = JSON.stringify(quality);
    for (const person of [...cast.experts, cast.junior]) {
      expect(json).not.toContain(`"name":"${person.email.split("@")[0]}"`);
    }
    expect(json).not.toMatch(/hourly|ratecents/i);
    expect(json).not.toMatch(/"(expert|junior|medical|legal)"/);
    const progress = await progressAs(cast.client, projectId);
    expect(progress).not.toHaveProperty("costCents");
    expect(progress).not.toHaveProperty("costPerPublishedItemCents");
    // Without the costs, the times are there: they give nothing away on their own.
    expect(quality.project.activeMs).toBeGreaterThan(0);
    expect(JSON.stringify(progress)).toMatch(/"meanDurationMs":\d/);

    const allowed = await cast.lead.api.patch(`/projects/${projectId}`, {
      settings: {
        goldRate: 0,
        juniorReview: { firstN: 1, rate: 0 },
        showCostsToClients: true,
      },
    });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    const withCosts = await qualityAs(cast.client, projectId);
    expect(withCosts.costsShown).toBe(true);
    expect(withCosts.project.costCents).toEqual(cents(2_575));
    expect(withCosts.project.costPerPublishedItemCents).toEqual(cents(1_025));
    expect(withCosts.fieldQuality[0]!.costPerCorrectCents).toEqual(cents(130));
    // Still no person's cost: next to their measured time it would give their rate away.
    for (const entry of withCosts.annotators) expect(entry).not.toHaveProperty("costCents");
    expect(JSON.stringify(withCosts)).not.toMatch(/hourly|ratecents/i);
    // Nor any time: the cost rising by one label's, next to the time it took, is its
    // annotator's rate.
    expect(JSON.stringify(withCosts)).not.toMatch(/activeMs|panelMs|reviewMs/);
    const progressWithCosts = await progressAs(cast.client, projectId);
    expect(progressWithCosts).toMatchObject({
      costCents: cents(2_575),
      costPerPublishedItemCents: cents(1_025),
    });
    for (const annotator of (progressWithCosts as { annotators: Array<Record<string, unknown>> })
      .annotators) {
      expect(annotator).toMatchObject({ meanDurationMs: null, meanGoldDurationMs: null });
    }
    // The lead still sees both.
    const asLead = await qualityAs(cast.lead, projectId);
    expect(asLead.project.activeMs).toBeGreaterThan(0);
  });

  it("keeps what finished work cost when rates change, and costs new work at the new rate", async () => {
    const [expert1] = cast.experts;
    const setRate = async (person: Person, hourlyRate: number) => {
      const changed = await cast.admin.api.patch(`/users/${person.id}`, { hourlyRate });
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    };
    // Doubled: E1's five labels (1,000), the lead's room time and review (600 + 400).
    await setRate(expert1, 120);
    await setRate(cast.lead, 240);
    try {
      const quality = await qualityAs(cast.lead, projectId);
      const byId = new Map(quality.annotators.map((entry) => [entry.annotator.id, entry]));
      expect(byId.get(expert1.id)!.costCents).toEqual(cents(1_000));
      expect(byId.get(cast.lead.id)!.costCents).toEqual(cents(1_000));
      expect(quality.project.costCents).toEqual(cents(2_575));
      expect(quality.project.costPerPublishedItemCents).toEqual(cents(1_025));
      expect((await progressAs(cast.lead, projectId)).costCents).toEqual(cents(2_575));

      // A label submitted now costs the new rate: 12,000 × 120,000 / 3,600,000 = 400 cents. The
      // queue offers E1 what they have not labelled, i5 (imported above) before the new i6.
      await importItems(projectId, [{ externalId: "i6" }]);
      const open = [...(await itemIds(projectId))]
        .filter(([externalId]) => externalId === "i5" || externalId === "i6")
        .map(([, id]) => id)
        .sort((a, b) => a - b);
      for (const itemId of open) await label(expert1, projectId, itemId, { verdict: "safe" });
      const after = await qualityAs(cast.lead, projectId);
      const expert1After = after.annotators.find((entry) => entry.annotator.id === expert1.id);
      expect(expert1After!.costCents).toEqual(cents(1_000 + 400 * open.length));
      expect(after.project.costCents).toEqual(cents(2_575 + 400 * open.length));
      expect((await progressAs(cast.lead, projectId)).costCents).toEqual(
        cents(2_575 + 400 * open.length),
      );
    } finally {
      await setRate(expert1, 60);
      await setRate(cast.lead, 120);
    }
  });
});

describe("versions without a panel's measured time", () => {
  it("cost nothing when published automatically, and leave the item uncosted when only a wall clock was kept", async () => {
    const projectId = await newProject({ overlap: 2, autoPublishConsensus: true });
    const ids = await importItems(projectId, [{ externalId: "agreed" }]);
    await label(cast.experts[0], projectId, ids.get("agreed")!, { verdict: "safe" });
    await label(cast.experts[1], projectId, ids.get("agreed")!, { verdict: "safe" });
    // Published automatically (no publisher, nobody in a room): the labels alone, 200 + 100.
    const automatic = await qualityAs(cast.lead, projectId);
    expect(automatic.project).toMatchObject({
      costCents: cents(300),
      publishedItems: { items: 1, costedItems: 1 },
      costPerPublishedItemCents: cents(300),
      unmeasured: { versions: 0, reviews: 0 },
    });

    // A second version, as a lead's from before time was measured per person kept it: only a
    // wall clock. Its panel's time is unknown, so the item has no full cost and the mean no item.
    await server.context.db
      .insertInto("adjudications")
      .values({
        item_id: ids.get("agreed")!,
        version: 2,
        label: JSON.stringify({ verdict: "safe" }),
        published_by: cast.lead.id,
        time_spent_ms: 60_000,
        time_spent_kind: "wall_clock",
      })
      .execute();
    // A publish sets its item's `updated_at` in the same transaction, which is what tells the
    // kept figures that they are out of date.
    await server.context.db
      .updateTable("items")
      .set({ updated_at: new Date() })
      .where("id", "=", ids.get("agreed")!)
      .execute();
    const unmeasured = await qualityAs(cast.lead, projectId);
    expect(unmeasured.project).toMatchObject({
      costCents: cents(300),
      publishedItems: { items: 1, costedItems: 0 },
      costPerPublishedItemCents: none("no-time"),
      unmeasured: { versions: 1, reviews: 0 },
    });
  });
});

describe("figures that cannot be computed", () => {
  it("are null with a reason on a project without labels, and the request succeeds", async () => {
    const projectId = await newProject({ overlap: 2 });
    await importItems(projectId, [{ externalId: "unlabelled" }]);
    const quality = await qualityAs(cast.lead, projectId);
    expect(quality.agreement).toEqual([
      expect.objectContaining({
        fieldId: "verdict",
        alpha: null,
        reason: "no-data",
        alphaCi: null,
        alphaCiReason: "no-data",
        fleissKappa: none("no-data"),
        cohenKappa: [],
        items: 0,
      }),
    ]);
    expect(quality.annotators).toEqual([]);
    expect(quality.project).toMatchObject({
      labels: 0,
      costCents: none("no-data"),
      accuracyVsFinal: { value: null, reason: "no-data", ci: null },
      goldAccuracy: { value: null, reason: "no-data", ci: null },
      reliability: none("no-data"),
      costPerCorrectCents: none("no-data"),
      costPerPublishedItemCents: none("no-data"),
    });
    expect(await progressAs(cast.lead, projectId)).toMatchObject({
      costCents: none("no-data"),
      costPerPublishedItemCents: none("no-data"),
    });

    // The figures kept from the request above give way to the first label: 200 cents.
    const ids = await itemIds(projectId);
    await label(cast.experts[0], projectId, ids.get("unlabelled")!, { verdict: "safe" });
    const labelled = await qualityAs(cast.lead, projectId);
    expect(labelled.project).toMatchObject({ labels: 1, costCents: cents(200) });
  });

  it("are null with a reason with one annotator, a field nobody filled, or a missing rate", async () => {
    const projectId = await newProject({
      overlap: 1,
      template: {
        fields: [
          ...verdictTemplate.fields,
          { id: "score", type: "rating", label: "Score", min: 1, max: 5 },
        ],
      },
    });
    const ids = await importItems(projectId, [{ externalId: "alone" }]);
    // expert4 has no rate.
    await label(cast.invited, projectId, ids.get("alone")!, { verdict: "safe" });
    const quality = await qualityAs(cast.lead, projectId);
    const byField = new Map(quality.agreement.map((field) => [field.fieldId, field]));
    expect(byField.get("verdict")).toMatchObject({
      alpha: null,
      reason: "single-annotator",
      alphaCi: null,
      fleissKappa: none("single-annotator"),
      cohenKappa: [],
    });
    expect(byField.get("score")).toMatchObject({ alpha: null, reason: "no-data" });
    const [alone] = quality.annotators;
    expect(alone).toMatchObject({
      annotator: { id: cast.invited.id },
      labels: 1,
      activeMs: 120_000,
      costCents: none("missing-rate"),
      // The consensus is this label alone: nobody else settles on anything.
      accuracyVsFinal: { value: null, reason: "self-decided", ci: null, selfDecided: 1 },
      costPerCorrectCents: none("missing-rate"),
      reliability: none("single-annotator"),
    });
    expect(quality.project.costCents).toEqual(none("missing-rate"));
    expect(await progressAs(cast.lead, projectId)).toMatchObject({
      costCents: none("missing-rate"),
      costPerPublishedItemCents: none("no-data"),
    });

    // A rate given later counts at once: 4,500 × 120,000 / 3,600,000 = 150 cents.
    const rated = await cast.admin.api.patch(`/users/${cast.invited.id}`, { hourlyRate: 45 });
    expect(rated.status, JSON.stringify(rated.body)).toBe(200);
    try {
      expect((await qualityAs(cast.lead, projectId)).project.costCents).toEqual(cents(150));
      expect((await progressAs(cast.lead, projectId)).costCents).toEqual(cents(150));
    } finally {
      await cast.admin.api.patch(`/users/${cast.invited.id}`, { hourlyRate: null });
    }
  });

  it("are null with a reason when everyone gave the same value", async () => {
    const projectId = await newProject({ overlap: 2 });
    const ids = await importItems(projectId, [{ externalId: "same-1" }, { externalId: "same-2" }]);
    for (const item of ["same-1", "same-2"]) {
      await label(cast.experts[0], projectId, ids.get(item)!, { verdict: "safe" });
      await label(cast.experts[1], projectId, ids.get(item)!, { verdict: "safe" });
    }
    const quality = await qualityAs(cast.lead, projectId);
    expect(quality.agreement[0]).toMatchObject({
      alpha: null,
      reason: "no-variation",
      alphaCi: null,
      alphaCiReason: "no-variation",
      fleissKappa: none("no-variation"),
      items: 2,
    });
    expect(quality.agreement[0]!.cohenKappa.map((pair) => pair.unweighted)).toEqual([
      none("no-variation"),
    ]);
    // Each answer is compared with the other's: 2 of 2 right, 200 + 200 cents / 2 = 200 each
    // for expert1, 100 + 100 / 2 = 100 for expert2.
    const expert1 = quality.annotators.find((row) => row.annotator.id === cast.experts[0].id)!;
    expect(expert1).toMatchObject({
      accuracyVsFinal: { value: 1, correct: 2, scored: 2 },
      costPerCorrectCents: cents(200),
      reliability: none("no-variation"),
    });
    expectInterval(expert1.accuracyVsFinal.ci, wilson(2, 2));
  });
});

/**
 * Agreement for sets of options, rankings and spans; overlap 2, expert1 (E1) and expert2 (E2).
 *   tags (multiple choice): i1 {a,b} {a,b}; i2 {a} {a,c}
 *     MASI δ: {a}–{a,c} nested, J = 1/2 → 2/3; {a,b}–{a} 2/3; {a,b}–{a,c} J = 1/3, M = 1/3 → 8/9
 *     D_o = 2 · 2/3 / 4 = 1/3; D_e = 2 (2·1·2/3 + 2·1·8/9 + 1·1·2/3) / 12 = 17/27
 *     alpha = 1 − 9/17 = 8/17. Fleiss over whole sets: [2,0,0], [0,1,1] → P̄ 1/2, P_e 3/8 →
 *     0.2. Cohen: sets differ on i2 only: 1 − (1/2)/(3/4) = 1/3.
 *   order (ranking of a, b): i1 [a,b] [a,b]; i2 [a,b] [b,a]
 *     ranks per response: [1,1], [2,2], [1,2], [2,1]: two values, so ordinal = nominal:
 *     D_o = 4/8, D_e = 2·4·4/56 = 4/7, alpha = 1 − 7/8 = 1/8. Kendall's W: i1 1, i2 0 → 0.5.
 *   errors (spans): i1 the same span, F1 1; i2 a span against none, F1 0 → 0.5 either way.
 */
describe("agreement on sets, rankings and spans", () => {
  it("names what it measured and gives the figures", async () => {
    const projectId = await newProject({
      overlap: 2,
      template: {
        fields: [
          { id: "tags", type: "choice", label: "Tags", options: ["a", "b", "c"], multiple: true },
          { id: "order", type: "ranking", label: "Order" },
          { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
        ],
      },
    });
    const ids = await importItems(projectId, [{ externalId: "r1" }, { externalId: "r2" }]);
    const [expert1, expert2] = cast.experts;
    await label(expert1, projectId, ids.get("r1")!, {
      tags: ["a", "b"],
      order: ["a", "b"],
      errors: [doseSpan],
    });
    await label(expert2, projectId, ids.get("r1")!, {
      tags: ["b", "a"],
      order: ["a", "b"],
      errors: [doseSpan],
    });
    await label(expert1, projectId, ids.get("r2")!, {
      tags: ["a"],
      order: ["a", "b"],
      errors: [doseSpan],
    });
    await label(expert2, projectId, ids.get("r2")!, { tags: ["a", "c"], order: ["b", "a"] });

    const quality = await qualityAs(cast.lead, projectId);
    const byField = new Map(quality.agreement.map((field) => [field.fieldId, field]));
    const tags = byField.get("tags")!;
    expect(tags).toMatchObject({
      metric: "alpha-masi",
      level: null,
      items: 2,
      alphaCi: null,
      alphaCiReason: "other-metric",
    });
    expect(tags.alpha).toBeCloseTo(8 / 17, 12);
    expect(tags.fleissKappa.value).toBeCloseTo(0.2, 12);
    expect(tags.cohenKappa[0]!.unweighted.value).toBeCloseTo(1 / 3, 12);

    const order = byField.get("order")!;
    expect(order).toMatchObject({ metric: "alpha-ranks", level: "ordinal", items: 2 });
    expect(order.alpha).toBeCloseTo(1 / 8, 12);
    expect(order.alphaCi).toHaveLength(2);
    expect(order.kendallW!.value).toBeCloseTo(0.5, 12);
    expect(order.fleissKappa.value).toBeCloseTo(0, 12);
    expect(order.cohenKappa.map((pair) => pair.items)).toEqual([2]);

    const errors = byField.get("errors")!;
    expect(errors).toMatchObject({
      metric: "span-f1",
      level: null,
      items: 2,
      alpha: null,
      reason: "other-metric",
      fleissKappa: none("other-metric"),
    });
    expect(errors.spanF1!.exact.value).toBeCloseTo(0.5, 12);
    expect(errors.spanF1!.overlap.value).toBeCloseTo(0.5, 12);
  });
});
