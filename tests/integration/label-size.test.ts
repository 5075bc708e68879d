import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSpan, itemRoomName } from "../../app/domain/room.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  disputedItem,
  disputedLabels,
  labelledItem,
  type Cast,
} from "../setup/adjudication.ts";
import { expectApiError, type ApiResponse } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * A label is bounded in size once the server has quoted its spans: the spans of a label quote
 * at most `quoteLimit` of the item's responses in all (span-offsets.ts), wherever labels enter,
 * and no server write takes a room past its size cap.
 */

// 50,000 characters in all: the spans of one label may quote 200,000 of them.
const longResponse = { id: "a", text: "word ".repeat(9_998) };
const responses = [longResponse, { id: "b", text: "Fine dose." }];
const wholeResponse = (category = "dosage") => ({
  responseId: "a",
  start: 0,
  end: longResponse.text.length,
  category,
  severity: "major",
});
/** 1,000 spans over the whole response, without their text: an 81 kB request. */
const amplifying = {
  preference: 0,
  accuracy: 3,
  errors: Array.from({ length: 1_000 }, () => wholeResponse()),
};
const overLimit = {
  field: "errors",
  message: expect.stringMatching(
    /^the spans of a label may together quote at most 200,000 characters .*; these quote 49,990,000$/,
  ),
};

/** The details of a refusal, checked first by status alone: a label accepted may be 100 MB. */
function refusal(response: ApiResponse<unknown>, status = 422, code = "validation_failed") {
  const bytes = JSON.stringify(response.body).length;
  expect(response.status, `answered ${response.status} with ${bytes} bytes`).toBe(status);
  return expectApiError(response, status, code);
}

describe("a label whose spans would quote more than the limit", () => {
  let server: TestServer;
  let cast: Cast;
  let projectId: number;
  let itemId: number;

  beforeAll(async () => {
    server = await startTestServer();
    cast = await createCast(server);
    projectId = await createProject(cast, { overlap: 2 });
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
      { externalId: "long", prompt: "Is the dose right?", responses },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const next = await cast.experts[0].api.get<{ assignment: { itemId: number } }>(
      `/queue/next?project=${projectId}`,
    );
    itemId = next.body.assignment.itemId;
  });

  afterAll(async () => {
    await server?.stop();
  });

  const db = () => server.context.db;
  const storedLabels = async (id: number) =>
    (await db().selectFrom("annotations").select("label").where("item_id", "=", id).execute()).map(
      (row) => row.label,
    );

  it("is refused at submission with 422 naming the field, quickly, and nothing is stored", async () => {
    expect(JSON.stringify({ label: amplifying }).length).toBeLessThan(100_000);
    const started = performance.now();
    const response = await cast.experts[0].api.post(`/items/${itemId}/annotations`, {
      label: amplifying,
    });
    const elapsedMs = performance.now() - started;
    expect(response.status, `answered in ${Math.round(elapsedMs)} ms`).toBe(422);
    expect(refusal(response)).toEqual([overLimit]);
    expect(JSON.stringify(response.body).length).toBeLessThan(2_000);
    expect(elapsedMs).toBeLessThan(1_000);
    expect(await storedLabels(itemId)).toEqual([]);
  });

  it("leaves an ordinary label valid: a few dozen spans, overlapping, nested and repeated", async () => {
    const sentence = (start: number, end: number, category = "dosage") => ({
      responseId: "a",
      start,
      end,
      category,
      severity: "minor",
    });
    const errors = [
      // The whole response twice, under two categories: 99,980 characters already.
      wholeResponse(),
      wholeResponse("interaction"),
      ...Array.from({ length: 30 }, (_, index) => sentence(index * 500, index * 500 + 1_004)),
      sentence(0, 4),
      sentence(0, 4, "interaction"),
    ];
    const response = await cast.experts[0].api.post<{ annotation: { label: typeof amplifying } }>(
      `/items/${itemId}/annotations`,
      { label: { preference: 1, accuracy: 2, errors } },
    );
    expect(response.status, JSON.stringify(response.body).slice(0, 500)).toBe(201);
    const [stored] = (await storedLabels(itemId)) as Array<{
      errors: Array<{ start: number; end: number; text: string }>;
    }>;
    expect(stored!.errors).toHaveLength(errors.length);
    for (const marked of stored!.errors) {
      expect(marked.text).toBe(longResponse.text.slice(marked.start, marked.end));
    }
  });

  it("is refused as a revision, and the label stays as it was", async () => {
    const before = await storedLabels(itemId);
    const response = await cast.experts[0].api.put(`/items/${itemId}/annotations/mine`, {
      label: amplifying,
    });
    expect(refusal(response)).toEqual([overLimit]);
    expect(await storedLabels(itemId)).toEqual(before);
  });

  it("is refused in an import, with its row and field, and nothing is stored", async () => {
    const items = async () =>
      (
        await db()
          .selectFrom("items")
          .select((eb) => eb.fn.countAll<number>().as("count"))
          .where("project_id", "=", projectId)
          .executeTakeFirstOrThrow()
      ).count;
    const before = await items();
    const response = await cast.lead.api.post(`/projects/${projectId}/items`, [
      {
        externalId: "imported",
        prompt: "Is the dose right?",
        responses,
        gold: { label: amplifying },
        annotations: [{ annotator: cast.experts[1].email, label: amplifying }],
      },
    ]);
    expect(refusal(response)).toEqual([
      { row: 1, field: "gold.label.errors", message: overLimit.message },
      { row: 1, field: "annotations.0.label.errors", message: overLimit.message },
    ]);
    expect(await items()).toBe(before);
  });

  it("is refused as a lead's correction in a review", async () => {
    const reviewed = await createProject(cast, { overlap: 1 }, { withJunior: true });
    await cast.lead.api.post(`/projects/${reviewed}/items`, [
      { externalId: "long", prompt: "Is the dose right?", responses },
    ]);
    const next = await cast.junior.api.get<{ assignment: { itemId: number } }>(
      `/queue/next?project=${reviewed}`,
    );
    const submitted = await cast.junior.api.post(
      `/items/${next.body.assignment.itemId}/annotations`,
      { label: { preference: 1, accuracy: 3 } },
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const reviews = await cast.lead.api.get<{ reviews: Array<{ id: number }> }>(
      `/projects/${reviewed}/reviews`,
    );
    const reviewId = reviews.body.reviews[0]!.id;
    const response = await cast.lead.api.post(`/reviews/${reviewId}`, {
      verdict: "correct",
      correctedLabel: amplifying,
      comments: [{ text: "Every dose is wrong." }],
    });
    expect(refusal(response)).toEqual([
      { field: "correctedLabel.errors", message: overLimit.message },
    ]);
    const review = await db()
      .selectFrom("reviews")
      .select(["verdict", "corrected_label"])
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
    expect(review).toEqual({ verdict: "pending", corrected_label: null });

    // A review's comments are anchored to spans quoted the same way, and bounded the same way.
    const anchored = await cast.lead.api.post(`/reviews/${reviewId}`, {
      verdict: "accept",
      comments: Array.from({ length: 100 }, () => ({
        span: { responseId: "a", start: 0, end: longResponse.text.length },
        text: "Here.",
      })),
    });
    expect(refusal(anchored)).toEqual([
      {
        field: "comments",
        message:
          "the comments of a review may together quote at most 200,000 characters, as the spans of a label; these quote 4,999,000",
      },
    ]);
    const unchanged = await db()
      .selectFrom("reviews")
      .select("verdict")
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
    expect(unchanged.verdict).toBe("pending");
  });

  it("is refused when a room's label is published, and no version is stored", async () => {
    // The fixture's responses hold 114 characters: the floor of 10,000 applies.
    const { itemId: disputed } = await disputedItem(cast);
    await prepareItemRoom(server.context, disputed);
    await server.context.rooms.applyServerUpdate(itemRoomName(disputed), (doc) => {
      for (let index = 0; index < 250; index++) {
        addSpan(doc, "errors", { ...wholeResponse(), end: 48 });
      }
    });
    const response = await cast.lead.api.post(`/items/${disputed}/publish`);
    expect(refusal(response)).toEqual([
      {
        field: "errors",
        message: expect.stringMatching(/at most 10,000 characters .*; these quote 12,\d{3}$/),
      },
    ]);
    const versions = await db()
      .selectFrom("adjudications")
      .select("version")
      .where("item_id", "=", disputed)
      .execute();
    expect(versions).toEqual([]);
  });
});

describe("a room the server would take past its size cap", () => {
  const maxDocumentBytes = 16 * 1024;
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    server = await startTestServer({ SYNC_MAX_DOCUMENT_BYTES: String(maxDocumentBytes) });
    cast = await createCast(server);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("is not written: opening it for publishing is refused with 409 and the room stays empty", async () => {
    const projectId = await createProject(cast, { overlap: 3 });
    // Three valid labels whose critiques the room's votes would hold: 24,000 characters.
    const itemId = await labelledItem(
      cast,
      projectId,
      cast.experts.map((expert, index) => [
        expert,
        { ...disputedLabels[index], critique: `${index}`.repeat(8_000) },
      ]),
    );
    const response = await cast.lead.api.post(`/items/${itemId}/publish`);
    refusal(response, 409, "conflict");
    expect((response.body as { error: { message: string } }).error.message).toBe(
      `The document ${itemRoomName(itemId)} would exceed its size limit of ${maxDocumentBytes} bytes`,
    );
    const db = server.context.db;
    const stored = await Promise.all(
      (["room_updates", "room_snapshots"] as const).map((table) =>
        db
          .selectFrom(table)
          .select("doc_name")
          .where("doc_name", "=", itemRoomName(itemId))
          .execute(),
      ),
    );
    expect(stored).toEqual([[], []]);
    const room = await server.context.rooms.read(itemRoomName(itemId));
    expect(room.getMap("votes").size).toBe(0);
    expect(room.getMap("meta").size).toBe(0);
  });
});
