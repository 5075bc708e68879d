import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const PASSWORD = "correct horse battery staple";

let server: TestServer;
let projectId: number;
let annotatorId: number;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  const admin = await server.createUserWithToken({ email: "admin@label.test", isAdmin: true });
  const annotator = await server.createUserWithToken({
    email: "annotator@label.test",
    level: "expert",
    domains: ["medical"],
  });
  annotatorId = annotator.userId;
  const api = apiClient(server.url, admin.token);
  const created = await api.post<{ project: { id: number } }>("/projects", {
    name: "Labeling page",
    domain: "medical",
    overlap: 1,
    template: {
      fields: [{ id: "verdict", type: "choice", label: "Safe?", options: ["yes", "no"] }],
    },
    settings: { goldRate: 0 },
  });
  expect(created.status).toBe(201);
  projectId = created.body.project.id;
  expect(
    (
      await api.post(`/projects/${projectId}/members`, {
        email: "annotator@label.test",
        role: "annotator",
      })
    ).status,
  ).toBe(201);
  const imported = await api.post(`/projects/${projectId}/items`, [
    {
      externalId: "q-1",
      prompt: "Is ibuprofen safe with warfarin?",
      responses: [{ id: "a", text: "No." }],
    },
  ]);
  expect(imported.status).toBe(201);
  cookie = await signInCookie(server.url, "annotator@label.test", PASSWORD);
});

afterAll(async () => {
  await server?.stop();
});

async function reservations(): Promise<number> {
  const { count } = await server.context.db
    .selectFrom("assignments")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("user_id", "=", annotatorId)
    .executeTakeFirstOrThrow();
  return count;
}

const labelPath = () => `/projects/${projectId}/label`;

function getPage(path: string) {
  return fetch(`${server.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
}

function postNext() {
  return fetch(`${server.url}${labelPath()}`, {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: server.url,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ intent: "next" }),
    redirect: "manual",
  });
}

describe("the labeling page", () => {
  it("reserves nothing when it is opened, however often", async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await getPage(labelPath());
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toMatch(/<form method="post"[^>]*>.*name="intent" value="next"/s);
      expect(html).not.toContain("Is ibuprofen safe with warfarin?");
    }
    expect(await reservations()).toBe(0);
  });

  it("reserves the next item on a POST, which works without scripts, and then shows it", async () => {
    const posted = await postNext();
    expect(posted.status).toBe(302);
    expect(posted.headers.get("location")).toBe(labelPath());
    expect(await reservations()).toBe(1);

    for (let attempt = 0; attempt < 2; attempt++) {
      const shown = await getPage(labelPath());
      expect(shown.status).toBe(200);
      expect(await shown.text()).toContain("Is ibuprofen safe with warfarin?");
    }
    // Asking again while holding an item gives the same item, not a second one.
    expect((await postNext()).status).toBe(302);
    expect(await reservations()).toBe(1);
  });

  it("says so when the queue is empty, and a GET still changes nothing", async () => {
    await server.context.db
      .updateTable("assignments")
      .set({ status: "skipped" })
      .where("user_id", "=", annotatorId)
      .execute();
    const posted = await postNext();
    expect(posted.status).toBe(302);
    expect(posted.headers.get("location")).toBe(`${labelPath()}?empty=1`);
    const empty = await getPage(`${labelPath()}?empty=1`);
    expect(await empty.text()).toContain("Nothing to label right now");
    expect(await reservations()).toBe(1);
  });
});
