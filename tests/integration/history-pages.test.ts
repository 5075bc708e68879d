import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { memberMaker, projectWithTeam, reserve, type Member } from "../setup/team-project.ts";

/** An annotator with more labels than one page of their history reaches every one of them. */

const LABELS = 600;
const PASSWORD = "correct horse battery staple";
const template = {
  fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] }],
};

let server: TestServer;
let annotator: Member;
let projectId: number;
/** The annotator's annotations, oldest first. */
let annotationIds: number[];
const person = memberMaker(() => server, "history-pages.test");

type Page = {
  annotations: Array<{ id: number; item: { id: number } }>;
  total: number;
  reviewed: number;
  nextCursor: number | null;
};

beforeAll(async () => {
  server = await startTestServer();
  const admin = await person("admin", { isAdmin: true });
  const lead = await person("lead");
  annotator = await person("annotator", { password: PASSWORD });
  ({ projectId } = await projectWithTeam(
    server,
    { admin, lead, annotators: [annotator] },
    { name: "History pages", template, overlap: 1 },
    [{ externalId: "h-0", prompt: "Safe?", responses: [{ id: "a", text: "Yes." }] }],
  ));
  const itemId = await reserve(annotator, projectId);
  const submitted = await annotator.api.post(`/items/${itemId}/annotations`, {
    label: { verdict: "safe" },
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  // The rest of the labels are written in bulk after the first.
  await sql`
    insert into items (project_id, external_id, prompt, responses, content_hash)
    select project_id, 'h-' || n, prompt, responses, content_hash || n
      from items, generate_series(1, ${LABELS - 1}) as n
     where id = ${itemId}`.execute(server.context.db);
  await sql`
    insert into annotations (item_id, user_id, label)
    select items.id, ${annotator.id}, '{"verdict":"unsafe"}'::jsonb
      from items where project_id = ${projectId} and id <> ${itemId}
     order by items.id`.execute(server.context.db);
  const rows = await server.context.db
    .selectFrom("annotations")
    .select("id")
    .where("user_id", "=", annotator.id)
    .orderBy("id")
    .execute();
  annotationIds = rows.map((row) => row.id);
  expect(annotationIds).toHaveLength(LABELS);
});

afterAll(async () => {
  await server?.stop();
});

describe("an annotator's own annotations past the first page", () => {
  it("pages through every one, newest first, and counts them all", async () => {
    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `?cursor=${cursor}`;
      const page = await annotator.api.get<Page>(`/projects/${projectId}/annotations/mine${query}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body).toMatchObject({ total: LABELS, reviewed: 0 });
      expect(page.body.annotations.length).toBeLessThanOrEqual(500);
      seen.push(...page.body.annotations.map((annotation) => annotation.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(2);
    expect(seen).toEqual([...annotationIds].reverse());

    const small = await annotator.api.get<Page>(`/projects/${projectId}/annotations/mine?limit=2`);
    expect(small.body.annotations.map((annotation) => annotation.id)).toEqual(
      annotationIds.slice(-2).reverse(),
    );
    expect(small.body.nextCursor).toBe(annotationIds[LABELS - 2]);
    const tooMany = await annotator.api.get(`/projects/${projectId}/annotations/mine?limit=501`);
    expect(tooMany.status).toBe(400);
  });

  it("leads the history page to the oldest label", async () => {
    const cookie = await signInCookie(server.url, annotator.email, PASSWORD);
    const page = async (path: string) => {
      const response = await fetch(`${server.url}${path}`, { headers: { Cookie: cookie } });
      expect(response.status).toBe(200);
      return (await response.text()).replaceAll("<!-- -->", "");
    };
    const newest = await page(`/projects/${projectId}/history`);
    expect(newest).toContain(`${LABELS} labels`);
    const older = /href="([^"]*history\?before=\d+)"[^>]*>Older labels</.exec(newest);
    expect(older, "a link to the older labels").not.toBeNull();
    const oldest = await page(older![1]);
    expect(oldest).toContain(`id="annotation-${annotationIds[0]}"`);
    expect(oldest).toContain(">Newest labels<");
    expect(oldest).not.toContain(">Older labels<");
  });
});
