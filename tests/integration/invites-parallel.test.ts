import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { adminAndLeads } from "../setup/team-project.ts";

/**
 * Invitations while the project's leads remove each other: a lead invites only while still a
 * lead, so no invite is made by someone already removed from the project.
 */

let server: TestServer;
let admin: ApiClient;
let leads: Array<{ id: number; email: string; api: ApiClient }>;

const LEADS = 6;

beforeAll(async () => {
  server = await startTestServer();
  ({ admin, leads } = await adminAndLeads(server, LEADS));
});
afterAll(() => server?.stop());

describe("invitations while leads are removed", { timeout: 120_000 }, () => {
  it("lets no lead invite once another lead has removed them", async () => {
    const created = await admin.post<{ project: { id: number } }>("/projects", {
      name: "Parallel invites",
      preset: "pairwise-preference",
    });
    expect(created.status).toBe(201);
    const projectId = created.body.project.id;
    for (let round = 0; round < 5; round++) {
      for (const lead of leads) {
        await admin.post(`/projects/${projectId}/members`, { email: lead.email, role: "lead" });
      }
      const answers = await Promise.all(
        leads.flatMap((lead, index) => [
          lead.api.post(`/projects/${projectId}/invites`, {
            email: `invitee-${round}-${index}@example.test`,
            name: `Invitee ${round} ${index}`,
            role: "annotator",
          }),
          ...leads
            .filter((other) => other !== lead)
            .map((other) => lead.api.delete(`/projects/${projectId}/members/${other.id}`)),
        ]),
      );
      for (const answer of answers) expect([201, 204, 403, 404]).toContain(answer.status);
    }
    const log = await server.context.db
      .selectFrom("audit_log")
      .select(["id", "action", "actor_id", "subject_id"])
      .where("project_id", "=", projectId)
      .where("action", "in", ["user.invite", "project.member.add", "project.member.remove"])
      .orderBy("id")
      .execute();
    expect(log.some((entry) => entry.action === "user.invite")).toBe(true);
    // Audit entries are written in the order the changes are made: an invite after its
    // inviter's removal (and before they are added back) was made by a former lead.
    const removed = new Set<number>();
    const late: string[] = [];
    for (const entry of log) {
      if (entry.action === "project.member.remove") removed.add(Number(entry.subject_id));
      else if (entry.action === "project.member.add") removed.delete(Number(entry.subject_id));
      else if (entry.actor_id !== null && removed.has(entry.actor_id)) {
        late.push(`invite ${entry.id} by removed lead ${entry.actor_id}`);
      }
    }
    expect(late).toEqual([]);
  });
});
