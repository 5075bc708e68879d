import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectModel } from "../../server/services/project-model.ts";
import {
  projectEventView,
  recordProjectEvent,
  type EventPeople,
} from "../../server/services/project-events.ts";
import { settleItems } from "../../server/services/settle.ts";
import { apiClient, expectApiError, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { within } from "../setup/sync-client.ts";
import { streamEvents } from "../setup/server-sent-events.ts";

interface ServerSentEvent {
  id: number;
  event: string;
  data: unknown;
  /** When it arrived (Date.now()). */
  at: number;
}

/** The stream's events that come from the project's event log, not its snapshots. */
const logged = (event: ServerSentEvent) => !["progress", "quality", "error"].includes(event.event);

/**
 * A client of `GET /projects/:id/events` that collects the events as they arrive, resuming
 * after `lastEventId` when given.
 */
function openEventStream(
  server: TestServer,
  projectId: number,
  token: string,
  lastEventId?: string,
) {
  const events: ServerSentEvent[] = [];
  const controller = new AbortController();
  let onEvent = () => {};
  const ended = (async () => {
    const response = await fetch(`${server.url}/api/v1/projects/${projectId}/events`, {
      headers: {
        Authorization: `Bearer ${token}`,
        ...(lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId }),
      },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    for await (const { id, event, data } of streamEvents(response.body!)) {
      events.push({ id: Number(id), event, data, at: Date.now() });
      onEvent();
    }
  })().catch((error: unknown) => {
    if (!(error instanceof Error && error.name === "AbortError")) throw error;
  });
  return {
    events,
    ended,
    /** Resolves with the first event from index `from` on that satisfies the test. */
    async next(test: (event: ServerSentEvent) => boolean, from = 0): Promise<ServerSentEvent> {
      for (;;) {
        const found = events.slice(from).find(test);
        if (found) return found;
        await within(new Promise<void>((resolve) => (onEvent = resolve)), "the next event");
      }
    },
    /** The logged events received so far. */
    logged: () => events.filter(logged),
    close: () => controller.abort(),
  };
}

type EventStream = ReturnType<typeof openEventStream>;

type Viewer = "lead" | "client" | "admin" | "annotator";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const template = {
  fields: [
    { id: "verdict", type: "choice", label: "Verdict", options: ["ok", "bad"], required: true },
    { id: "note", type: "text", label: "Note" },
  ],
};

interface Person {
  id: number;
  email: string;
  name: string;
  token: string;
  api: ApiClient;
}

let server: TestServer;
let admin: Person;
let people = 0;
let items = 0;

async function person(extra: Record<string, unknown> = {}): Promise<Person> {
  people += 1;
  const email = `person${people}@example.test`;
  const name = `Person${people}x`;
  const { userId, token } = await server.createUserWithToken({ email, name, ...extra });
  return { id: userId, email, name, token, api: apiClient(server.url, token) };
}

interface Team {
  projectId: number;
  lead: Person;
  client: Person;
  annotators: Person[];
}

/** A project of its own, created by the admin, with a lead, a client and the annotators. */
async function team(
  options: {
    annotators?: Person[];
    overlap?: number;
    autoPublishConsensus?: boolean;
    settings?: Record<string, unknown>;
    lead?: Person;
    client?: Person;
  } = {},
): Promise<Team> {
  const lead = options.lead ?? (await person());
  const client = options.client ?? (await person());
  const annotators = options.annotators ?? [
    await person({ level: "expert" }),
    await person({ level: "expert" }),
  ];
  const created = await admin.api.post<{ project: { id: number } }>("/projects", {
    name: `Events ${people}`,
    template,
    overlap: options.overlap ?? 2,
    autoPublishConsensus: options.autoPublishConsensus ?? false,
    settings: { goldRate: 0, ...options.settings },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  for (const [member, role] of [
    [lead, "lead"],
    [client, "client"],
    ...annotators.map((annotator) => [annotator, "annotator"] as const),
  ] as const) {
    const added = await admin.api.post(`/projects/${projectId}/members`, {
      email: member.email,
      role,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  return { projectId, lead, client, annotators };
}

async function importItems(team: Team, count: number): Promise<void> {
  const rows = Array.from({ length: count }, () => {
    items += 1;
    return {
      externalId: `q-${items}`,
      prompt: `Question ${items}?`,
      responses: [{ id: "a", text: "Yes." }],
    };
  });
  const imported = await team.lead.api.post(`/projects/${team.projectId}/items`, rows);
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
}

/** The annotator takes their next item and labels it; null when the queue has none for them. */
async function label(
  team: Team,
  annotator: Person,
  value: Record<string, unknown>,
): Promise<number | null> {
  const next = await annotator.api.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${team.projectId}`,
  );
  expect(next.status, JSON.stringify(next.body)).toBe(200);
  if (!next.body.assignment) return null;
  const { itemId } = next.body.assignment;
  const submitted = await annotator.api.post(`/items/${itemId}/annotations`, { label: value });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  return itemId;
}

async function loggedEvents(projectId: number) {
  return server.context.db
    .selectFrom("project_events")
    .select(["id", "type", "item_id", "payload"])
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
}

async function statusOf(itemId: number) {
  const row = await server.context.db
    .selectFrom("items")
    .select("status")
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
  return row.status;
}

/** Waits until the stream has received the project's latest logged event. */
async function caughtUp(stream: EventStream, projectId: number): Promise<void> {
  const rows = await loggedEvents(projectId);
  const latest = rows.at(-1)?.id ?? 0;
  if (latest === 0) return;
  await stream.next((event) => logged(event) && event.id === latest);
}

beforeAll(async () => {
  server = await startTestServer({ EVENTS_POLL_SECONDS: "0.1", QUALITY_EVENT_SECONDS: "1" });
  admin = await person({ isAdmin: true });
});
afterAll(() => server?.stop());

describe("the project event log", () => {
  it("records each kind of event with the change it records, and nothing for a failed one", async () => {
    const junior = await person({ level: "junior" });
    const expert = await person({ level: "expert" });
    const t = await team({ annotators: [expert, junior] });

    await importItems(t, 1);
    const disputed = (await label(t, expert, { verdict: "ok", note: "secret-note-1" }))!;
    await label(t, junior, { verdict: "bad" });
    expect(await statusOf(disputed)).toBe("disputed");

    await importItems(t, 1);
    const agreed = (await label(t, expert, { verdict: "ok" }))!;
    await label(t, junior, { verdict: "ok" });
    expect(await statusOf(agreed)).toBe("consensus");
    const bulk = await t.lead.api.post<{ published: number }>(
      `/projects/${t.projectId}/publish-consensus`,
    );
    expect(bulk.body.published).toBe(1);
    expect((await t.lead.api.post(`/items/${agreed}/reopen`)).status).toBe(200);
    expect((await t.lead.api.post(`/items/${agreed}/publish`, {})).status).toBe(201);
    // Refused before anything is written: no event either.
    const before = (await loggedEvents(t.projectId)).length;
    expectApiError(await t.lead.api.post(`/items/${agreed}/publish`, {}), 409, "conflict");
    expect(await loggedEvents(t.projectId)).toHaveLength(before);

    const reviews = await t.lead.api.get<{ reviews: Array<{ id: number }> }>(
      `/projects/${t.projectId}/reviews?verdict=pending`,
    );
    expect(reviews.body.reviews.length).toBeGreaterThan(0);
    const reviewId = reviews.body.reviews[0]!.id;
    expect((await t.lead.api.post(`/reviews/${reviewId}`, { verdict: "accept" })).status).toBe(200);

    const rows = await loggedEvents(t.projectId);
    expect(rows.map((row) => [row.type, row.item_id])).toEqual([
      ["import.completed", null],
      ["annotation.submitted", disputed],
      ["annotation.submitted", disputed],
      ["item.disputed", disputed],
      ["import.completed", null],
      ["annotation.submitted", agreed],
      ["annotation.submitted", agreed],
      ["item.published", agreed],
      ["item.reopened", agreed],
      ["item.published", agreed],
      ["review.decided", expect.any(Number)],
    ]);
    const payloads = rows.map((row) => row.payload as Record<string, unknown>);
    expect(payloads[0]).toEqual({ created: 1, unchanged: 0, annotations: 0 });
    expect(payloads[1]).toEqual({
      itemId: disputed,
      externalId: expect.stringMatching(/^q-/),
      annotationId: expect.any(Number),
      annotatorId: expert.id,
      fields: ["verdict", "note"],
    });
    expect(JSON.stringify(payloads)).not.toContain("secret-note-1");
    expect(payloads[7]).toMatchObject({ itemId: agreed, version: 1, label: { verdict: "ok" } });
    expect(payloads[8]).toMatchObject({ itemId: agreed, publishedVersion: 1 });
    expect(payloads[9]).toMatchObject({ itemId: agreed, version: 2, label: { verdict: "ok" } });
    expect(payloads[10]).toMatchObject({ reviewId, decision: "accepted" });
  });

  it("has an event exactly when the change it records was committed", async () => {
    const t = await team();
    await importItems(t, 1);
    const itemId = (await label(t, t.annotators[0]!, { verdict: "ok" }))!;
    // The second label goes in behind the services' back, so that settling is left to the test.
    await server.context.db
      .insertInto("annotations")
      .values({
        item_id: itemId,
        user_id: t.annotators[1]!.id,
        label: JSON.stringify({ verdict: "bad" }),
        duration_ms: null,
      })
      .execute();
    const project = projectModel(
      await server.context.db
        .selectFrom("projects")
        .selectAll()
        .where("id", "=", t.projectId)
        .executeTakeFirstOrThrow(),
    );
    const disputedEvents = async () =>
      (await loggedEvents(t.projectId)).filter((row) => row.type === "item.disputed");

    await expect(
      server.context.db.transaction().execute(async (trx) => {
        const [outcome] = await settleItems(trx, project, [itemId]);
        expect(outcome?.status).toBe("disputed");
        throw new Error("the change fails after settling");
      }),
    ).rejects.toThrow("the change fails after settling");
    expect(await statusOf(itemId)).toBe("annotating");
    expect(await disputedEvents()).toEqual([]);

    await server.context.db.transaction().execute((trx) => settleItems(trx, project, [itemId]));
    expect(await statusOf(itemId)).toBe("disputed");
    expect(await disputedEvents()).toHaveLength(1);

    await expect(
      recordProjectEvent(server.context.db, t.projectId, { type: "item.disputed", itemId }),
    ).rejects.toThrow(/transaction/);
  });

  it("cuts every event to what its audience may see, whatever its payload holds", () => {
    const people: EventPeople = {
      named: new Map([[7, { id: 7, name: "Named Seven" }]]),
      pseudonymised: new Map([[7, { id: null, name: "Annotator A" }]]),
    };
    const known = {
      itemId: 1,
      externalId: "q-1",
      version: 2,
      label: { note: "label-content" },
      publishedVersion: 1,
      annotationId: 3,
      annotatorId: 7,
      fields: ["note"],
      reviewId: 4,
      decision: "accepted",
      created: 1,
      unchanged: 0,
      annotations: 0,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(
          "item.disputed",
          "item.published",
          "item.reopened",
          "annotation.submitted",
          "review.decided",
          "import.completed",
          "item.renamed",
        ),
        fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue()),
        fc.subarray(Object.keys(known)),
        fc.boolean(),
        fc.boolean(),
        (type, extra, dropped, pseudonymised, labels) => {
          const payload: Record<string, unknown> = { ...extra, ...known };
          for (const key of dropped) delete payload[key];
          const view = projectEventView(
            { id: 9, type, itemId: 1, payload, createdAt: new Date() },
            { pseudonymised, labels },
            people,
          );
          const text = JSON.stringify(view);
          expect(view).toMatchObject({ id: 9, type });
          if (!(labels && type === "item.published")) expect(text).not.toContain("label-content");
          if (pseudonymised) {
            expect(text).not.toContain("Named Seven");
            expect(text).not.toContain("annotatorId");
          }
          for (const key of Object.keys(extra)) {
            if (key in known || ["id", "type", "createdAt"].includes(key)) continue;
            expect(Object.hasOwn(view, key)).toBe(false);
          }
          if (type === "item.renamed") {
            expect(Object.keys(view).sort()).toEqual(["createdAt", "id", "itemId", "type"]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "numbers a project's events in the order their transactions commit",
    async () => {
      const t = await team();
      const { db } = server.context;
      const counts = (created: number) => ({
        type: "import.completed" as const,
        created,
        unchanged: 0,
        annotations: 0,
      });
      let inserted!: () => void;
      const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
      let release!: () => void;
      const mayCommit = new Promise<void>((resolve) => (release = resolve));
      const first = db.transaction().execute(async (trx) => {
        await recordProjectEvent(trx, t.projectId, counts(1));
        inserted();
        await mayCommit;
      });
      await firstInserted;
      await db.transaction().execute((trx) => recordProjectEvent(trx, t.projectId, counts(2)));
      // A reader now sees the second alone; the first, committed later, must come after it.
      const seen = await loggedEvents(t.projectId);
      expect(seen.map((row) => (row.payload as { created: number }).created)).toEqual([2]);
      release();
      await first;
      const rows = await loggedEvents(t.projectId);
      expect(rows.map((row) => (row.payload as { created: number }).created)).toEqual([2, 1]);
      expect(rows[1]!.id).toBeGreaterThan(rows[0]!.id);
    },
  );
});

describe("the project event stream", () => {
  it("sends the project's events in order, named by type, with their ids", async () => {
    const t = await team();
    const [first, second] = t.annotators as [Person, Person];
    const stream = openEventStream(server, t.projectId, t.lead.token);
    try {
      await stream.next((event) => event.event === "progress");
      await importItems(t, 1);
      const itemId = (await label(t, first, { verdict: "ok", note: "secret-note-2" }))!;
      await label(t, second, { verdict: "bad" });
      await caughtUp(stream, t.projectId);

      const received = stream.logged();
      expect(received.map((event) => event.event)).toEqual([
        "import.completed",
        "annotation.submitted",
        "annotation.submitted",
        "item.disputed",
      ]);
      const rows = await loggedEvents(t.projectId);
      expect(received.map((event) => event.id)).toEqual(rows.map((row) => row.id));
      for (const event of received) expect((event.data as { id: number }).id).toBe(event.id);
      expect(received[1]!.data).toEqual({
        id: received[1]!.id,
        type: "annotation.submitted",
        createdAt: expect.any(String),
        itemId,
        externalId: expect.stringMatching(/^q-/),
        annotationId: expect.any(Number),
        annotator: { id: first.id, name: first.name },
        fields: ["verdict", "note"],
      });
      expect(received[3]!.data).toMatchObject({ type: "item.disputed", itemId });
      expect(JSON.stringify(stream.events)).not.toContain("secret-note-2");
      // Every other event carries the id of the last logged event before it.
      let lastLogged = stream.events[0]!.id;
      for (const event of stream.events) {
        if (logged(event)) lastLogged = event.id;
        else expect(event.id).toBe(lastLogged);
      }
    } finally {
      stream.close();
    }
  });

  it("resumes after Last-Event-ID without gaps or repeats, and starts afresh without it", async () => {
    const t = await team();
    const [first, second] = t.annotators as [Person, Person];
    const stream = openEventStream(server, t.projectId, t.lead.token);
    await stream.next((event) => event.event === "progress");
    await importItems(t, 3);
    await label(t, first, { verdict: "ok" });
    await caughtUp(stream, t.projectId);
    stream.close();
    const seen = stream.logged();
    const lastSeen = seen.at(-1)!.id;

    // While nobody watches, more happens.
    await label(t, second, { verdict: "bad" });
    await label(t, first, { verdict: "ok" });
    await label(t, second, { verdict: "ok" });
    const rows = await loggedEvents(t.projectId);
    const missed = rows.filter((row) => row.id > lastSeen);
    expect(missed.length).toBeGreaterThanOrEqual(3);

    const resumed = openEventStream(server, t.projectId, t.lead.token, String(lastSeen));
    try {
      const opening = await resumed.next((event) => event.event === "progress");
      expect(opening.id).toBe(lastSeen);
      await caughtUp(resumed, t.projectId);
      await pause(300);
      expect(resumed.logged().map((event) => event.id)).toEqual(missed.map((row) => row.id));
      expect(resumed.logged().map((event) => event.event)).toEqual(missed.map((row) => row.type));
    } finally {
      resumed.close();
    }

    // From an early id: everything after it, once.
    const early = openEventStream(server, t.projectId, t.lead.token, String(rows[1]!.id));
    try {
      await caughtUp(early, t.projectId);
      await pause(300);
      expect(early.logged().map((event) => event.id)).toEqual(rows.slice(2).map((row) => row.id));
    } finally {
      early.close();
    }

    const latest = rows.at(-1)!.id;
    for (const lastEventId of [undefined, "not an id", String(latest + 1_000_000)]) {
      const fresh = openEventStream(server, t.projectId, t.lead.token, lastEventId);
      try {
        const opening = await fresh.next((event) => event.event === "progress");
        expect(opening.id).toBe(latest);
        await pause(400);
        expect(fresh.logged()).toEqual([]);
      } finally {
        fresh.close();
      }
    }
  });

  it("names annotators to clients by pseudonym, and by id where the project allows", async () => {
    const expert = await person({ level: "expert" });
    const junior = await person({ level: "junior" });
    const pseudonymised = await team({ annotators: [expert, junior] });
    const named = await team({
      annotators: [expert, junior],
      settings: { pseudonymiseForClients: false },
    });
    for (const t of [pseudonymised, named]) {
      await importItems(t, 1);
      await label(t, expert, { verdict: "ok", note: "secret-note-3" });
      await label(t, junior, { verdict: "bad", note: "secret-note-4" });
      const reviews = await t.lead.api.get<{ reviews: Array<{ id: number }> }>(
        `/projects/${t.projectId}/reviews?verdict=pending`,
      );
      const decided = await t.lead.api.post(`/reviews/${reviews.body.reviews[0]!.id}`, {
        verdict: "accept",
      });
      expect(decided.status).toBe(200);
    }

    const hidden = openEventStream(
      server,
      pseudonymised.projectId,
      pseudonymised.client.token,
      "0",
    );
    const shown = openEventStream(server, named.projectId, named.client.token, "0");
    try {
      await caughtUp(hidden, pseudonymised.projectId);
      await caughtUp(shown, named.projectId);
      const submittedBy = (stream: EventStream) =>
        stream
          .logged()
          .filter((event) => event.event === "annotation.submitted")
          .map((event) => (event.data as { annotator: unknown }).annotator);
      expect(submittedBy(hidden)).toEqual([
        { id: null, name: expect.stringMatching(/^Annotator [A-Z]+$/) },
        { id: null, name: expect.stringMatching(/^Annotator [A-Z]+$/) },
      ]);
      expect(submittedBy(shown)).toEqual([
        { id: expert.id, name: expert.name },
        { id: junior.id, name: junior.name },
      ]);
      const hiddenText = JSON.stringify(hidden.events);
      for (const annotator of [expert, junior]) {
        expect(hiddenText).not.toContain(annotator.name);
        expect(hiddenText).not.toContain(annotator.email);
      }
      expect(hiddenText).not.toContain("annotatorId");
      const review = hidden.logged().find((event) => event.event === "review.decided")!;
      expect(Object.keys(review.data as object).sort()).toEqual([
        "createdAt",
        "decision",
        "id",
        "type",
      ]);
      expect(shown.logged().find((event) => event.event === "review.decided")!.data).toMatchObject({
        decision: "accepted",
        reviewId: expect.any(Number),
        itemId: expect.any(Number),
      });
      for (const stream of [hidden, shown]) {
        expect(JSON.stringify(stream.events)).not.toMatch(/secret-note/);
      }
    } finally {
      hidden.close();
      shown.close();
    }
  });

  it("never gives a blind annotator the stream, nor anyone label content or a pseudonymised client an id", async () => {
    const lead = await person();
    const client = await person();
    const annotators = [
      await person({ level: "expert" }),
      await person({ level: "expert" }),
      await person({ level: "expert" }),
    ];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            annotator: fc.nat({ max: annotators.length - 1 }),
            verdict: fc.constantFrom("ok", "bad"),
            withNote: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.subarray<Viewer>(["lead", "client", "admin", "annotator"], { minLength: 1 }),
        fc.boolean(),
        fc.boolean(),
        async (submissions, viewers, autoPublishConsensus, pseudonymiseForClients) => {
          run += 1;
          const t = await team({
            lead,
            client,
            annotators,
            autoPublishConsensus,
            settings: { pseudonymiseForClients },
          });
          await importItems(t, 2);
          const notes: string[] = [];
          for (const [index, submission] of submissions.entries()) {
            const note = `secret-${run}-${index}`;
            notes.push(note);
            await label(t, annotators[submission.annotator]!, {
              verdict: submission.verdict,
              ...(submission.withNote ? { note } : {}),
            });
          }
          for (const viewer of viewers) {
            if (viewer === "annotator") {
              for (const annotator of annotators) {
                expectApiError(
                  await annotator.api.get(`/projects/${t.projectId}/events`),
                  403,
                  "forbidden",
                );
              }
              continue;
            }
            const token = { lead, client, admin }[viewer].token;
            const stream = openEventStream(server, t.projectId, token, "0");
            try {
              await caughtUp(stream, t.projectId);
              const received = stream.logged();
              const text = JSON.stringify(received);
              for (const note of notes) expect(text).not.toContain(note);
              for (const event of received) {
                const data = event.data as {
                  annotator?: { id: number | null; name: string };
                  label?: unknown;
                };
                if (event.event !== "item.published") expect(data).not.toHaveProperty("label");
                if (event.event === "annotation.submitted") {
                  const hidden = viewer === "client" && pseudonymiseForClients;
                  expect(data.annotator!.id === null).toBe(hidden);
                  if (hidden) {
                    expect(annotators.map((annotator) => annotator.name)).not.toContain(
                      data.annotator!.name,
                    );
                  }
                }
              }
              if (viewer === "client" && pseudonymiseForClients) {
                for (const annotator of annotators) expect(text).not.toContain(annotator.name);
                expect(text).not.toContain("annotatorId");
              }
            } finally {
              stream.close();
            }
          }
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);

  it("sends a quality snapshot after changes, at most once per QUALITY_EVENT_SECONDS", async () => {
    const t = await team({ settings: { showCostsToClients: false } });
    const [first, second] = t.annotators as [Person, Person];
    await importItems(t, 10);
    const leadStream = openEventStream(server, t.projectId, t.lead.token);
    const clientStream = openEventStream(server, t.projectId, t.client.token);
    try {
      await leadStream.next((event) => event.event === "progress");
      await clientStream.next((event) => event.event === "progress");
      // Nothing has happened: no snapshot, however long.
      await pause(1_300);
      expect(leadStream.events.filter((event) => event.event === "quality")).toEqual([]);

      await label(t, first, { verdict: "ok" });
      const leadQuality = await leadStream.next((event) => event.event === "quality");
      const clientQuality = await clientStream.next((event) => event.event === "quality");
      expect(Object.keys(leadQuality.data as object).sort()).toEqual([
        "accuracyVsFinal",
        "agreement",
        "costCents",
        "projectId",
      ]);
      expect(Object.keys(clientQuality.data as object).sort()).toEqual([
        "accuracyVsFinal",
        "agreement",
        "projectId",
      ]);
      expect((leadQuality.data as { agreement: Array<{ fieldId: string }> }).agreement).toEqual(
        expect.arrayContaining([expect.objectContaining({ fieldId: "verdict" })]),
      );

      // Changes every 300 ms for two seconds: snapshots a second apart, less the jitter of their
      // delivery (a snapshot is timed here on arrival, after its computation, which varies), and
      // never at the 300 ms pace of the changes.
      const startedAt = Date.now();
      let turn = 0;
      while (Date.now() - startedAt < 2_000) {
        turn += 1;
        await label(t, turn % 2 === 0 ? first : second, { verdict: "ok" });
        await pause(300);
      }
      await pause(2_000);
      const snapshots = leadStream.events.filter((event) => event.event === "quality");
      expect(snapshots.length).toBeGreaterThanOrEqual(2);
      for (let index = 1; index < snapshots.length; index++) {
        expect(snapshots[index]!.at - snapshots[index - 1]!.at).toBeGreaterThanOrEqual(700);
      }
      // Once the changes stop, the snapshots stop.
      const settled = snapshots.length;
      await pause(1_500);
      expect(leadStream.events.filter((event) => event.event === "quality")).toHaveLength(settled);
    } finally {
      leadStream.close();
      clientStream.close();
    }
  });
});
