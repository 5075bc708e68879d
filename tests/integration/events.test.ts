import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiToken } from "../../server/services/auth.ts";
import { apiClient, expectApiError, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { within } from "../setup/sync-client.ts";
import { streamEvents } from "../setup/server-sent-events.ts";

interface ServerSentEvent {
  event: string;
  data: unknown;
}

/** A client of `GET /projects/:id/events` that collects the events as they arrive. */
function openEventStream(server: TestServer, projectId: number, token: string) {
  const events: ServerSentEvent[] = [];
  const controller = new AbortController();
  let onEvent = () => {};
  const ended = (async () => {
    const response = await fetch(`${server.url}/api/v1/projects/${projectId}/events`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    for await (const { event, data } of streamEvents(response.body!)) {
      events.push({ event, data });
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
    close: () => controller.abort(),
  };
}

const progressOf = (event: ServerSentEvent) =>
  event.data as { items: number; byStatus: Record<string, number> };

describe("project event stream", () => {
  let server: TestServer;
  let lead: ApiClient;
  let leadToken: string;
  let projectId: number;

  beforeAll(async () => {
    server = await startTestServer({ EVENTS_POLL_SECONDS: "0.1" });
    ({ token: leadToken } = await server.createUserWithToken({
      email: "lead@example.test",
      isAdmin: true,
    }));
    lead = apiClient(server.url, leadToken);
    const created = await lead.post<{ project: { id: number } }>("/projects", {
      name: "Live progress",
      template: {
        fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["ok", "bad"] }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    projectId = created.body.project.id;
  });
  afterAll(() => server.stop());

  const importItem = async (externalId: string) => {
    const response = await lead.post(`/projects/${projectId}/items`, [
      { externalId, prompt: "Is it safe?", responses: [{ id: "a", text: "Yes." }] },
    ]);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  };

  it("sends the progress at once, then each change, to a client of the project", async () => {
    await importItem("first");
    const { token } = await server.createUserWithToken({ email: "client@example.test" });
    expect(
      (
        await lead.post(`/projects/${projectId}/members`, {
          email: "client@example.test",
          role: "client",
        })
      ).status,
    ).toBe(201);
    const stream = openEventStream(server, projectId, token);
    try {
      const first = await stream.next((event) => event.event === "progress");
      expect(progressOf(first).items).toBe(1);
      expect(progressOf(first).byStatus.queued).toBe(1);
      const seen = stream.events.length;

      await importItem("second");
      const changed = await stream.next((event) => event.event === "progress", seen);
      expect(progressOf(changed).items).toBe(2);
      // Nothing changed since: several reads later, no further event.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stream.events.filter((event) => event.event === "progress")).toHaveLength(2);
    } finally {
      stream.close();
    }
  });

  it("refuses an annotator with 403 before streaming anything", async () => {
    const { token } = await server.createUserWithToken({ email: "annotator@example.test" });
    expect(
      (
        await lead.post(`/projects/${projectId}/members`, {
          email: "annotator@example.test",
          role: "annotator",
        })
      ).status,
    ).toBe(201);
    expectApiError(
      await apiClient(server.url, token).get(`/projects/${projectId}/events`),
      403,
      "forbidden",
    );
  });

  it("ends the stream with an error event once the token is revoked", async () => {
    const { userId, token } = await server.createUserWithToken({
      email: "leaving@example.test",
      isAdmin: true,
    });
    const stream = openEventStream(server, projectId, token);
    await stream.next((event) => event.event === "progress");
    const tokenRow = await server.context.db
      .selectFrom("api_tokens")
      .select("id")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    await revokeApiToken(server.context.db, userId, tokenRow.id);
    const error = await stream.next((event) => event.event === "error");
    expect(error.data).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    await within(stream.ended, "the stream to end");
  });

  it("ends open streams when the server shuts down", async () => {
    const other = await startTestServer({ EVENTS_POLL_SECONDS: "0.1" });
    const { token } = await other.createUserWithToken({
      email: "admin@example.test",
      isAdmin: true,
    });
    const created = await apiClient(other.url, token).post<{ project: { id: number } }>(
      "/projects",
      {
        name: "Shut down",
        template: { fields: [{ id: "note", type: "text", label: "Note" }] },
      },
    );
    const stream = openEventStream(other, created.body.project.id, token);
    await stream.next((event) => event.event === "progress");
    const startedAt = Date.now();
    await other.stop();
    await within(stream.ended, "the stream to end", 2_000);
    // Well before the five seconds after which the server cuts connections that linger.
    expect(Date.now() - startedAt).toBeLessThan(4_000);
  });
});
