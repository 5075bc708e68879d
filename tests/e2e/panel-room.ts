import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { itemRoomName, labelToJson } from "../../app/domain/room.ts";
import type { Label, TemplateInput } from "../../app/domain/template.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn } from "./browser.ts";

const PASSWORD = "correct horse battery staple";

export interface PanelPerson {
  email: string;
  userId: number;
  api: ApiClient;
}

/**
 * A medical project with an admin, a lead and two experts (`expert1`, `expert2`) at overlap 2,
 * for browser tests of the adjudication room. Each test takes an item of its own from
 * `disputedItem`, so none rests on what another did to its room.
 */
export interface PanelRoomProject {
  server: TestServer;
  browser: Browser;
  projectId: number;
  people: Record<"admin" | "lead" | "expert1" | "expert2", PanelPerson>;
  /** A new item the two experts labelled apart, waiting in its room for the panel. */
  disputedItem(labels: { expert1: Label; expert2: Label }): Promise<number>;
  /** The room's draft as the server stores it. */
  storedDraft(itemId: number): Promise<Label>;
  /** A page of the item's room, signed in as `email`, once the document has loaded. */
  openRoom(email: string, itemId: number): Promise<Page>;
  stop(): Promise<void>;
}

export async function startPanelRoomProject(options: {
  /** Names the project and the people's email domain (`lead@<slug>.test`). */
  slug: string;
  fields: TemplateInput["fields"];
  responseText: string;
}): Promise<PanelRoomProject> {
  const { slug, fields, responseText } = options;
  const [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const person = async (name: string, extra: Record<string, unknown> = {}) => {
    const email = `${name}@${slug}.test`;
    const { userId, token } = await server.createUserWithToken({ email, ...extra });
    return { email, userId, api: apiClient(server.url, token) };
  };
  const expert = { level: "expert", domains: ["medical"] };
  const people = {
    admin: await person("admin", { isAdmin: true }),
    lead: await person("lead"),
    expert1: await person("expert1", expert),
    expert2: await person("expert2", expert),
  };
  const created = await people.admin.api.post<{ project: { id: number } }>("/projects", {
    name: slug,
    domain: "medical",
    overlap: 2,
    settings: { goldRate: 0 },
    template: { fields },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  for (const [member, role] of [
    [people.lead, "lead"],
    [people.expert1, "annotator"],
    [people.expert2, "annotator"],
  ] as const) {
    const added = await people.admin.api.post(`/projects/${projectId}/members`, {
      email: member.email,
      role,
    });
    expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
  }

  let items = 0;
  return {
    server,
    browser,
    projectId,
    people,
    async disputedItem(labels) {
      items++;
      const externalId = `${slug}-${items}`;
      const imported = await people.admin.api.post(`/projects/${projectId}/items`, [
        {
          externalId,
          prompt: "Is warfarin with aspirin safe?",
          responses: [{ id: "a", text: responseText }],
          annotations: [
            { annotator: people.expert1.email, label: labels.expert1 },
            { annotator: people.expert2.email, label: labels.expert2 },
          ],
        },
      ]);
      expect(imported.status, JSON.stringify(imported.body)).toBe(201);
      const item = await server.context.db
        .selectFrom("items")
        .select(["id", "status"])
        .where("project_id", "=", projectId)
        .where("external_id", "=", externalId)
        .executeTakeFirstOrThrow();
      expect(item.status).toBe("disputed");
      return item.id;
    },
    async storedDraft(itemId) {
      const doc = await server.context.rooms.read(itemRoomName(itemId));
      try {
        return labelToJson(doc);
      } finally {
        doc.destroy();
      }
    },
    async openRoom(email, itemId) {
      const page = await openSignedIn(
        browser,
        { baseUrl: server.url, email, password: PASSWORD },
        `/items/${itemId}/room`,
      );
      await page.locator(".room[data-room-loaded='true']").waitFor();
      return page;
    },
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}
