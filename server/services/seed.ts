import { createHash } from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import { findPreset } from "../../app/domain/presets.ts";
import { minorityPositions, type Votes } from "../../app/domain/room.ts";
import { quoteLabelSpans } from "../../app/domain/span-offsets.ts";
import { labelSchemaFor, type Label } from "../../app/domain/template.ts";
import type { Database } from "../../db/schema.ts";
import { recordAudit } from "./audit.ts";
import { listPanel } from "./panel.ts";
import { hashPassword } from "./passwords.ts";
import { loadProjectModel, type ProjectModel } from "./project-model.ts";
import { countedLabels, settleItems } from "./settle.ts";
import { clinicalProject } from "./seed/clinical.ts";
import { codeProject } from "./seed/code.ts";
import type { DemoItem, DemoProject } from "./seed/demo-content.ts";
import { DEMO_PASSWORD, demoAnnotators, demoUsers, type DemoUserKey } from "./seed/demo-users.ts";
import { legalProject } from "./seed/legal.ts";
import { historyItems } from "./seed/history.ts";
import { translationProject } from "./seed/translation.ts";

export { DEMO_PASSWORD, demoUsers } from "./seed/demo-users.ts";

export const demoProjects: readonly DemoProject[] = [
  clinicalProject,
  legalProject,
  codeProject,
  translationProject,
];

export interface DemoSummary {
  users: number;
  projects: number;
  items: number;
  annotations: number;
}

export type SeedResult =
  { seeded: true; summary: DemoSummary } | { seeded: false; existingUsers: string[] };

const HOUR_MS = 60 * 60 * 1000;
const RESERVATION_MS = HOUR_MS;

/** The identity of an item's content: equal prompts and responses give equal hashes. */
export function itemContentHash(prompt: unknown, responses: unknown): string {
  return createHash("sha256").update(canonicalJson({ prompt, responses })).digest("hex");
}

/**
 * Creates the demo workspace: its users, one project per preset, items in every stage of the
 * lifecycle. Does nothing when any demo user already exists, so running it twice is harmless.
 */
export function seedDemoWorkspace(db: Kysely<Database>): Promise<SeedResult> {
  return seedUnderLock(db, async (trx) => {
    const existing = await trx
      .selectFrom("users")
      .select("email")
      .where((eb) => eb(eb.fn("lower", ["email"]), "in", demoEmails()))
      .orderBy("email")
      .execute();
    return existing.length === 0 ? null : existing.map((user) => user.email);
  });
}

/** Seeds the demo workspace when the database has no users yet; returns whether it did. */
export async function seedDemoWorkspaceOnFirstStart(db: Kysely<Database>): Promise<boolean> {
  if (await hasUsers(db)) return false;
  const result = await seedUnderLock(db, async (trx) => ((await hasUsers(trx)) ? [] : null));
  return result.seeded;
}

function demoEmails(): string[] {
  return Object.values(demoUsers).map((user) => user.email);
}

async function hasUsers(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * One transaction holding an advisory lock, so that instances starting together against the
 * same PostgreSQL seed once: the second waits, then sees the users the first created.
 * `blockers` returns null when seeding may go ahead, otherwise the emails standing in the way.
 */
async function seedUnderLock(
  db: Kysely<Database>,
  blockers: (trx: Transaction<Database>) => Promise<string[] | null>,
): Promise<SeedResult> {
  // Outside the transaction, since argon2 is deliberately slow; one hash per user, each with a
  // salt of its own, so that equal passwords do not give equal hashes.
  const passwordHashes = await Promise.all(
    Object.values(demoUsers).map(() => hashPassword(DEMO_PASSWORD)),
  );
  return db.transaction().execute(async (trx): Promise<SeedResult> => {
    await sql`select pg_advisory_xact_lock(hashtext('quorum:seed-demo'))`.execute(trx);
    const existingUsers = await blockers(trx);
    if (existingUsers) return { seeded: false, existingUsers };
    return { seeded: true, summary: await insertDemoWorkspace(trx, passwordHashes, new Date()) };
  });
}

async function insertDemoWorkspace(
  trx: Transaction<Database>,
  /** One per demo user, in the order of `demoUsers`. */
  passwordHashes: readonly string[],
  now: Date,
): Promise<DemoSummary> {
  const userRows = await trx
    .insertInto("users")
    .values(
      Object.values(demoUsers).map((user, index) => ({
        email: user.email,
        name: user.name,
        password_hash: passwordHashes[index],
        is_admin: user.isAdmin,
        level: user.level,
        domains: user.domains,
        hourly_rate_cents: user.hourlyRate === null ? null : Math.round(user.hourlyRate * 100),
        created_at: new Date(now.getTime() - 14 * 24 * HOUR_MS),
      })),
    )
    .returning(["id", "email"])
    .execute();
  const idByEmail = new Map(userRows.map((row) => [row.email, row.id]));
  const userId = (key: DemoUserKey): number => {
    const id = idByEmail.get(demoUsers[key].email);
    if (id === undefined) throw new Error(`demo user ${key} was not created`);
    return id;
  };

  const summary: DemoSummary = { users: userRows.length, projects: 0, items: 0, annotations: 0 };
  for (const [index, project] of demoProjects.entries()) {
    const created = await insertDemoProject(trx, project, userId, {
      createdAt: new Date(now.getTime() - (10 - index) * 24 * HOUR_MS),
      now,
      seed: index + 1,
    });
    summary.projects += 1;
    summary.items += created.items;
    summary.annotations += created.annotations;
  }

  await recordAudit(trx, {
    actorId: null,
    action: "workspace.seed_demo",
    details: { ...summary },
  });
  return summary;
}

async function insertDemoProject(
  trx: Transaction<Database>,
  project: DemoProject,
  userId: (key: DemoUserKey) => number,
  times: { createdAt: Date; now: Date; seed: number },
): Promise<{ items: number; annotations: number }> {
  const preset = findPreset(project.presetId);
  if (!preset) throw new Error(`demo project "${project.name}" names unknown preset`);
  const { id: projectId } = await trx
    .insertInto("projects")
    .values({
      name: project.name,
      description: project.description,
      domain: project.domain,
      template: JSON.stringify(preset.template),
      overlap: 3,
      created_by: userId("admin"),
      created_at: times.createdAt,
      updated_at: times.createdAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  await trx
    .insertInto("project_members")
    .values([
      { project_id: projectId, user_id: userId("lead"), role: "lead" as const },
      ...demoAnnotators.map((key) => ({
        project_id: projectId,
        user_id: userId(key),
        role: "annotator" as const,
      })),
      { project_id: projectId, user_id: userId("client"), role: "client" as const },
    ])
    .execute();

  const labelSchema = (item: DemoItem) => labelSchemaFor(preset.template, item.responses);
  const history = project.history
    ? historyItems(project.history, preset.template, times.seed)
    : { items: [], gold: new Map<string, Label>() };
  const items = [...project.items, ...history.items];
  let annotations = 0;
  for (const [index, item] of items.entries()) {
    const goldLabel = history.gold.get(item.externalId);
    const { id: itemId } = await trx
      .insertInto("items")
      .values({
        project_id: projectId,
        external_id: item.externalId,
        prompt: JSON.stringify(item.prompt),
        responses: JSON.stringify(item.responses),
        domain: item.domain ?? null,
        metadata: JSON.stringify(item.metadata ?? {}),
        gold_label: goldLabel ? JSON.stringify(goldLabel) : null,
        // Items with labels are settled below by the real dispute detection.
        // Gold items stay outside the lifecycle (decision 006).
        status: goldLabel
          ? "queued"
          : item.annotations.length > 0 || item.status === "as labelled"
            ? "annotating"
            : item.status,
        content_hash: itemContentHash(item.prompt, item.responses),
        created_at: new Date(times.createdAt.getTime() + index * 60_000),
        updated_at: times.now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();

    const schema = labelSchema(item);
    for (const annotation of item.annotations) {
      const parsed = schema.safeParse(annotation.label);
      if (!parsed.success) {
        throw new Error(
          `demo annotation by ${annotation.annotator} on ${item.externalId} does not fit the template: ${parsed.error.message}`,
        );
      }
      const submittedAt = new Date(times.now.getTime() - annotation.hoursAgo * HOUR_MS);
      const reservedAt = new Date(submittedAt.getTime() - annotation.durationMs);
      await trx
        .insertInto("assignments")
        .values({
          item_id: itemId,
          user_id: userId(annotation.annotator),
          status: "submitted",
          reserved_at: reservedAt,
          expires_at: new Date(reservedAt.getTime() + RESERVATION_MS),
          completed_at: submittedAt,
        })
        .execute();
      const { id: annotationId } = await trx
        .insertInto("annotations")
        .values({
          item_id: itemId,
          user_id: userId(annotation.annotator),
          label: JSON.stringify(parsed.data),
          duration_ms: annotation.durationMs,
          // The demo's labels were made in Quorum: their time is what the server measured.
          active_ms: annotation.durationMs,
          submitted_at: submittedAt,
          created_at: submittedAt,
          rate_cents_per_hour: trx
            .selectFrom("users")
            .select("hourly_rate_cents")
            .where("id", "=", userId(annotation.annotator)),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      // Juniors are new to the project: their annotations go to the lead's review, where the
      // older ones have been accepted and the newest wait.
      if (demoUsers[annotation.annotator].level === "junior") {
        const { review } = annotation;
        const { id: reviewId } = await trx
          .insertInto("reviews")
          .values({
            annotation_id: annotationId,
            project_id: projectId,
            created_at: submittedAt,
            ...(review
              ? {
                  reviewer_id: userId("lead"),
                  verdict: "accepted" as const,
                  decided_at: new Date(submittedAt.getTime() + review.hoursAfter * HOUR_MS),
                  time_spent_ms: review.activeMs,
                }
              : {}),
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        if (review) {
          await trx
            .insertInto("review_time")
            .values({
              review_id: reviewId,
              user_id: userId("lead"),
              active_ms: review.activeMs,
              rate_cents_per_hour: trx
                .selectFrom("users")
                .select("hourly_rate_cents")
                .where("id", "=", userId("lead")),
            })
            .execute();
        }
      }
      annotations += 1;
    }
    if (item.annotations.length > 0 && !goldLabel) {
      const model = await loadProjectModel(trx, projectId);
      const [outcome] = await settleItems(trx, model, [itemId]);
      // A published item went through the state its labels gave it, from which a lead publishes.
      const settled =
        item.status === "as labelled" ||
        (item.status === "published"
          ? outcome?.status === "disputed" || outcome?.status === "consensus"
          : outcome?.status === item.status);
      if (!settled) {
        throw new Error(
          `demo item ${item.externalId} is declared ${item.status} but its labels make it ${outcome?.status}`,
        );
      }
      if (item.status === "published") {
        await publishDemoItem(trx, model, itemId, item, {
          publisherId: userId("lead"),
          now: times.now,
        });
      }
    }
    for (const key of item.reservedBy ?? []) {
      const reservedAt = new Date(times.now.getTime() - 10 * 60_000);
      await trx
        .insertInto("assignments")
        .values({
          item_id: itemId,
          user_id: userId(key),
          status: "reserved",
          reserved_at: reservedAt,
          expires_at: new Date(reservedAt.getTime() + RESERVATION_MS),
        })
        .execute();
    }
  }
  return { items: items.length, annotations };
}

/**
 * Publishes a demo item as its version 1, as a lead publishes a panel's draft: the aggregate of
 * the independent labels with what the panel settled over it, validated as every final label
 * is, with the panel, each member's label as their vote and the minority positions.
 */
async function publishDemoItem(
  trx: Transaction<Database>,
  project: ProjectModel,
  itemId: number,
  item: DemoItem,
  by: { publisherId: number; now: Date },
): Promise<void> {
  const { publication } = item;
  if (!publication) throw new Error(`demo item ${item.externalId} is published but says not how`);
  const outcome = await trx
    .selectFrom("item_outcomes")
    .select("aggregated_label")
    .where("item_id", "=", itemId)
    .executeTakeFirstOrThrow();
  const check = validateFinalLabel(project.template, item.responses, {
    ...(outcome.aggregated_label as Label),
    ...publication.label,
  });
  if (!check.valid) {
    throw new Error(
      `the published label of demo item ${item.externalId} does not fit the template: ${JSON.stringify(check.issues)}`,
    );
  }
  const labels = (await countedLabels(trx, [itemId])).get(itemId) ?? [];
  const votes: Votes = Object.fromEntries(
    labels.map(({ userId, label }) => [
      String(userId),
      quoteLabelSpans(project.template, label, item.responses, { widen: false }).label,
    ]),
  );
  const panel = await listPanel(trx, itemId);
  const publishedAt = new Date(by.now.getTime() - publication.hoursAgo * HOUR_MS);
  const panelMs = publication.panelMinutes === undefined ? null : publication.panelMinutes * 60_000;
  await trx
    .insertInto("adjudications")
    .values({
      item_id: itemId,
      version: 1,
      label: JSON.stringify(check.label),
      rationale: publication.rationale,
      published_by: by.publisherId,
      published_at: publishedAt,
      panel: JSON.stringify(panel.map((member) => member.userId)),
      votes: JSON.stringify(votes),
      minority: JSON.stringify(minorityPositions(project.template, check.label, votes)),
      ...(panelMs === null
        ? {}
        : { time_spent_ms: panelMs * panel.length, time_spent_kind: "person_time" as const }),
    })
    .execute();
  if (panelMs !== null && panel.length > 0) {
    await trx
      .insertInto("adjudication_time")
      .values(
        panel.map((member) => ({
          item_id: itemId,
          version: 1,
          user_id: member.userId,
          active_ms: panelMs,
          rate_cents_per_hour: trx
            .selectFrom("users")
            .select("hourly_rate_cents")
            .where("id", "=", member.userId),
        })),
      )
      .execute();
  }
  await trx
    .updateTable("items")
    .set({ status: "published", updated_at: publishedAt })
    .where("id", "=", itemId)
    .execute();
}
