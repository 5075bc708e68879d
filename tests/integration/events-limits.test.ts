import http from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as progressService from "../../server/services/progress.ts";
import { revokeApiToken } from "../../server/services/auth.ts";
import { recordProjectEvent } from "../../server/services/project-events.ts";
import {
  createCast,
  createProject,
  disputedLabels,
  labelledItem,
  responses,
  type Cast,
} from "../setup/adjudication.ts";
import { apiClient, expectApiError } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { waitFor } from "../setup/sync-client.ts";
import { streamEvents } from "../setup/server-sent-events.ts";

const pollSeconds = 0.2;
const maxStreamsPerUser = 20;

interface ServerSentEvent {
  event: string;
  data: unknown;
}

interface EventStream {
  status: Promise<number>;
  events: ServerSentEvent[];
  ended: Promise<void>;
  close(): void;
}

/** A client of `GET /projects/:id/events` that collects the events as they arrive. */
function openEventStream(server: TestServer, projectId: number, token: string): EventStream {
  const events: ServerSentEvent[] = [];
  const controller = new AbortController();
  let reportStatus: (status: number) => void = () => {};
  const status = new Promise<number>((resolve) => (reportStatus = resolve));
  const ended = (async () => {
    const response = await fetch(`${server.url}/api/v1/projects/${projectId}/events`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    reportStatus(response.status);
    if (response.status !== 200) {
      events.push({ event: "refused", data: await response.json() });
      return;
    }
    for await (const { event, data } of streamEvents(response.body!)) {
      events.push({ event, data });
    }
  })().catch((error: unknown) => {
    if (!(error instanceof Error && error.name === "AbortError")) throw error;
  });
  return { status, events, ended, close: () => controller.abort() };
}

const lastProgress = (stream: EventStream) =>
  stream.events.filter((event) => event.event === "progress").at(-1)?.data;

describe("project event streams at scale", { timeout: 120_000 }, () => {
  let server: TestServer;
  let cast: Cast;
  let projectId: number;
  const leads: string[] = [];
  const clients: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      EVENTS_POLL_SECONDS: String(pollSeconds),
      EVENTS_MAX_STREAMS_PER_USER: String(maxStreamsPerUser),
    });
    cast = await createCast(server);
    projectId = await createProject(cast, { overlap: 3 });
    await labelledItem(
      cast,
      projectId,
      cast.experts.map((expert, index) => [expert, disputedLabels[index]]),
    );
    leads.push(cast.lead.token);
    clients.push(cast.client.token);
    for (let index = 0; index < 4; index++) {
      for (const [role, tokens] of [
        ["lead", leads],
        ["client", clients],
      ] as const) {
        const email = `${role}-${index}@example.test`;
        const { token } = await server.createUserWithToken({ email });
        const added = await cast.admin.api.post(`/projects/${projectId}/members`, { email, role });
        expect(added.status, JSON.stringify(added.body)).toBe(201);
        tokens.push(token);
      }
    }
  });
  afterAll(() => server?.stop());

  it("has 200 streams of a project share one progress read per interval, each shown its own view", async () => {
    const streams = [...leads, ...clients].flatMap((token) =>
      Array.from({ length: maxStreamsPerUser }, () => ({
        token,
        stream: openEventStream(server, projectId, token),
      })),
    );
    expect(streams).toHaveLength(200);
    try {
      await waitFor(
        () => streams.every(({ stream }) => lastProgress(stream) !== undefined),
        "every stream's first event",
        30_000,
      );
      // Every read of the progress, by stream or shared, goes through one of these.
      const reads = [
        vi.spyOn(progressService, "projectProgress"),
        vi.spyOn(progressService, "readProjectProgress"),
      ];
      const watchedMs = 2_000;
      await delay(watchedMs);
      const readCount = reads.reduce((total, spy) => total + spy.mock.calls.length, 0);
      for (const spy of reads) spy.mockRestore();
      expect(readCount).toBeGreaterThanOrEqual(3);
      expect(readCount).toBeLessThanOrEqual(watchedMs / (pollSeconds * 1000) + 2);

      const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
        { externalId: "another", prompt: "And with aspirin?", responses },
      ]);
      expect(imported.status, JSON.stringify(imported.body)).toBe(201);
      const asLead = (await apiClient(server.url, leads[0]).get(`/projects/${projectId}/progress`))
        .body;
      const asClient = (
        await apiClient(server.url, clients[0]).get(`/projects/${projectId}/progress`)
      ).body;
      expect(asLead).not.toEqual(asClient);
      await waitFor(
        () =>
          streams.every(({ token, stream }) => {
            const expected = leads.includes(token) ? asLead : asClient;
            return JSON.stringify(lastProgress(stream)) === JSON.stringify(expected);
          }),
        "every stream to show the new item, as its user may see it",
        10_000,
      );
    } finally {
      for (const { stream } of streams) stream.close();
    }
  });

  it("refuses streams past the per-user limit with 429, counting parallel requests", async () => {
    const { token } = await server.createUserWithToken({ email: "eager@example.test" });
    const added = await cast.admin.api.post(`/projects/${projectId}/members`, {
      email: "eager@example.test",
      role: "client",
    });
    expect(added.status).toBe(201);
    const streams = Array.from({ length: maxStreamsPerUser + 10 }, () =>
      openEventStream(server, projectId, token),
    );
    try {
      const statuses = await Promise.all(streams.map((stream) => stream.status));
      expect(statuses.filter((status) => status === 200)).toHaveLength(maxStreamsPerUser);
      expect(statuses.filter((status) => status === 429)).toHaveLength(10);
      const refused = streams.find((stream) => stream.events[0]?.event === "refused");
      await refused?.ended;
      expect(refused?.events[0]?.data).toEqual({
        error: { code: "rate_limited", message: expect.stringContaining("event streams") },
      });
      expectApiError(
        await apiClient(server.url, token).get(`/projects/${projectId}/events`),
        429,
        "rate_limited",
      );

      streams[statuses.indexOf(200)].close();
      await waitFor(async () => {
        const again = openEventStream(server, projectId, token);
        const status = await again.status;
        again.close();
        return status === 200;
      }, "a place to free up");
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it("ends only the streams whose access ended, in the shared recheck", async () => {
    const [leaving, staying] = await Promise.all(
      ["leaving", "staying"].map(async (name) => {
        const email = `${name}@example.test`;
        const created = await server.createUserWithToken({ email });
        await cast.admin.api.post(`/projects/${projectId}/members`, { email, role: "lead" });
        return created;
      }),
    );
    const demoted = openEventStream(server, projectId, staying.token);
    const revoked = Array.from({ length: 3 }, () =>
      openEventStream(server, projectId, leaving.token),
    );
    const kept = openEventStream(server, projectId, clients[0]);
    try {
      await waitFor(
        () => [demoted, kept, ...revoked].every((stream) => lastProgress(stream) !== undefined),
        "the first events",
      );
      const tokenRow = await server.context.db
        .selectFrom("api_tokens")
        .select("id")
        .where("user_id", "=", leaving.userId)
        .executeTakeFirstOrThrow();
      await revokeApiToken(server.context.db, leaving.userId, tokenRow.id);
      const changed = await cast.admin.api.post(`/projects/${projectId}/members`, {
        email: "staying@example.test",
        role: "annotator",
      });
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);

      for (const stream of revoked) {
        await stream.ended;
        expect(stream.events.at(-1)).toEqual({
          event: "error",
          data: { error: { code: "unauthorized", message: expect.any(String) } },
        });
      }
      await demoted.ended;
      expect(demoted.events.at(-1)).toEqual({
        event: "error",
        data: { error: { code: "forbidden", message: expect.any(String) } },
      });
      await delay(3 * pollSeconds * 1000);
      expect(kept.events.some((event) => event.event === "error")).toBe(false);
    } finally {
      for (const stream of [demoted, kept, ...revoked]) stream.close();
    }
  });

  it("ends a stream whose client stops reading once it falls behind, and resumes it after the last event read", async () => {
    const published = 400;
    const note = "n".repeat(100_000);
    await server.context.db.transaction().execute(async (trx) => {
      for (let version = 1; version <= published; version++) {
        await recordProjectEvent(trx, projectId, {
          type: "item.published",
          itemId: 1,
          version,
          label: { critique: note },
        });
      }
    });
    const loggedIds = (
      await server.context.db
        .selectFrom("project_events")
        .select("id")
        .where("project_id", "=", projectId)
        .where("type", "=", "item.published")
        .orderBy("id")
        .execute()
    ).map((row) => Number(row.id));

    /** Opens a stream resuming after `lastEventId`, without reading it yet. */
    const openUnread = (lastEventId: number) =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        const request = http.get(`${server.url}/api/v1/projects/${projectId}/events`, {
          headers: {
            Authorization: `Bearer ${cast.lead.token}`,
            "Last-Event-ID": String(lastEventId),
          },
        });
        request.on("response", (response) => {
          response.pause();
          resolve(response);
        });
        request.on("error", reject);
      });
    /** The ids of the logged events in what a stream sent, in order. */
    const eventIds = (text: string) =>
      [...text.matchAll(/^id: (\d+)\nevent: item\.published\n/gm)].map((match) => Number(match[1]));

    const stalled = await openUnread(0);
    expect(stalled.statusCode).toBe(200);
    // Long enough for the server to read every event and write all it will write.
    await delay(3_000);
    let text = "";
    stalled.setEncoding("utf8");
    stalled.on("data", (chunk: string) => (text += chunk));
    stalled.resume();
    const ended = await Promise.race([
      new Promise<boolean>((resolve) => stalled.once("end", () => resolve(true))),
      delay(10_000).then(() => false),
    ]);
    stalled.destroy();
    const received = eventIds(text);
    expect(ended, `the stream sent ${received.length} of ${published} events and stayed open`).toBe(
      true,
    );
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan(published);
    expect(received).toEqual(loggedIds.slice(0, received.length));

    const resumed = await openUnread(received.at(-1)!);
    let resumedText = "";
    resumed.setEncoding("utf8");
    resumed.on("data", (chunk: string) => (resumedText += chunk));
    resumed.resume();
    await waitFor(() => eventIds(resumedText).length > 0, "the resumed stream's first event");
    resumed.destroy();
    expect(eventIds(resumedText)[0]).toBe(loggedIds[received.length]);
  });
});
