import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import { labelSchemaFor, templateSchema, type ResponseRef } from "../../app/domain/template.ts";
import type { DatabaseHandle } from "../../db/client.ts";
import { logIn } from "../../server/services/auth.ts";
import { prepareExport } from "../../server/services/export.ts";
import { projectProgress } from "../../server/services/progress.ts";
import { projectQuality } from "../../server/services/quality.ts";
import { projectThroughput, type DailyThroughput } from "../../server/services/throughput.ts";
import {
  DEMO_PASSWORD,
  demoUsers,
  itemContentHash,
  seedDemoWorkspace,
  seedDemoWorkspaceOnFirstStart,
} from "../../server/services/seed.ts";
import { createUser, findUserByEmail } from "../../server/services/users.ts";
import { openTestDatabase } from "../setup/database.ts";

let database: DatabaseHandle & { drop(): Promise<void> };

beforeEach(async () => {
  database = await openTestDatabase();
});

afterEach(async () => {
  await database.drop();
});

async function count(table: "users" | "projects" | "items" | "annotations" | "assignments") {
  const row = await database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return row.count;
}

describe("seedDemoWorkspace", () => {
  it("creates the contract's users, all signing in with the demo password", async () => {
    const result = await seedDemoWorkspace(database.db);
    expect(result.seeded).toBe(true);

    const users = await database.db.selectFrom("users").selectAll().orderBy("email").execute();
    expect(users.map((user) => user.email)).toEqual([
      "admin@demo.quorum",
      "client@demo.quorum",
      "expert1@demo.quorum",
      "expert2@demo.quorum",
      "expert3@demo.quorum",
      "junior1@demo.quorum",
      "junior2@demo.quorum",
      "lead@demo.quorum",
    ]);
    const byEmail = new Map(users.map((user) => [user.email, user]));
    expect(byEmail.get("admin@demo.quorum")?.is_admin).toBe(true);
    expect(users.filter((user) => user.is_admin)).toHaveLength(1);
    for (const email of ["expert1", "expert2", "expert3"].map((n) => `${n}@demo.quorum`)) {
      expect(byEmail.get(email)).toMatchObject({ level: "expert" });
      expect(byEmail.get(email)?.domains.length).toBeGreaterThan(0);
      expect(byEmail.get(email)?.hourly_rate_cents).toBeGreaterThan(0);
    }
    expect(byEmail.get("junior1@demo.quorum")?.level).toBe("junior");
    expect(byEmail.get("junior2@demo.quorum")?.level).toBe("junior");

    const policy = { maxFailures: 10, maxFailuresPerIp: 100, sessionTtlMs: 60_000 };
    for (const email of [demoUsers.lead.email, demoUsers.client.email]) {
      const { user } = await logIn(
        database.db,
        { email, password: DEMO_PASSWORD, ip: null, userAgent: null },
        policy,
      );
      expect(user.email).toBe(email);
    }
  });

  it("creates one project per preset, with the lead, the annotators and the client", async () => {
    await seedDemoWorkspace(database.db);
    const projects = await database.db.selectFrom("projects").selectAll().orderBy("id").execute();
    expect(projects).toHaveLength(4);

    for (const project of projects) {
      expect(templateSchema.safeParse(project.template).success).toBe(true);
      const members = await database.db
        .selectFrom("project_members")
        .innerJoin("users", "users.id", "project_members.user_id")
        .select(["users.email", "project_members.role"])
        .where("project_id", "=", project.id)
        .execute();
      const roleOf = new Map(members.map((member) => [member.email, member.role]));
      expect(roleOf.get("lead@demo.quorum")).toBe("lead");
      expect(roleOf.get("client@demo.quorum")).toBe("client");
      expect(roleOf.get("expert1@demo.quorum")).toBe("annotator");
      expect(roleOf.get("junior2@demo.quorum")).toBe("annotator");
      expect(roleOf.has("admin@demo.quorum")).toBe(false);
    }
    const fieldTypes = projects.map((project) =>
      templateSchema.parse(project.template).fields.map((field) => field.type),
    );
    expect(fieldTypes[0]).toContain("preference");
    expect(fieldTypes.flat()).toEqual(
      expect.arrayContaining(["rating", "preference", "choice", "spans", "text", "rewrite"]),
    );
  });

  it("creates items in every early stage, with annotations that fit their templates", async () => {
    await seedDemoWorkspace(database.db);
    const items = await database.db
      .selectFrom("items")
      .innerJoin("projects", "projects.id", "items.project_id")
      .select([
        "items.id",
        "items.status",
        "items.prompt",
        "items.responses",
        "items.content_hash",
        "items.external_id",
        "items.gold_label",
        "projects.template",
      ])
      .execute();
    const statuses = items.map((item) => item.status);
    for (const status of ["queued", "annotating", "consensus", "disputed"] as const) {
      expect(statuses.filter((s) => s === status).length).toBeGreaterThanOrEqual(3);
    }
    expect(items.some((item) => Array.isArray(item.prompt))).toBe(true);
    expect(new Set(items.map((item) => item.content_hash)).size).toBe(items.length);

    const annotations = await database.db.selectFrom("annotations").selectAll().execute();
    const assignments = await database.db.selectFrom("assignments").selectAll().execute();
    for (const item of items) {
      expect(item.content_hash).toBe(itemContentHash(item.prompt, item.responses));
      expect(item.external_id).not.toBe("");
      const responses = item.responses as ResponseRef[];
      expect(responses.length).toBeGreaterThan(0);

      const own = annotations.filter((annotation) => annotation.item_id === item.id);
      // Gold items stay queued whoever has answered them (decision 006).
      if (item.gold_label !== null) {
        expect(item.status, item.external_id).toBe("queued");
        expect(own.length, item.external_id).toBe(3);
        continue;
      }
      const expected = {
        queued: [0, 0],
        annotating: [1, 2],
        consensus: [3, 3],
        disputed: [3, 3],
        published: [3, 3],
      };
      const [least, most] = expected[item.status as keyof typeof expected];
      expect(own.length, item.external_id).toBeGreaterThanOrEqual(least);
      expect(own.length, item.external_id).toBeLessThanOrEqual(most);

      const schema = labelSchemaFor(templateSchema.parse(item.template), responses);
      for (const annotation of own) {
        const result = schema.safeParse(annotation.label);
        expect(result.error?.message, `${item.external_id}`).toBeUndefined();
        const assignment = assignments.find(
          (a) => a.item_id === item.id && a.user_id === annotation.user_id,
        );
        expect(assignment?.status).toBe("submitted");
      }
    }
    const reserved = assignments.filter((assignment) => assignment.status === "reserved");
    expect(reserved.length).toBeGreaterThan(0);
    for (const assignment of reserved) {
      expect(
        annotations.some(
          (a) => a.item_id === assignment.item_id && a.user_id === assignment.user_id,
        ),
      ).toBe(false);
    }
  });

  it("puts the juniors' annotations in the leads' review queues, and records dispute outcomes", async () => {
    await seedDemoWorkspace(database.db);
    const juniorAnnotations = await database.db
      .selectFrom("annotations")
      .innerJoin("users", "users.id", "annotations.user_id")
      .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
      .select(["annotations.id", "reviews.verdict", "reviews.time_spent_ms"])
      .where("users.level", "=", "junior")
      .execute();
    const verdicts = new Set(juniorAnnotations.map((annotation) => annotation.verdict));
    expect(verdicts).toEqual(new Set(["pending", "accepted"]));
    for (const annotation of juniorAnnotations) {
      expect(annotation.time_spent_ms === null).toBe(annotation.verdict === "pending");
    }

    const disputed = await database.db
      .selectFrom("items")
      .leftJoin("item_outcomes", "item_outcomes.item_id", "items.id")
      .select(["items.external_id", "item_outcomes.disputed"])
      .where("items.status", "=", "disputed")
      .execute();
    expect(disputed.length).toBeGreaterThan(0);
    expect(disputed.every((item) => item.disputed === true)).toBe(true);
  });

  it("publishes items its panels settled, as a valid version 1 that exports as preference pairs", async () => {
    await seedDemoWorkspace(database.db);
    const published = await database.db
      .selectFrom("items")
      .innerJoin("projects", "projects.id", "items.project_id")
      .leftJoin("adjudications", "adjudications.item_id", "items.id")
      .select([
        "items.id",
        "items.external_id",
        "items.project_id",
        "items.responses",
        "projects.template",
        "adjudications.version",
        "adjudications.label",
        "adjudications.published_by",
        "adjudications.panel",
      ])
      .where("items.status", "=", "published")
      .execute();
    expect(published.length).toBeGreaterThan(0);
    const lead = await findUserByEmail(database.db, demoUsers.lead.email);
    for (const item of published) {
      expect(item.version, item.external_id).toBe(1);
      expect(item.published_by).toBe(lead?.id);
      const responses = item.responses as ResponseRef[];
      const template = templateSchema.parse(item.template);
      const check = validateFinalLabel(template, responses, item.label);
      expect(check.valid && check.label, item.external_id).toEqual(item.label);
      const annotators = await database.db
        .selectFrom("annotations")
        .select("user_id")
        .where("item_id", "=", item.id)
        .execute();
      expect(item.panel).toEqual(
        expect.arrayContaining(annotators.map((annotation) => annotation.user_id)),
      );
    }

    const clinical = published.find((item) => item.external_id === "clin-0002");
    expect(clinical, "a published clinical item").toBeDefined();
    const dpo = await prepareExport(database.db, null, clinical!.project_id, { format: "dpo" });
    let text = "";
    for await (const chunk of dpo.chunks()) text += chunk;
    const pairs = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { prompt: unknown; chosen: unknown; rejected: unknown });
    expect(pairs.length).toBeGreaterThan(0);
    const responses = clinical!.responses as ResponseRef[];
    // The panel preferred A: it is chosen, B rejected.
    expect((clinical!.label as { preference: number }).preference).toBeLessThan(0);
    expect(pairs).toContainEqual(
      expect.objectContaining({ chosen: responses[0]!.text, rejected: responses[1]!.text }),
    );
  });

  it("gives every project days of work, so each chart and quality table has figures to show", async () => {
    await seedDemoWorkspace(database.db);
    const lead = await findUserByEmail(database.db, demoUsers.lead.email);
    const projects = await database.db.selectFrom("projects").select(["id", "name"]).execute();
    expect(projects).toHaveLength(4);
    const correct = { expert: 0, junior: 0 };
    const scored = { expert: 0, junior: 0 };
    for (const project of projects) {
      const quality = await projectQuality(database.db, lead!, project.id);
      const throughput = await projectThroughput(database.db, lead!, project.id);
      const progress = await projectProgress(database.db, lead!, project.id);
      const daysWith = (count: (day: DailyThroughput) => number) =>
        throughput.days.filter((day) => count(day) > 0).length;
      expect(
        daysWith((day) => day.labels),
        project.name,
      ).toBeGreaterThanOrEqual(5);
      expect(
        daysWith((day) => day.published),
        project.name,
      ).toBeGreaterThanOrEqual(2);
      expect(
        progress.byStatus.disputed + progress.byStatus.consensus,
        project.name,
      ).toBeGreaterThan(0);
      expect(progress.costCents?.value, project.name).toBeGreaterThan(0);
      expect(quality.project.panelMs, project.name).toBeGreaterThan(0);
      expect(quality.project.reviewMs, project.name).toBeGreaterThan(0);
      expect(quality.project.costPerPublishedItemCents?.value, project.name).toBeGreaterThan(0);
      expect(quality.goldAccuracy.length, project.name).toBeGreaterThan(0);
      expect(
        quality.agreement.some((field) => field.alpha !== null),
        `${project.name}: an agreement figure`,
      ).toBe(true);
      // Quality over time: at least three days with an alpha and an accuracy against the final.
      expect(
        quality.overTime.filter(
          (day) =>
            day.accuracyVsFinal.value !== null && day.alpha.some((field) => field.value !== null),
        ).length,
        `${project.name}: days of quality over time`,
      ).toBeGreaterThanOrEqual(3);
      // The lead appears for their time on reviews and rooms; the annotators for their labels.
      for (const annotator of quality.annotators.filter((person) => person.labels > 0)) {
        const who = `${project.name}: ${annotator.annotator.name}`;
        expect(annotator.accuracyVsFinal.value, who).not.toBeNull();
        expect(annotator.costPerCorrectCents?.value, who).not.toBeNull();
        const level = annotator.level === "junior" ? "junior" : "expert";
        correct[level] += annotator.accuracyVsFinal.correct;
        scored[level] += annotator.accuracyVsFinal.scored;
      }
      const levels = quality.groups?.byLevel.map((group) => group.key);
      expect(levels, project.name).toEqual(expect.arrayContaining(["expert", "junior"]));
    }
    // The demo's story: experts are right more often than juniors.
    expect(correct.expert / scored.expert).toBeGreaterThan(correct.junior / scored.junior);
  });

  it("includes a translation into a right-to-left language and responses with code and math", async () => {
    await seedDemoWorkspace(database.db);
    const items = await database.db.selectFrom("items").select(["responses", "domain"]).execute();
    const texts = items.flatMap((item) => (item.responses as ResponseRef[]).map((r) => r.text));
    expect(items.some((item) => item.domain === "language:ar")).toBe(true);
    expect(texts.some((text) => /[\u0600-\u06FF]/.test(text))).toBe(true);
    expect(texts.some((text) => text.includes("```python"))).toBe(true);
    expect(texts.some((text) => text.includes("$$"))).toBe(true);
  });

  it("does nothing the second time", async () => {
    const first = await seedDemoWorkspace(database.db);
    const counts = {
      users: await count("users"),
      projects: await count("projects"),
      items: await count("items"),
      annotations: await count("annotations"),
      assignments: await count("assignments"),
    };
    expect(first).toEqual({
      seeded: true,
      summary: {
        users: counts.users,
        projects: 4,
        items: counts.items,
        annotations: counts.annotations,
      },
    });

    const second = await seedDemoWorkspace(database.db);
    expect(second.seeded).toBe(false);
    expect(second.seeded === false && second.existingUsers).toContain("lead@demo.quorum");
    expect({
      users: await count("users"),
      projects: await count("projects"),
      items: await count("items"),
      annotations: await count("annotations"),
      assignments: await count("assignments"),
    }).toEqual(counts);
  });

  it("refuses when one demo email is already taken, and writes nothing", async () => {
    await createUser(database.db, {
      email: "Expert2@demo.quorum",
      name: "Someone else",
      password: "a long enough password",
    });
    const result = await seedDemoWorkspace(database.db);
    expect(result).toEqual({ seeded: false, existingUsers: ["expert2@demo.quorum"] });
    expect(await count("users")).toBe(1);
    expect(await count("projects")).toBe(0);
  });
});

describe("seedDemoWorkspaceOnFirstStart", () => {
  it("seeds an empty database once", async () => {
    expect(await seedDemoWorkspaceOnFirstStart(database.db)).toBe(true);
    const users = await count("users");
    expect(await seedDemoWorkspaceOnFirstStart(database.db)).toBe(false);
    expect(await count("users")).toBe(users);
  });

  it("leaves a database that already has users alone", async () => {
    await createUser(database.db, {
      email: "owner@example.com",
      name: "Owner",
      password: "a long enough password",
    });
    expect(await seedDemoWorkspaceOnFirstStart(database.db)).toBe(false);
    expect(await count("users")).toBe(1);
    expect(await count("projects")).toBe(0);
  });
});
