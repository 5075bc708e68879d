import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { adminAndLeads } from "../setup/team-project.ts";

/**
 * A project's members under parallel requests: however many changes arrive at once, the
 * project keeps a lead, and a user added by several requests at once is added once.
 */

let server: TestServer;
let admin: ApiClient;
let leads: Array<{ id: number; email: string; api: ApiClient }>;
let newcomerEmail: string;

const LEADS = 10;

beforeAll(async () => {
  server = await startTestServer();
  ({ admin, leads } = await adminAndLeads(server, LEADS));
  newcomerEmail = "newcomer@example.test";
  await server.createUserWithToken({ email: newcomerEmail });
});
afterAll(() => server?.stop());

async function projectLedByAll(): Promise<number> {
  const created = await admin.post<{ project: { id: number } }>("/projects", {
    name: "Parallel members",
    preset: "pairwise-preference",
  });
  expect(created.status).toBe(201);
  const projectId = created.body.project.id;
  for (const lead of leads) {
    const added = await admin.post(`/projects/${projectId}/members`, {
      email: lead.email,
      role: "lead",
    });
    expect(added.status).toBe(201);
  }
  return projectId;
}

async function leadCount(projectId: number): Promise<number> {
  const { body } = await admin.get<{ members: Array<{ role: string }> }>(
    `/projects/${projectId}/members`,
  );
  return body.members.filter((member) => member.role === "lead").length;
}

describe("project members under parallel requests", { timeout: 120_000 }, () => {
  it("keeps a lead while every lead removes or demotes the others and itself at once", async () => {
    // The admin who created the project leads it too: take them out first.
    const projectId = await projectLedByAll();
    const adminId = (await admin.get<{ user: { id: number } }>("/me")).body.user.id;
    expect((await admin.delete(`/projects/${projectId}/members/${adminId}`)).status).toBe(204);
    for (let round = 0; round < 3; round++) {
      const requests = leads.flatMap((lead) => [
        lead.api.post(`/projects/${projectId}/members`, { email: lead.email, role: "client" }),
        ...leads
          .filter((other) => other !== lead)
          .map((other) => lead.api.delete(`/projects/${projectId}/members/${other.id}`)),
      ]);
      const answers = await Promise.all(requests);
      for (const answer of answers) expect([200, 204, 400, 403, 404]).toContain(answer.status);
      expect(await leadCount(projectId), `round ${round}`).toBe(1);
      // Everyone back as lead for the next round.
      for (const lead of leads) {
        await admin.post(`/projects/${projectId}/members`, { email: lead.email, role: "lead" });
      }
    }
  });

  it("adds a user once however many requests add them at once", async () => {
    const projectId = await projectLedByAll();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        leads[index % LEADS]!.api.post<{ member: { userId: number } }>(
          `/projects/${projectId}/members`,
          {
            email: newcomerEmail,
            role: "annotator",
          },
        ),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(99);
    const added = await server.context.db
      .selectFrom("audit_log")
      .select("action")
      .where("project_id", "=", projectId)
      .where("action", "=", "project.member.add")
      .where("subject_id", "=", String(answers[0]!.body.member.userId))
      .execute();
    expect(added).toHaveLength(1);
  });
});
