import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_WEBHOOKS_PER_PROJECT } from "../../server/services/webhooks/endpoints.ts";
import { createCast, createProject, type Cast } from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * Every endpoint is sent every event it subscribes to and takes its turn at the dispatcher, so a
 * project's endpoints are capped, and parallel creations cannot pass the cap together.
 */
describe("webhooks per project", { timeout: 60_000 }, () => {
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    server = await startTestServer();
    cast = await createCast(server);
  });
  afterAll(() => server?.stop());

  /** An admin registers an endpoint on this host, where nothing listens (the discard port). */
  const register = (projectId: number, index: number) =>
    cast.admin.api.post<{ webhook: { id: number } }>(`/projects/${projectId}/webhooks`, {
      url: `http://127.0.0.1:9/hook-${index}`,
      events: ["item.published"],
      allowPrivateAddresses: true,
    });

  it(`allows ${MAX_WEBHOOKS_PER_PROJECT}, however many are asked for at once`, async () => {
    const projectId = await createProject(cast, {});
    const first = MAX_WEBHOOKS_PER_PROJECT - 5;
    for (let index = 0; index < first; index++) {
      expect((await register(projectId, index)).status).toBe(201);
    }
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) => register(projectId, first + index)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status === 409)).toHaveLength(25);
    expect(answers.find((answer) => answer.status === 409)?.body).toEqual({
      error: {
        code: "conflict",
        message: `A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks; delete one to add another`,
      },
    });
    const listed = await cast.lead.api.get<{ webhooks: Array<{ id: number }> }>(
      `/projects/${projectId}/webhooks`,
    );
    expect(listed.body.webhooks).toHaveLength(MAX_WEBHOOKS_PER_PROJECT);

    // The cap is per project, and deleting one makes room again.
    const other = await createProject(cast, {});
    expect((await register(other, 0)).status).toBe(201);
    const deleted = await cast.lead.api.delete(`/webhooks/${listed.body.webhooks[0]!.id}`);
    expect(deleted.status).toBe(204);
    expect((await register(projectId, 99)).status).toBe(201);
    expect((await register(projectId, 100)).status).toBe(409);
  });
});
