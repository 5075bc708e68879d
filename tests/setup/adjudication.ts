import { expect } from "vitest";
import { apiClient, type ApiClient } from "./api-client.ts";
import type { TestServer } from "./server.ts";

export interface Person {
  id: number;
  email: string;
  token: string;
  api: ApiClient;
}

/** Everyone an adjudication involves; the experts label items, `invited` joins panels later. */
export interface Cast {
  admin: Person;
  lead: Person;
  experts: [Person, Person, Person];
  invited: Person;
  junior: Person;
  client: Person;
  outsider: Person;
}

export const template = {
  fields: [
    { id: "preference", type: "preference", label: "Preference", scale: 2, required: true },
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5, required: true },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
    { id: "critique", type: "text", label: "Critique" },
  ],
};

export const responses = [
  { id: "a", text: "Take 5 mg of warfarin daily with the antibiotic." },
  { id: "b", text: "Check the INR within 3 days; the antibiotic potentiates warfarin." },
];

export const doseSpan = {
  responseId: "a",
  start: 5,
  end: 9,
  category: "dosage",
  severity: "major",
};

/** Three independent labels that disagree on preference and accuracy (spread 2). */
export const disputedLabels = [
  { preference: -1, accuracy: 2, errors: [doseSpan], critique: "The dose ignores the INR." },
  { preference: 1, accuracy: 4, errors: [doseSpan] },
  { preference: 2, accuracy: 4, errors: [] },
];

export async function createCast(server: TestServer): Promise<Cast> {
  const person = async (email: string, extra: Record<string, unknown> = {}): Promise<Person> => {
    const { userId, token } = await server.createUserWithToken({ email, ...extra });
    return { id: userId, email, token, api: apiClient(server.url, token) };
  };
  const expert = (email: string) => person(email, { level: "expert", domains: ["medical"] });
  return {
    admin: await person("admin@example.test", { isAdmin: true }),
    lead: await person("lead@example.test"),
    experts: [
      await expert("expert1@example.test"),
      await expert("expert2@example.test"),
      await expert("expert3@example.test"),
    ],
    invited: await expert("expert4@example.test"),
    junior: await person("junior@example.test", { level: "junior", domains: ["medical"] }),
    client: await person("client@example.test"),
    outsider: await expert("outsider@example.test"),
  };
}

/** A project with the cast as its members (the junior only when asked), created by the admin. */
export async function createProject(
  cast: Cast,
  body: Record<string, unknown>,
  options: { withJunior?: boolean } = {},
): Promise<number> {
  const created = await cast.admin.api.post<{ project: { id: number } }>("/projects", {
    name: "Warfarin interactions",
    template,
    ...body,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  const members: Array<[Person, string]> = [
    [cast.lead, "lead"],
    ...cast.experts.map((expert): [Person, string] => [expert, "annotator"]),
    [cast.invited, "annotator"],
    [cast.client, "client"],
    ...(options.withJunior ? [[cast.junior, "annotator"] as [Person, string]] : []),
  ];
  for (const [member, role] of members) {
    const added = await cast.admin.api.post(`/projects/${projectId}/members`, {
      email: member.email,
      role,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  return projectId;
}

/** Imports one item and has each annotator take it from the queue and submit their label. */
export async function labelledItem(
  cast: Cast,
  projectId: number,
  labels: Array<[Person, Record<string, unknown>]>,
): Promise<number> {
  const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
    { externalId: `item-${projectId}`, prompt: "Warfarin with an antibiotic?", responses },
  ]);
  expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
  let itemId = 0;
  for (const [annotator, label] of labels) {
    const next = await annotator.api.get<{ assignment: { itemId: number } | null }>(
      `/queue/next?project=${projectId}`,
    );
    expect(next.body.assignment, annotator.email).not.toBeNull();
    itemId = next.body.assignment!.itemId;
    const submitted = await annotator.api.post(`/items/${itemId}/annotations`, { label });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  }
  return itemId;
}

/** A project of its own with one item the three experts labelled in disagreement. */
export async function disputedItem(
  cast: Cast,
  settings: Record<string, unknown> = {},
): Promise<{ projectId: number; itemId: number }> {
  const projectId = await createProject(cast, { overlap: 3, settings });
  const itemId = await labelledItem(
    cast,
    projectId,
    cast.experts.map((expert, index) => [expert, disputedLabels[index]]),
  );
  return { projectId, itemId };
}
