import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addComment, commentsToJson, reviewRoomName } from "../../app/domain/room.ts";
import { prepareReviewRoom } from "../../server/services/room.ts";
import { expectApiError } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { memberMaker, projectWithTeam, reserve, type Member } from "../setup/team-project.ts";

/**
 * What a lead's review judges and shows: the label the lead read, every review however many,
 * the lead's own comments in the review room, and comments that say something about the item.
 */

const template = {
  fields: [
    {
      id: "verdict",
      type: "choice",
      label: "Verdict",
      options: ["safe", "unsafe"],
      required: true,
    },
    { id: "notes", type: "text", label: "Notes" },
  ],
};
const RESPONSE = "Take it with food, twice.";
const PASSWORD = "correct horse battery staple";

let server: TestServer;
let admin: Member;
let lead: Member;
let projects = 0;
const person = memberMaker(() => server, "review-integrity.test");

/** A project reviewing every junior label, of overlap 2, with one item; a junior labels it. */
async function juniorLabelled(label: Record<string, unknown> = { verdict: "safe" }) {
  projects += 1;
  const junior = await person("junior", { level: "junior" });
  const { projectId, itemIds } = await projectWithTeam(
    server,
    { admin, lead, annotators: [junior] },
    {
      name: `Review integrity ${projects}`,
      template,
      overlap: 2,
      settings: { juniorReview: { firstN: 20, rate: 1 } },
    },
    [{ externalId: `q-${projects}`, prompt: "Safe?", responses: [{ id: "a", text: RESPONSE }] }],
  );
  const [itemId] = itemIds;
  expect(await reserve(junior, projectId)).toBe(itemId);
  const submitted = await junior.api.post<{
    annotation: { id: number; sampledForReview: boolean };
  }>(`/items/${itemId}/annotations`, { label });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  expect(submitted.body.annotation.sampledForReview).toBe(true);
  const review = await server.context.db
    .selectFrom("reviews")
    .select("id")
    .where("annotation_id", "=", submitted.body.annotation.id)
    .executeTakeFirstOrThrow();
  return {
    junior,
    projectId,
    itemId,
    annotationId: submitted.body.annotation.id,
    reviewId: review.id,
  };
}

beforeAll(async () => {
  server = await startTestServer();
  admin = await person("admin", { isAdmin: true });
  lead = await person("lead", { password: PASSWORD });
});

afterAll(async () => {
  await server?.stop();
});

describe("a verdict judges the label the lead read", () => {
  it("refuses a junior's revision of a label waiting in the review queue", async () => {
    const { junior, itemId, reviewId, annotationId } = await juniorLabelled();
    const revised = await junior.api.put(`/items/${itemId}/annotations/mine`, {
      label: { verdict: "unsafe" },
    });
    expectApiError(revised, 409, "conflict");
    expect(JSON.stringify(revised.body)).toContain("A lead is reviewing this label");

    const accepted = await lead.api.post(`/reviews/${reviewId}`, { verdict: "accept" });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const stored = await server.context.db
      .selectFrom("annotations")
      .select("label")
      .where("id", "=", annotationId)
      .executeTakeFirstOrThrow();
    expect(stored.label).toEqual({ verdict: "safe" });
  });
});

describe("a project with more reviews than one page", () => {
  const DECIDED = 505;
  const PENDING = 5;
  let projectId: number;
  let pendingIds: number[];

  beforeAll(async () => {
    const first = await juniorLabelled();
    projectId = first.projectId;
    // The first review is decided through the API, the rest are written in bulk after it.
    expect((await lead.api.post(`/reviews/${first.reviewId}`, { verdict: "accept" })).status).toBe(
      200,
    );
    await sql`
      insert into items (project_id, external_id, prompt, responses, content_hash)
      select project_id, 'bulk-' || n, prompt, responses, content_hash || n
        from items, generate_series(1, ${DECIDED - 1 + PENDING}) as n
       where id = ${first.itemId}`.execute(server.context.db);
    await sql`
      insert into annotations (item_id, user_id, label)
      select items.id, ${first.junior.id}, '{"verdict":"safe"}'::jsonb
        from items where project_id = ${projectId} and external_id like 'bulk-%'
       order by items.id`.execute(server.context.db);
    await sql`
      insert into reviews (annotation_id, project_id, verdict, decided_at, reviewer_id)
      select annotations.id, ${projectId},
             case when row_number() over (order by annotations.id) <= ${DECIDED - 1}
                  then 'accepted' else 'pending' end,
             case when row_number() over (order by annotations.id) <= ${DECIDED - 1}
                  then now() end,
             case when row_number() over (order by annotations.id) <= ${DECIDED - 1}
                  then ${lead.id}::integer end
        from annotations join items on items.id = annotations.item_id
       where items.external_id like 'bulk-%' and items.project_id = ${projectId}
       order by annotations.id`.execute(server.context.db);
    const pending = await server.context.db
      .selectFrom("reviews")
      .select("id")
      .where("project_id", "=", projectId)
      .where("verdict", "=", "pending")
      .orderBy("id")
      .execute();
    pendingIds = pending.map((row) => row.id);
    expect(pendingIds).toHaveLength(PENDING);
  });

  it("pages through every review with a cursor, and counts them all", async () => {
    type Page = { reviews: Array<{ id: number }>; total: number; nextCursor: number | null };
    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `&cursor=${cursor}`;
      const page = await lead.api.get<Page>(`/projects/${projectId}/reviews?verdict=all${query}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.total).toBe(DECIDED + PENDING);
      expect(page.body.reviews.length).toBeLessThanOrEqual(500);
      seen.push(...page.body.reviews.map((review) => review.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(DECIDED + PENDING);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    const pending = await lead.api.get<Page>(`/projects/${projectId}/reviews`);
    expect(pending.body).toMatchObject({ total: PENDING, nextCursor: null });
    expect(pending.body.reviews.map((review) => review.id)).toEqual(pendingIds);
    const small = await lead.api.get<Page>(`/projects/${projectId}/reviews?limit=2`);
    expect(small.body.reviews.map((review) => review.id)).toEqual(pendingIds.slice(0, 2));
    expect(small.body.nextCursor).toBe(pendingIds[1]);
  });

  it("opens the page of a review past the 500th, and the queue counts and links every pending one", async () => {
    const cookie = await signInCookie(server.url, lead.email, PASSWORD);
    const page = (path: string) =>
      fetch(`${server.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
    const last = await page(`/projects/${projectId}/reviews/${pendingIds[PENDING - 1]}`);
    expect(last.status).toBe(200);
    const queue = await page(`/projects/${projectId}/reviews`);
    expect(queue.status).toBe(200);
    const html = (await queue.text()).replaceAll("<!-- -->", "");
    expect(html).toContain(`Pending <span class="muted small">(${PENDING})</span>`);
    for (const id of pendingIds) {
      expect(html).toContain(`href="/projects/${projectId}/reviews/${id}"`);
    }
  });
});

describe("the lead's comments in the review room", () => {
  it("shows the lead's comments even when the room holds another's under their ids", async () => {
    const { annotationId, reviewId } = await juniorLabelled();
    expect(await prepareReviewRoom(server.context, annotationId)).toBe("updated");
    const juniorKey = "k-junior-decoy";
    // As a room written before participants were kept from the server's comment ids.
    await server.context.rooms.applyServerUpdate(reviewRoomName(annotationId), (doc) => {
      for (let index = 0; index < 2; index++) {
        addComment(doc, { id: `review-${reviewId}-${index}`, author: juniorKey, text: "decoy" });
      }
    });
    const decided = await lead.api.post(`/reviews/${reviewId}`, {
      verdict: "reject",
      comments: [{ text: "The response says twice, not once" }, { text: "Read it again" }],
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await prepareReviewRoom(server.context, annotationId);
    expect(await prepareReviewRoom(server.context, annotationId)).toBe("up to date");
    const doc = await server.context.rooms.read(reviewRoomName(annotationId));
    const texts = commentsToJson(doc)
      .filter((comment) => comment.author !== juniorKey)
      .map((comment) => comment.text);
    expect(texts).toEqual(["The response says twice, not once", "Read it again"]);
  });
});

describe("what a verdict's comments and correction must say", () => {
  it("refuses a comment on a field the template lacks", async () => {
    const { reviewId } = await juniorLabelled();
    const details = expectApiError(
      await lead.api.post(`/reviews/${reviewId}`, {
        verdict: "reject",
        comments: [{ fieldId: "no-such-field", text: "wrong" }],
      }),
      422,
      "validation_failed",
    );
    expect(details).toEqual([
      expect.objectContaining({
        field: "comments.0.fieldId",
        message: 'the template has no field "no-such-field"',
      }),
    ]);
  });

  it("refuses comments of only blank or zero-width characters as a reason", async () => {
    const { reviewId } = await juniorLabelled();
    for (const text of ["\u200b\u200b\u200b", "\u200d\u2060\ufeff", "\u00ad \u180e"]) {
      const details = expectApiError(
        await lead.api.post(`/reviews/${reviewId}`, { verdict: "reject", comments: [{ text }] }),
        422,
        "validation_failed",
      );
      expect(details?.[0]).toMatchObject({ field: "comments.0.text" });
    }
  });

  it("refuses a correction identical to the junior's label", async () => {
    const { reviewId } = await juniorLabelled({ verdict: "safe", notes: "fine" });
    const details = expectApiError(
      await lead.api.post(`/reviews/${reviewId}`, {
        verdict: "correct",
        correctedLabel: { notes: "fine", verdict: "safe" },
        comments: [{ text: "looks fine" }],
      }),
      422,
      "validation_failed",
    );
    expect(details?.[0]).toMatchObject({ field: "correctedLabel" });
    const corrected = await lead.api.post(`/reviews/${reviewId}`, {
      verdict: "correct",
      correctedLabel: { notes: "fine", verdict: "unsafe" },
      comments: [{ text: "it is not" }],
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
  });

  it("reports a span past the response's end as that, before the quote total", async () => {
    const { reviewId } = await juniorLabelled();
    const details = expectApiError(
      await lead.api.post(`/reviews/${reviewId}`, {
        verdict: "reject",
        comments: [{ span: { responseId: "a", start: 0, end: 20_000 }, text: "here" }],
      }),
      422,
      "validation_failed",
    );
    expect(details).toEqual([
      expect.objectContaining({
        field: "comments.0.span.end",
        message: expect.stringContaining(`(${RESPONSE.length})`),
      }),
    ]);
  });
});
