import { expect } from "vitest";
import { apiClient, type ApiClient } from "./api-client.ts";
import type { TestServer } from "./server.ts";

/** Someone with an API token, as the workflow tests act. */
export interface Member {
  id: number;
  email: string;
  token: string;
  api: ApiClient;
}

/** Makes people with addresses unique to the test file, `<name><n>@<domain>`. */
export function memberMaker(server: () => TestServer, domain: string) {
  let sequence = 0;
  return async (name: string, extra: Record<string, unknown> = {}): Promise<Member> => {
    sequence += 1;
    const email = `${name}${sequence}@${domain}`;
    const { userId, token } = await server().createUserWithToken({ email, ...extra });
    return { id: userId, email, token, api: apiClient(server().url, token) };
  };
}

/**
 * A project the admin creates with `body`, led by `lead` and labelled by `annotators`, holding
 * `items`; returns its id and its items' ids in import order.
 */
export async function projectWithTeam(
  server: TestServer,
  team: { admin: Member; lead: Member; annotators: Member[] },
  body: Record<string, unknown>,
  items: Array<Record<string, unknown>>,
): Promise<{ projectId: number; itemIds: number[] }> {
  const created = await team.admin.api.post<{ project: { id: number } }>("/projects", body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  for (const [member, role] of [
    [team.lead, "lead"],
    ...team.annotators.map((annotator) => [annotator, "annotator"] as const),
  ] as const) {
    const added = await team.admin.api.post(`/projects/${projectId}/members`, {
      email: member.email,
      role,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  const imported = await team.lead.api.post(`/projects/${projectId}/items`, items);
  expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
  const rows = await server.context.db
    .selectFrom("items")
    .select("id")
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
  return { projectId, itemIds: rows.map((row) => row.id) };
}

/** The member's next reservation in the project, or null when the queue has none for them. */
export async function reserve(member: Member, projectId: number): Promise<number | null> {
  const next = await member.api.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${projectId}`,
  );
  expect(next.status, JSON.stringify(next.body)).toBe(200);
  return next.body.assignment?.itemId ?? null;
}

/**
 * A workspace admin (`admin@example.test`) and `count` people (`lead<n>@example.test`) to make
 * leads of a project, each with an API client.
 */
export async function adminAndLeads(
  server: TestServer,
  count: number,
): Promise<{ admin: ApiClient; leads: Array<{ id: number; email: string; api: ApiClient }> }> {
  const admin = apiClient(
    server.url,
    (await server.createUserWithToken({ email: "admin@example.test", isAdmin: true })).token,
  );
  const leads = [];
  for (let index = 0; index < count; index++) {
    const email = `lead${index}@example.test`;
    const { userId, token } = await server.createUserWithToken({ email });
    leads.push({ id: userId, email, api: apiClient(server.url, token) });
  }
  return { admin, leads };
}
