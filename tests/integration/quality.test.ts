import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TemplateInput } from "../../app/domain/template.ts";
import type { DatabaseHandle } from "../../db/client.ts";
import type { ReviewVerdict, User } from "../../db/schema.ts";
import { createProject, updateProject } from "../../server/services/project-admin.ts";
import { projectQuality } from "../../server/services/quality.ts";
import { createUser } from "../../server/services/users.ts";
import { openTestDatabase } from "../setup/database.ts";

/**
 * A small project whose numbers are worked out by hand below.
 *
 * Fields: score (rating 1–5, interval), pref (preference, scale 2 → ordinal), verdict (single
 * choice → nominal), notes (free text: no gold score, no alpha). Gold rating tolerance 1.
 *
 * Gold items and their labels:
 *   g1 gold {score 4, verdict yes}: Ada {score 5, verdict yes}, Jun {score 3, verdict no}
 *   g2 gold {score 2, verdict no}:  Ada {score 4, verdict no}
 * Ada: score |5−4|=1 ≤ 1 → 1, |4−2|=2 → 0: mean 0.5 over 2; verdict 1, 1: 1.0 over 2;
 *      pref has no gold value: null over 0. Jun: score |3−4|=1 → 1 over 1; verdict 0 over 1.
 *
 * Ordinary items (score, pref, verdict):
 *   i1: Ada (4, 2, yes), Bo (4, 2, yes), Jun (2, 1, yes)
 *   i2: Ada (2, −2, no), Bo (3, −1, no)
 *   i3: Ada (5, 2, yes), Bo (4, −2, no), Jun (1, 0, no) rejected in review: left out
 *   i4: Ada (1, 0, no) alone: not pairable
 *   i5: Jun alone, pending review; i6: Kit alone, pending review
 *
 * score, interval alpha over units [4,4,2], [2,3], [5,4] (n = 7 values):
 *   D_o = (1/n) Σ_u Σ_{i≠j} δ² / (m_u − 1) = (16/2 + 2/1 + 2/1) / 7 = 12/7
 *   D_e = Σ_{i≠j} δ² / (n(n−1)) = 2 · n · Σ(v − v̄)² / 42; Σv = 24, Σv² = 90,
 *         Σ(v − v̄)² = 90 − 576/7 = 54/7, so D_e = 2 · 54 / 42 = 18/7
 *   alpha = 1 − (12/7)/(18/7) = 1/3
 * pref, ordinal alpha over [2,2,1], [−2,−1], [2,−2]: n_{−2} = 2, n_{−1} = 1, n_1 = 1, n_2 = 3
 *   coincidences: o(2,2) = 1, o(2,1) = o(1,2) = 1, o(−2,−1) = o(−1,−2) = 1, o(2,−2) = o(−2,2) = 1
 *   δ²(c,k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²: (−2,−1) 2.25, (−2,1) 6.25, (−2,2) 20.25,
 *         (−1,1) 1, (−1,2) 9, (1,2) 4
 *   D_o = (2·4 + 2·2.25 + 2·20.25) / 7 = 53/7
 *   D_e = 2 · (2·1·2.25 + 2·1·6.25 + 2·3·20.25 + 1·1·1 + 1·3·9 + 1·3·4) / 42 = 357/42 = 8.5
 *   alpha = 1 − (53/7)/8.5 = 13/119 (interval would give another value: the level matters)
 * verdict, nominal alpha over [yes,yes,yes], [no,no], [yes,no]: o(y,y) = 3, o(n,n) = 2,
 *   o(y,n) = o(n,y) = 1; n_y = 4, n_n = 3, n = 7
 *   D_o = 2/7, D_e = 2·4·3 / 42 = 4/7, alpha = 1 − 1/2 = 0.5
 *
 * Reviews: Jun accepted (g1), corrected (i1), rejected (i3), pending (i5) → 1 / 3 decided;
 * Kit pending (i6) → no rate yet.
 */

const template: TemplateInput = {
  fields: [
    { id: "score", type: "rating", label: "Score", min: 1, max: 5, level: "interval" },
    { id: "pref", type: "preference", label: "Preference", scale: 2 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["yes", "no"] },
    { id: "notes", type: "text", label: "Notes" },
  ],
};

type Person = "ada" | "bo" | "jun" | "kit";
type Labels = Record<string, string | number>;

let database: DatabaseHandle & { drop(): Promise<void> };
let admin: User;
let lead: User;
let client: User;
let users: Record<Person, User>;
let projectId: number;

async function addItem(externalId: string, gold?: Labels): Promise<number> {
  const { id } = await database.db
    .insertInto("items")
    .values({
      project_id: projectId,
      external_id: externalId,
      prompt: JSON.stringify("Is this right?"),
      responses: JSON.stringify([{ id: "a", text: "An answer." }]),
      gold_label: gold ? JSON.stringify(gold) : null,
      content_hash: externalId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

async function addLabel(
  itemId: number,
  person: Person,
  label: Labels,
  options: { review?: ReviewVerdict; rejected?: boolean } = {},
) {
  const { id } = await database.db
    .insertInto("annotations")
    .values({
      item_id: itemId,
      user_id: users[person].id,
      label: JSON.stringify(label),
      rejected_at: options.rejected ? new Date() : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (options.review) {
    await database.db
      .insertInto("reviews")
      .values({ annotation_id: id, project_id: projectId, verdict: options.review })
      .execute();
  }
}

beforeAll(async () => {
  database = await openTestDatabase();
  const make = (email: string, level: "junior" | "expert" | null = null, isAdmin = false) =>
    createUser(database.db, {
      email,
      name: email.split("@")[0],
      password: "quality-password",
      level,
      isAdmin,
    });
  admin = await make("admin@example.test", null, true);
  lead = await make("lead@example.test");
  client = await make("client@example.test");
  users = {
    ada: await make("ada@example.test", "expert"),
    bo: await make("bo@example.test", "expert"),
    jun: await make("jun@example.test", "junior"),
    kit: await make("kit@example.test", "junior"),
  };
  const project = await createProject(database.db, admin, {
    name: "Quality fixture",
    template,
    settings: { goldRatingTolerance: 1 },
  });
  projectId = project.id;
  const members: Array<[User, "lead" | "annotator" | "client"]> = [
    [lead, "lead"],
    [users.ada, "annotator"],
    [users.bo, "annotator"],
    [users.jun, "annotator"],
    [users.kit, "annotator"],
    [client, "client"],
  ];
  for (const [user, role] of members) {
    // One by one, so that pseudonyms follow the order annotators joined in.
    await database.db
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: user.id, role })
      .execute();
  }

  const g1 = await addItem("g1", { score: 4, verdict: "yes" });
  const g2 = await addItem("g2", { score: 2, verdict: "no" });
  await addLabel(g1, "ada", { score: 5, verdict: "yes" });
  await addLabel(g1, "jun", { score: 3, verdict: "no" }, { review: "accepted" });
  await addLabel(g2, "ada", { score: 4, verdict: "no", notes: "close call" });

  const i1 = await addItem("i1");
  await addLabel(i1, "ada", { score: 4, pref: 2, verdict: "yes" });
  await addLabel(i1, "bo", { score: 4, pref: 2, verdict: "yes" });
  await addLabel(i1, "jun", { score: 2, pref: 1, verdict: "yes" }, { review: "corrected" });
  const i2 = await addItem("i2");
  await addLabel(i2, "ada", { score: 2, pref: -2, verdict: "no" });
  await addLabel(i2, "bo", { score: 3, pref: -1, verdict: "no" });
  const i3 = await addItem("i3");
  await addLabel(i3, "ada", { score: 5, pref: 2, verdict: "yes" });
  await addLabel(i3, "bo", { score: 4, pref: -2, verdict: "no" });
  await addLabel(
    i3,
    "jun",
    { score: 1, pref: 0, verdict: "no" },
    { review: "rejected", rejected: true },
  );
  const i4 = await addItem("i4");
  await addLabel(i4, "ada", { score: 1, pref: 0, verdict: "no" });
  const i5 = await addItem("i5");
  await addLabel(i5, "jun", { score: 3, pref: 1, verdict: "yes" }, { review: "pending" });
  const i6 = await addItem("i6");
  await addLabel(i6, "kit", { score: 3, pref: 1, verdict: "yes" }, { review: "pending" });
});

afterAll(async () => {
  await database?.drop();
});

describe("projectQuality", () => {
  it("scores each annotator against gold items, field by field", async () => {
    const quality = await projectQuality(database.db, lead, projectId);
    expect(quality.pseudonymised).toBe(false);
    expect(quality.goldAccuracy).toEqual([
      {
        annotator: { id: users.ada.id, name: "ada", level: "expert" },
        goldItems: 2,
        fields: [
          { fieldId: "score", accuracy: 0.5, count: 2 },
          { fieldId: "pref", accuracy: null, count: 0 },
          { fieldId: "verdict", accuracy: 1, count: 2 },
        ],
      },
      {
        annotator: { id: users.jun.id, name: "jun", level: "junior" },
        goldItems: 1,
        fields: [
          { fieldId: "score", accuracy: 1, count: 1 },
          { fieldId: "pref", accuracy: null, count: 0 },
          { fieldId: "verdict", accuracy: 0, count: 1 },
        ],
      },
    ]);
  });

  it("gives each junior's review record and acceptance rate", async () => {
    const quality = await projectQuality(database.db, lead, projectId);
    expect(quality.juniorReviews).toEqual([
      {
        annotator: { id: users.jun.id, name: "jun", level: "junior" },
        accepted: 1,
        corrected: 1,
        rejected: 1,
        pending: 1,
        acceptanceRate: 1 / 3,
      },
      {
        annotator: { id: users.kit.id, name: "kit", level: "junior" },
        accepted: 0,
        corrected: 0,
        rejected: 0,
        pending: 1,
        acceptanceRate: null,
      },
    ]);
  });

  it("measures agreement per field at the field's level, over non-gold, non-rejected labels", async () => {
    const quality = await projectQuality(database.db, lead, projectId);
    expect(quality.agreement.map((field) => field.fieldId)).toEqual(["score", "pref", "verdict"]);
    const byField = new Map(quality.agreement.map((field) => [field.fieldId, field]));
    expect(byField.get("score")).toMatchObject({ level: "interval", items: 3 });
    expect(byField.get("score")!.alpha).toBeCloseTo(1 / 3, 10);
    expect(byField.get("pref")).toMatchObject({ level: "ordinal", items: 3 });
    expect(byField.get("pref")!.alpha).toBeCloseTo(13 / 119, 10);
    expect(byField.get("verdict")).toMatchObject({ level: "nominal", items: 3 });
    expect(byField.get("verdict")!.alpha).toBeCloseTo(0.5, 10);
  });

  it("shows clients pseudonyms in the order annotators joined, unless the project says otherwise", async () => {
    const hidden = await projectQuality(database.db, client, projectId);
    expect(hidden.pseudonymised).toBe(true);
    // Level-neutral pseudonyms, and no level beside them: it would narrow down who they are.
    expect(hidden.goldAccuracy.map((entry) => entry.annotator)).toEqual([
      { id: null, name: "Annotator A", level: null },
      { id: null, name: "Annotator C", level: null },
    ]);
    expect(hidden.juniorReviews.map((entry) => entry.annotator.name)).toEqual([
      "Annotator C",
      "Annotator D",
    ]);

    await updateProject(database.db, lead, projectId, {
      settings: { pseudonymiseForClients: false },
    });
    try {
      const named = await projectQuality(database.db, client, projectId);
      expect(named.pseudonymised).toBe(false);
      expect(named.goldAccuracy.map((entry) => entry.annotator.name)).toEqual(["ada", "jun"]);
    } finally {
      await updateProject(database.db, lead, projectId, {
        settings: { goldRatingTolerance: 1 },
      });
    }
  });

  it("is for leads and clients: annotators are refused, outsiders do not learn it exists", async () => {
    await expect(projectQuality(database.db, users.ada, projectId)).rejects.toMatchObject({
      code: "forbidden",
    });
    const outsider = await createUser(database.db, {
      email: "outsider@example.test",
      name: "outsider",
      password: "quality-password",
    });
    await expect(projectQuality(database.db, outsider, projectId)).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
