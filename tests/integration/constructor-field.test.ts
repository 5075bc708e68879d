import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemRoomName, labelToJson } from "../../app/domain/room.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { memberMaker, projectWithTeam, type Member } from "../setup/team-project.ts";

/**
 * An optional field named `constructor` that nobody answered is no answer: the labels agree, the
 * item settles, and its room opens, as for any other field id.
 */

const template = {
  fields: [
    { id: "score", type: "rating", label: "Score", min: 1, max: 5, required: true },
    { id: "constructor", type: "choice", label: "Built as claimed", options: ["yes", "no"] },
  ],
};

const responses = [{ id: "a", text: "Yes." }];

let server: TestServer;
let lead: Member;
let experts: Member[];
let projectId: number;
let itemIds: number[];
const person = memberMaker(() => server, "constructor-field.test");

beforeAll(async () => {
  server = await startTestServer();
  const admin = await person("admin", { isAdmin: true });
  lead = await person("lead");
  experts = [
    await person("expert", { level: "expert" }),
    await person("expert", { level: "expert" }),
  ];
  const labelsOf = (scores: number[]) =>
    experts.map((expert, index) => ({ annotator: expert.email, label: { score: scores[index] } }));
  ({ projectId, itemIds } = await projectWithTeam(
    server,
    { admin, lead, annotators: experts },
    { name: "Constructor field", template, overlap: 2, settings: { goldRate: 0 } },
    [
      { externalId: "agreed", prompt: "Built?", responses, annotations: labelsOf([3, 3]) },
      { externalId: "apart", prompt: "Built?", responses, annotations: labelsOf([1, 5]) },
    ],
  ));
});

afterAll(async () => {
  await server?.stop();
});

describe("a template field named constructor, left empty by every label", () => {
  it("does not dispute the item: labels that agree settle it", async () => {
    const items = await server.context.db
      .selectFrom("items")
      .leftJoin("item_outcomes", "item_outcomes.item_id", "items.id")
      .select(["items.external_id", "items.status", "item_outcomes.aggregated_label"])
      .where("items.project_id", "=", projectId)
      .orderBy("items.id")
      .execute();
    expect(items).toEqual([
      { external_id: "agreed", status: "consensus", aggregated_label: { score: 3 } },
      expect.objectContaining({ external_id: "apart", status: "disputed" }),
    ]);
  });

  it("opens the room of a disputed item, with the field empty", async () => {
    const itemId = itemIds[1]!;
    await expect(prepareItemRoom(server.context, itemId)).resolves.toBe("updated");
    const doc = await server.context.rooms.read(itemRoomName(itemId));
    try {
      expect(Object.hasOwn(labelToJson(doc), "constructor")).toBe(false);
    } finally {
      doc.destroy();
    }
  });
});

describe("a template field named constructor that a gold label leaves out", () => {
  it("is no part of an annotator's gold accuracy", async () => {
    const { id: goldItemId } = await server.context.db
      .insertInto("items")
      .values({
        project_id: projectId,
        external_id: "gold",
        prompt: JSON.stringify("Built?"),
        responses: JSON.stringify(responses),
        gold_label: JSON.stringify({ score: 3 }),
        content_hash: "constructor-field-gold",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await server.context.db
      .insertInto("annotations")
      .values({ item_id: goldItemId, user_id: experts[0]!.id, label: JSON.stringify({ score: 3 }) })
      .execute();
    const { body } = await lead.api.get<{
      quality: { goldAccuracy: Array<{ fields: Array<{ fieldId: string; count: number }> }> };
    }>(`/projects/${projectId}/quality`);
    expect(body.quality.goldAccuracy.map((entry) => entry.fields)).toEqual([
      [
        expect.objectContaining({ fieldId: "score", accuracy: 1, count: 1 }),
        expect.objectContaining({ fieldId: "constructor", accuracy: null, count: 0 }),
      ],
    ]);
  });
});
