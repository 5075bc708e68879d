import fc from "fast-check";
import { Migrator, type Kysely } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAgreement } from "../../app/domain/disputes.ts";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import type { Label, Template } from "../../app/domain/template.ts";
import { templateSchema } from "../../app/domain/template.ts";
import { migrations } from "../../db/migrations/index.ts";
import type { Database } from "../../db/schema.ts";
import { loadConfig } from "../../server/config.ts";
import { startQuorum } from "../../server/index.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { runDataSteps } from "../../server/services/data-steps.ts";
import { projectModel } from "../../server/services/project-model.ts";
import { AUTOMATIC_CONSENSUS_RATIONALE, settleItems } from "../../server/services/settle.ts";
import { caseArbitrary, responses } from "../fixtures/label-arbitraries.ts";
import { createCast, createProject, labelledItem, type Cast } from "../setup/adjudication.ts";
import { apiClient } from "../setup/api-client.ts";
import {
  createTestDatabase,
  inTestDatabase,
  openTestDatabase,
  type TestDatabase,
} from "../setup/database.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const span = (start: number, end: number) => ({
  responseId: "a",
  start,
  end,
  category: "dosage",
  severity: "major",
});

async function insertUsers(db: Kysely<Database>, count: number, prefix: string) {
  const rows = await db
    .insertInto("users")
    .values(
      Array.from({ length: count }, (_, index) => ({
        email: `${prefix}${index}@example.test`,
        name: `${prefix} ${index}`,
        level: "expert" as const,
      })),
    )
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}

let itemCounter = 0;

/** An item of a new project with these labels given, not yet settled. */
async function labelledRow(
  db: Kysely<Database>,
  userIds: ReadonlyArray<number>,
  options: {
    template: Template;
    policy?: unknown;
    labels: ReadonlyArray<Label>;
    autoPublish: boolean;
    status?: "annotating" | "consensus" | "published";
  },
) {
  const project = await db
    .insertInto("projects")
    .values({
      name: `Project ${++itemCounter}`,
      template: JSON.stringify(options.template),
      overlap: options.labels.length,
      dispute_policy: JSON.stringify(options.policy ?? {}),
      auto_publish_consensus: options.autoPublish,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const item = await db
    .insertInto("items")
    .values({
      project_id: project.id,
      external_id: `item-${itemCounter}`,
      prompt: JSON.stringify("Which answer is safer?"),
      responses: JSON.stringify(responses),
      content_hash: `hash-${itemCounter}`,
      status: options.status ?? "annotating",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("annotations")
    .values(
      options.labels.map((label, index) => ({
        item_id: item.id,
        user_id: userIds[index]!,
        label: JSON.stringify(label),
      })),
    )
    .execute();
  return { project, itemId: item.id };
}

describe("auto-publishing a consensus", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let userIds: number[];

  beforeAll(async () => {
    database = await openTestDatabase();
    userIds = await insertUsers(database.db, 6, "annotator");
  });

  afterAll(async () => {
    await database?.drop();
  });

  it(
    "never stores a version that a manual publish would refuse (property, real database)",
    { timeout: 240_000 },
    async () => {
      const db = database.db;
      let published = 0;
      await fc.assert(
        fc.asyncProperty(caseArbitrary, async ({ template, policy, labels }) => {
          const { project, itemId } = await labelledRow(db, userIds, {
            template,
            policy,
            labels,
            autoPublish: true,
          });
          const [outcome] = await db
            .transaction()
            .execute((trx) => settleItems(trx, projectModel(project), [itemId]));
          const versions = await db
            .selectFrom("adjudications")
            .select(["version", "label"])
            .where("item_id", "=", itemId)
            .execute();
          const expected = checkAgreement(template, policy, labels, responses);
          expect(outcome!.status).toBe(expected.disputed ? "disputed" : "published");
          if (outcome!.status !== "published") {
            expect(versions).toEqual([]);
            return;
          }
          published++;
          expect(versions).toHaveLength(1);
          const label = versions[0]!.label as Label;
          expect(validateFinalLabel(template, responses, label).valid).toBe(true);
          for (const field of template.fields) {
            if (field.required) expect(label[field.id], field.id).toBeDefined();
          }
          expect(label).toEqual(expected.aggregated);
        }),
        { numRuns: 150 },
      );
      expect(published).toBeGreaterThan(15);
    },
  );
});

describe("the cases that went wrong, through the API", () => {
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    server = await startTestServer();
    cast = await createCast(server);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("publishes the error three annotators marked at slightly different offsets", async () => {
    const projectId = await createProject(cast, { overlap: 3, autoPublishConsensus: true });
    const itemId = await labelledItem(cast, projectId, [
      [cast.experts[0], { preference: -2, accuracy: 4, errors: [span(0, 10)] }],
      [cast.experts[1], { preference: -2, accuracy: 4, errors: [span(1, 10)] }],
      [cast.experts[2], { preference: -2, accuracy: 4, errors: [span(0, 9)] }],
    ]);
    const view = await cast.lead.api.get<{
      item: { status: string };
      versions: Array<{ version: number; label: Record<string, unknown> }>;
    }>(`/items/${itemId}`);
    expect(view.body.item.status).toBe("published");
    // The old aggregate kept only identical spans: `errors: []` was published and exported.
    expect(view.body.versions).toEqual([
      expect.objectContaining({
        version: 1,
        label: { preference: -2, accuracy: 4, errors: [{ ...span(0, 10), text: "Take 5 mg " }] },
      }),
    ]);
  });

  it("disputes a required choice that no option won, instead of publishing it empty", async () => {
    const created = await cast.admin.api.post<{ project: { id: number } }>("/projects", {
      name: "Verdicts",
      overlap: 3,
      autoPublishConsensus: true,
      disputePolicy: { verdict: { minShare: 0.3 } },
      template: {
        fields: [
          {
            id: "verdict",
            type: "choice",
            label: "Verdict",
            options: ["A", "B", "C"],
            required: true,
          },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const projectId = created.body.project.id;
    for (const [person, role] of [
      [cast.lead, "lead"],
      ...cast.experts.map((expert) => [expert, "annotator"] as const),
    ] as const) {
      await cast.admin.api.post(`/projects/${projectId}/members`, { email: person.email, role });
    }
    const itemId = await labelledItem(cast, projectId, [
      [cast.experts[0], { verdict: "A" }],
      [cast.experts[1], { verdict: "B" }],
      [cast.experts[2], { verdict: "C" }],
    ]);
    const view = await cast.lead.api.get<{
      item: { status: string };
      outcome: { disputed: boolean; fields: Array<{ fieldId: string; disputed: boolean }> };
      versions: unknown[];
    }>(`/items/${itemId}`);
    expect(view.body.item.status).toBe("disputed");
    expect(view.body.outcome.fields).toEqual([
      expect.objectContaining({ fieldId: "verdict", disputed: true }),
    ]);
    expect(view.body.versions).toEqual([]);
  });
});

describe("the migration to the shared rule", () => {
  const template = templateSchema.parse({
    fields: [
      { id: "verdict", type: "choice", label: "Verdict", options: ["A", "B", "C"], required: true },
      { id: "errors", type: "spans", label: "Errors", categories: ["dosage"] },
    ],
  });
  const policy = { verdict: { minShare: 0.3 } };
  let testDatabase: TestDatabase;
  const ids: Record<string, number> = {};
  let leadId = 0;
  let projectId = 0;

  /** Items as the rules before decision 018 left them, in a database one migration behind. */
  async function oldRuleDatabase() {
    testDatabase = await createTestDatabase({ empty: true });
    await inTestDatabase(testDatabase, async ({ db }) => {
      const names = Object.keys(migrations).sort();
      const previous = names[names.indexOf("20261205040000_label_truth") - 1]!;
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const { error } = await migrator.migrateTo(previous);
      expect(error).toBeUndefined();

      const userIds = await insertUsers(db, 3, "expert");
      [leadId] = await insertUsers(db, 1, "lead");
      const project = await db
        .insertInto("projects")
        .values({
          name: "Old rules",
          template: JSON.stringify(template),
          overlap: 3,
          dispute_policy: JSON.stringify(policy),
          auto_publish_consensus: true,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      projectId = project.id;
      await db
        .insertInto("project_members")
        .values({ project_id: project.id, user_id: leadId, role: "lead" })
        .execute();
      const item = async (
        name: string,
        status: "consensus" | "published",
        labels: Label[],
        aggregated: Label,
      ) => {
        const row = await db
          .insertInto("items")
          .values({
            project_id: project.id,
            external_id: name,
            prompt: JSON.stringify(name),
            responses: JSON.stringify(responses),
            content_hash: name,
            status,
            label_count: labels.length,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        ids[name] = row.id;
        await db
          .insertInto("annotations")
          .values(
            labels.map((label, index) => ({
              item_id: row.id,
              user_id: userIds[index]!,
              label: JSON.stringify(label),
            })),
          )
          .execute();
        await db
          .insertInto("item_outcomes")
          .values({
            item_id: row.id,
            disputed: false,
            fields: JSON.stringify([]),
            aggregated_label: JSON.stringify(aggregated),
            annotators: JSON.stringify(userIds),
          })
          .execute();
        return row.id;
      };
      const quoted = (start: number, end: number) => ({
        responseId: "r1",
        start,
        end,
        category: "dosage",
        severity: "major",
      });
      // Each option a third: consensus with no value under minShare 0.3.
      await item(
        "no-value",
        "consensus",
        [{ verdict: "A" }, { verdict: "B" }, { verdict: "C" }],
        {},
      );
      // One error marked at three slightly different offsets: consensus without it.
      await item(
        "vanished-error",
        "consensus",
        [
          { verdict: "A", errors: [quoted(0, 10)] },
          { verdict: "A", errors: [quoted(1, 10)] },
          { verdict: "A", errors: [quoted(0, 9)] },
        ],
        { verdict: "A", errors: [] },
      );
      await item("agreed", "consensus", [{ verdict: "B" }, { verdict: "B" }, { verdict: "B" }], {
        verdict: "B",
      });
      // Published automatically without the required field.
      const published = await item(
        "published-empty",
        "published",
        [{ verdict: "A" }, { verdict: "B" }, { verdict: "C" }],
        {},
      );
      await db
        .insertInto("adjudications")
        .values({
          item_id: published,
          version: 1,
          label: JSON.stringify({}),
          rationale: AUTOMATIC_CONSENSUS_RATIONALE,
        })
        .execute();
      // Published by a lead, valid: left alone.
      const manual = await item(
        "published-by-lead",
        "published",
        [{ verdict: "A" }, { verdict: "B" }, { verdict: "C" }],
        {},
      );
      await db
        .insertInto("adjudications")
        .values({
          item_id: manual,
          version: 1,
          label: JSON.stringify({ verdict: "C" }),
          published_by: leadId,
        })
        .execute();
    });
  }

  async function startOn(database: TestDatabase) {
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_SEED: "none",
      QUORUM_DATA_DIR: database.dataDir,
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    });
    return startQuorum({ config, log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }) });
  }

  beforeAll(async () => {
    await oldRuleDatabase();
  });

  afterAll(async () => {
    await testDatabase?.drop();
  });

  it("checks old consensus items again when a server starts, and flags bad versions", async () => {
    const server = await startOn(testDatabase);
    try {
      const { token } = await createApiToken(server.context.db, leadId, "test");
      const lead = apiClient(server.url, token);
      const view = (name: string) =>
        lead.get<{
          item: { status: string };
          outcome: { disputed: boolean; aggregatedLabel: unknown };
          versions: Array<{ version: number; flags: Array<{ reason: string; details: unknown }> }>;
        }>(`/items/${ids[name]}`);

      const noValue = await view("no-value");
      expect(noValue.body.item.status).toBe("disputed");
      expect(noValue.body.outcome.disputed).toBe(true);

      const vanished = await view("vanished-error");
      expect(vanished.body.item.status).toBe("consensus");
      expect(vanished.body.outcome.aggregatedLabel).toEqual({
        verdict: "A",
        errors: [
          {
            responseId: "r1",
            start: 0,
            end: 10,
            text: "The first ",
            category: "dosage",
            severity: "major",
          },
        ],
      });

      const agreed = await view("agreed");
      expect(agreed.body.item.status).toBe("consensus");
      expect(agreed.body.outcome.aggregatedLabel).toEqual({ verdict: "B" });

      const empty = await view("published-empty");
      expect(empty.body.item.status).toBe("published");
      expect(empty.body.versions).toEqual([
        expect.objectContaining({
          version: 1,
          flags: [
            {
              reason: "consensus_changed",
              details: [expect.objectContaining({ field: "verdict" })],
            },
            { reason: "invalid", details: [expect.objectContaining({ field: "verdict" })] },
          ],
        }),
      ]);
      const byLead = await view("published-by-lead");
      expect(byLead.body.versions).toEqual([expect.objectContaining({ version: 1, flags: [] })]);

      const list = await lead.get<{ items: Array<{ externalId: string; flagged: boolean }> }>(
        `/projects/${projectId}/items`,
      );
      expect(
        Object.fromEntries(list.body.items.map((item) => [item.externalId, item.flagged])),
      ).toEqual({
        "no-value": false,
        "vanished-error": false,
        agreed: false,
        "published-empty": true,
        "published-by-lead": false,
      });

      const step = await server.context.db
        .selectFrom("data_steps")
        .select(["done_at", "outcome"])
        .where("name", "=", "20261205040000_recheck_settled_items")
        .executeTakeFirstOrThrow();
      expect(step.done_at).toBeInstanceOf(Date);
      expect(step.outcome).toEqual({
        consensusChecked: 3,
        backToDisputed: 1,
        versionsChecked: 2,
        versionsFlagged: 1,
      });
      // Done once: running the steps again finds nothing to do.
      expect(await runDataSteps(server.context.db)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("runs a pending step once when two runners race for it", async () => {
    await inTestDatabase(testDatabase, async ({ db }) => {
      await db
        .updateTable("data_steps")
        .set({ done_at: null, outcome: null })
        .where("name", "=", "20261205040000_recheck_settled_items")
        .execute();
      const runs = await Promise.all([runDataSteps(db), runDataSteps(db)]);
      expect(runs.map((run) => run.length).sort()).toEqual([0, 1]);
      // Nothing was left to change: the second pass found every item settled by the rule.
      expect(runs.flat()[0]!.outcome).toEqual({
        consensusChecked: 2,
        backToDisputed: 0,
        versionsChecked: 2,
        versionsFlagged: 1,
      });
      const flags = await db.selectFrom("version_flags").select("reason").execute();
      expect(flags).toHaveLength(2);
    });
  });
});
