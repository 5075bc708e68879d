import { sql, type Kysely } from "kysely";
import { z } from "zod";
import { disputePolicySchema } from "../../app/domain/disputes.ts";
import { domainSchema } from "../../app/domain/item.ts";
import { findPreset, presets } from "../../app/domain/presets.ts";
import { projectSettingsSchema } from "../../app/domain/project.ts";
import {
  labelSchemaFor,
  templateSchema,
  type ResponseRef,
  type Template,
} from "../../app/domain/template.ts";
import type { Database, ProjectRole, User } from "../../db/schema.ts";
import { badRequest, conflict, fieldErrors, notFound, validationFailed } from "../errors.ts";
import { requireProjectPermission, requireWorkspacePermission } from "../permissions.ts";
import { recordAudit } from "./audit.ts";
import { byName, pseudonymsFor, UNNAMED_ANNOTATOR } from "./items.ts";
import { loadProjectModel, lockProjectForChange, type ProjectModel } from "./project-model.ts";
import { getVisibleProject, type ProjectSummary } from "./projects.ts";
import { settleItems } from "./settle.ts";
import { emailSchema } from "./users.ts";

const projectFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5_000),
  domain: domainSchema.nullable(),
  template: templateSchema,
  overlap: z.number().int().min(1).max(50),
  disputePolicy: disputePolicySchema,
  autoPublishConsensus: z.boolean(),
  settings: projectSettingsSchema,
};

export const newProjectSchema = z
  .object({
    name: projectFields.name,
    description: projectFields.description.default(""),
    domain: projectFields.domain.optional(),
    template: projectFields.template.optional(),
    /** A preset's id, instead of a template. */
    preset: z
      .string()
      .refine((id) => findPreset(id) !== undefined, {
        message: `must be one of ${presets.map((preset) => preset.id).join(", ")}`,
      })
      .optional(),
    overlap: projectFields.overlap.default(3),
    disputePolicy: projectFields.disputePolicy.default({}),
    autoPublishConsensus: projectFields.autoPublishConsensus.default(false),
    settings: projectFields.settings.default(projectSettingsSchema.parse({})),
  })
  .strict()
  .refine((project) => (project.template === undefined) !== (project.preset === undefined), {
    message: "give either a template or a preset",
    path: ["template"],
  });

export const projectUpdateSchema = z
  .object({
    name: projectFields.name,
    description: projectFields.description,
    domain: projectFields.domain,
    template: projectFields.template,
    overlap: projectFields.overlap,
    disputePolicy: projectFields.disputePolicy,
    autoPublishConsensus: projectFields.autoPublishConsensus,
    settings: projectFields.settings,
    archived: z.boolean(),
  })
  .partial()
  .strict();

export type NewProjectInput = z.input<typeof newProjectSchema>;
export type ProjectUpdateInput = z.input<typeof projectUpdateSchema>;

function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown, what: string) {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw validationFailed(`The ${what} is not valid`, fieldErrors(parsed.error.issues));
  return parsed.data as z.output<Schema>;
}

/** Creates a project; its creator leads it. */
export async function createProject(
  db: Kysely<Database>,
  user: User,
  input: unknown,
): Promise<ProjectSummary> {
  await requireWorkspacePermission(db, user, "project.create");
  const project = parseOrThrow(newProjectSchema, input, "project");
  const preset = project.preset ? findPreset(project.preset) : undefined;
  const template = project.template ?? preset!.template;
  const id = await db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("projects")
      .values({
        name: project.name,
        description: project.description,
        domain: project.domain ?? preset?.domain ?? null,
        template: JSON.stringify(template),
        overlap: project.overlap,
        dispute_policy: JSON.stringify(project.disputePolicy),
        auto_publish_consensus: project.autoPublishConsensus,
        settings: JSON.stringify(project.settings),
        created_by: user.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("project_members")
      .values({ project_id: created.id, user_id: user.id, role: "lead" })
      .execute();
    await recordAudit(trx, {
      actorId: user.id,
      action: "project.create",
      projectId: created.id,
      subjectType: "project",
      subjectId: created.id,
      details: { name: project.name, preset: project.preset ?? null },
    });
    return created.id;
  });
  return getVisibleProject(db, user, id);
}

/**
 * Changes a project. A new template must still accept every label already given in the project
 * (annotations, leads' corrections, gold labels and drafts are checked against it with their
 * items' responses); otherwise the change is refused with the labels it would break. The row is
 * locked `for no key update`, which waits for the transactions storing labels (they hold it `for
 * share`, `lockProjectForLabels`): the check sees their labels, and later ones see the new
 * template. A lower overlap settles the items that already have enough labels
 * (`settleItemsAtOverlap`).
 */
export async function updateProject(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  input: unknown,
): Promise<ProjectSummary> {
  await requireProjectPermission(db, user, projectId, "project.edit");
  const update = parseOrThrow(projectUpdateSchema, input, "project update");
  await db.transaction().execute(async (trx) => {
    await lockProjectForChange(trx, projectId);
    // A lead removed while the change was on its way changes nothing (decision 040).
    await requireProjectPermission(trx, user, projectId, "project.edit");
    if (update.template) await assertTemplateKeepsLabels(trx, projectId, update.template);
    await trx
      .updateTable("projects")
      .set({
        ...(update.name === undefined ? {} : { name: update.name }),
        ...(update.description === undefined ? {} : { description: update.description }),
        ...(update.domain === undefined ? {} : { domain: update.domain }),
        ...(update.template === undefined ? {} : { template: JSON.stringify(update.template) }),
        ...(update.overlap === undefined ? {} : { overlap: update.overlap }),
        ...(update.disputePolicy === undefined
          ? {}
          : { dispute_policy: JSON.stringify(update.disputePolicy) }),
        ...(update.autoPublishConsensus === undefined
          ? {}
          : { auto_publish_consensus: update.autoPublishConsensus }),
        ...(update.settings === undefined ? {} : { settings: JSON.stringify(update.settings) }),
        ...(update.archived === undefined
          ? {}
          : { archived_at: update.archived ? new Date() : null }),
        updated_at: new Date(),
      })
      .where("id", "=", projectId)
      .execute();
    if (update.overlap !== undefined) {
      await settleItemsAtOverlap(trx, await loadProjectModel(trx, projectId));
    }
    await recordAudit(trx, {
      actorId: user.id,
      action: "project.update",
      projectId,
      subjectType: "project",
      subjectId: projectId,
      details: { changed: Object.keys(update) },
    });
  });
  return getVisibleProject(db, user, projectId);
}

/** The labels of an item that count (`countedLabels`), correlated with the outer `items` row. */
const countedLabelCount = sql<number>`(select count(*) from annotations
  where annotations.item_id = items.id and annotations.rejected_at is null)`;

const SETTLE_CHUNK = 500;

/** Whether a counted label of the item (correlated with the outer `items` row) is an expert's. */
const hasExpertLabel = sql<boolean>`exists (select 1 from annotations
  join users on users.id = annotations.user_id
  where annotations.item_id = items.id and annotations.rejected_at is null
    and users.level = 'expert')`;

/**
 * After an overlap change, the items still being labelled that already have as many labels as
 * it asks for settle as if their last label had just arrived (`settleItems`, with its events and
 * automatic publishing); otherwise nobody would be offered them and nothing would settle them.
 * Reservations still held on them end now: the item no longer takes labels, and a held
 * reservation would keep serving it to its holder from the queue. Where the project requires an
 * expert among an item's labels, an item that would settle without one refuses the change (409,
 * listing them): settling it would break the rule, and the queue keeps no place beyond the
 * overlap for the expert it still needs.
 */
async function settleItemsAtOverlap(trx: Kysely<Database>, project: ProjectModel): Promise<void> {
  const full = trx
    .selectFrom("items")
    .where("project_id", "=", project.id)
    .where("status", "in", ["queued", "annotating"])
    .where("gold_label", "is", null)
    .where(countedLabelCount, ">=", project.overlap);
  if (project.settings.requireExpert) {
    const withoutExpert = await full
      .select("external_id")
      .where(sql<boolean>`not ${hasExpertLabel}`)
      .orderBy("id")
      .limit(MAX_REPORTED_BREAKS)
      .execute();
    if (withoutExpert.length > 0) {
      throw conflict(
        `An overlap of ${project.overlap} would settle items that have no expert's label, which this project requires; lower it once they have one, or stop requiring an expert first`,
        withoutExpert.map((item) => ({ item: item.external_id })),
      );
    }
  }
  const settling = await full.select("id").orderBy("id").execute();
  for (let start = 0; start < settling.length; start += SETTLE_CHUNK) {
    const itemIds = settling.slice(start, start + SETTLE_CHUNK).map((item) => item.id);
    await settleItems(trx, project, itemIds);
    await trx
      .updateTable("assignments")
      .set({ status: "expired", expires_at: sql<Date>`now()` })
      .where("item_id", "in", itemIds)
      .where("status", "=", "reserved")
      .execute();
  }
}

const MAX_REPORTED_BREAKS = 50;

async function assertTemplateKeepsLabels(
  trx: Kysely<Database>,
  projectId: number,
  template: Template,
): Promise<void> {
  const breaks: Array<{ item: string; source: string; field: string; message: string }> = [];
  const check = (externalId: string, responses: ResponseRef[], source: string, label: unknown) => {
    const result = labelSchemaFor(template, responses).safeParse(label);
    if (result.success) return;
    for (const error of fieldErrors(result.error.issues)) {
      if (breaks.length < MAX_REPORTED_BREAKS) breaks.push({ item: externalId, source, ...error });
    }
  };
  const items = await trx
    .selectFrom("items")
    .select(["id", "external_id", "responses", "gold_label"])
    .where("project_id", "=", projectId)
    .execute();
  const responsesById = new Map(items.map((item) => [item.id, item.responses as ResponseRef[]]));
  const externalIds = new Map(items.map((item) => [item.id, item.external_id]));
  for (const item of items) {
    if (item.gold_label !== null)
      check(item.external_id, responsesById.get(item.id)!, "gold", item.gold_label);
  }
  const corrections = await trx
    .selectFrom("reviews")
    .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
    .select(["annotations.item_id as itemId", "reviews.corrected_label as label"])
    .where("reviews.project_id", "=", projectId)
    .where("reviews.corrected_label", "is not", null)
    .execute();
  for (const row of corrections) {
    check(externalIds.get(row.itemId)!, responsesById.get(row.itemId)!, "correction", row.label);
  }
  for (const table of ["annotations", "drafts"] as const) {
    const rows = await trx
      .selectFrom(table)
      .innerJoin("items", "items.id", `${table}.item_id`)
      .select([`${table}.item_id as itemId`, `${table}.label as label`])
      .where("items.project_id", "=", projectId)
      .execute();
    for (const row of rows) {
      check(
        externalIds.get(row.itemId)!,
        responsesById.get(row.itemId)!,
        table.slice(0, -1),
        row.label,
      );
    }
  }
  if (breaks.length > 0) {
    throw conflict(
      "The new template would invalidate labels already given in this project",
      breaks,
    );
  }
}

export const memberInputSchema = z
  .object({
    email: emailSchema,
    role: z.enum(["lead", "annotator", "client"]),
  })
  .strict();

export interface ProjectMember {
  userId: number;
  email: string;
  name: string;
  role: ProjectRole;
  level: string | null;
  domains: string[];
}

/**
 * Adds a user to the project, or changes their role when they already belong to it. Changes to
 * one project's members run one after the other (`lockProjectLeads`), so that of parallel
 * requests adding the same user one adds them and the others find a member.
 */
export async function setProjectMember(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  input: unknown,
): Promise<{ member: ProjectMember; created: boolean }> {
  await requireProjectPermission(db, user, projectId, "project.manageMembers");
  const { email, role } = parseOrThrow(memberInputSchema, input, "member");
  return db.transaction().execute(async (trx) => {
    const member = await trx
      .selectFrom("users")
      .select(["id", "email", "name", "level", "domains"])
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", email))
      .executeTakeFirst();
    if (!member)
      throw validationFailed("No user has that email", [
        { field: "email", message: `no user ${email}` },
      ]);
    const leads = await lockProjectLeads(trx, projectId, user);
    const existing = await trx
      .selectFrom("project_members")
      .select("role")
      .where("project_id", "=", projectId)
      .where("user_id", "=", member.id)
      .executeTakeFirst();
    if (existing?.role === "lead" && role !== "lead") assertAnotherLead(leads, member.id);
    await trx
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: member.id, role })
      .onConflict((oc) => oc.columns(["project_id", "user_id"]).doUpdateSet({ role }))
      .execute();
    await recordAudit(trx, {
      actorId: user.id,
      action: existing ? "project.member.role" : "project.member.add",
      projectId,
      subjectType: "user",
      subjectId: member.id,
      details: { role, previousRole: existing?.role ?? null },
    });
    return {
      member: {
        userId: member.id,
        email: member.email,
        name: member.name,
        role,
        level: member.level,
        domains: member.domains,
      },
      created: !existing,
    };
  });
}

export async function removeProjectMember(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  memberId: number,
): Promise<void> {
  await requireProjectPermission(db, user, projectId, "project.manageMembers");
  await db.transaction().execute(async (trx) => {
    const leads = await lockProjectLeads(trx, projectId, user);
    const existing = await trx
      .selectFrom("project_members")
      .select("role")
      .where("project_id", "=", projectId)
      .where("user_id", "=", memberId)
      .executeTakeFirst();
    if (!existing) throw notFound("That user is not a member of this project");
    if (existing.role === "lead") assertAnotherLead(leads, memberId);
    await trx
      .deleteFrom("project_members")
      .where("project_id", "=", projectId)
      .where("user_id", "=", memberId)
      .execute();
    // Ended now, not when it would have lapsed: whatever reads `expires_at` (a late label's
    // measured working time, the checks of live reservations) sees it over from here on.
    await trx
      .updateTable("assignments")
      .set({ status: "expired", expires_at: sql<Date>`now()` })
      .where("user_id", "=", memberId)
      .where("status", "=", "reserved")
      .where("item_id", "in", (eb) =>
        eb.selectFrom("items").select("id").where("project_id", "=", projectId),
      )
      .execute();
    await recordAudit(trx, {
      actorId: user.id,
      action: "project.member.remove",
      projectId,
      subjectType: "user",
      subjectId: memberId,
    });
  });
}

/**
 * Locks the project's lead memberships and returns the leads' user ids, once the actor is still
 * allowed to manage the members. Every change to the project's members takes these locks first,
 * in the same order, so that such changes run one after the other and each sees what the one
 * before it did: two leads removing or demoting each other at once would otherwise each see the
 * other still lead and leave the project with none, and a lead removed meanwhile would still
 * change the members (adding themselves back, say).
 */
export async function lockProjectLeads(
  trx: Kysely<Database>,
  projectId: number,
  actor: User,
): Promise<number[]> {
  // The project's row first: locking the lead rows alone still deadlocked under load, as each
  // change sees the leads as of its own start. One lock per project orders the changes, and
  // FOR NO KEY UPDATE leaves the rows that refer to the project free to be written meanwhile.
  await lockProjectForChange(trx, projectId);
  const leads = await trx
    .selectFrom("project_members")
    .select("user_id")
    .where("project_id", "=", projectId)
    .where("role", "=", "lead")
    .orderBy("user_id")
    .forUpdate()
    .execute();
  await requireProjectPermission(trx, actor, projectId, "project.manageMembers");
  return leads.map((lead) => lead.user_id);
}

function assertAnotherLead(leads: readonly number[], leavingId: number): void {
  if (!leads.some((leadId) => leadId !== leavingId)) {
    throw badRequest("A project needs at least one lead; add another lead first");
  }
}

/** Every member with their email, level and domains: for those who manage the members. */
export async function listProjectMembers(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<ProjectMember[]> {
  await requireProjectPermission(db, user, projectId, "project.manageMembers");
  return memberRows(db, projectId);
}

/**
 * Each member's hourly rate in cents (null: none set), for those who manage the project's
 * members: leads and admins. Nobody else is shown a person's rate.
 */
export async function listProjectMemberRates(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<Map<number, number | null>> {
  await requireProjectPermission(db, user, projectId, "project.manageMembers");
  const rows = await db
    .selectFrom("project_members")
    .innerJoin("users", "users.id", "project_members.user_id")
    .select(["users.id", "users.hourly_rate_cents"])
    .where("project_members.project_id", "=", projectId)
    .execute();
  return new Map(rows.map((row) => [row.id, row.hourly_rate_cents]));
}

async function memberRows(db: Kysely<Database>, projectId: number): Promise<ProjectMember[]> {
  const rows = await db
    .selectFrom("project_members")
    .innerJoin("users", "users.id", "project_members.user_id")
    .select([
      "users.id",
      "users.email",
      "users.name",
      "users.level",
      "users.domains",
      "project_members.role",
    ])
    .where("project_members.project_id", "=", projectId)
    .orderBy("project_members.role")
    .orderBy("users.name")
    .execute();
  return rows.map((row) => ({
    userId: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    level: row.level,
    domains: row.domains,
  }));
}

/** A member as someone who sees annotators under pseudonyms sees another annotator. */
export interface PseudonymousMember {
  userId: null;
  email: null;
  name: string;
  role: "annotator";
  level: null;
  domains: [];
}

/**
 * The members as the caller may see them (`GET /projects/:id/members`). Those who see
 * annotators under pseudonyms (annotators, and clients unless the project says otherwise) get
 * the other annotators as their pseudonyms alone, ordered by pseudonym: a user id, email, name,
 * level or even the order of names would tell them who is behind "Annotator B".
 */
export async function listVisibleProjectMembers(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<Array<ProjectMember | PseudonymousMember>> {
  const subject = await requireProjectPermission(db, user, projectId, "project.view");
  const members = await memberRows(db, projectId);
  const { settings } = await db
    .selectFrom("projects")
    .select("settings")
    .where("id", "=", projectId)
    .executeTakeFirstOrThrow();
  const hideNames =
    !subject.isAdmin &&
    (subject.role === "annotator" ||
      (subject.role === "client" &&
        projectSettingsSchema.parse(settings ?? {}).pseudonymiseForClients));
  if (!hideNames) return members;
  const pseudonyms = await pseudonymsFor(db, projectId);
  const hidden: PseudonymousMember[] = members
    .filter((member) => member.role === "annotator" && member.userId !== user.id)
    .map((member) => ({
      userId: null,
      email: null,
      name: pseudonyms.get(member.userId) ?? UNNAMED_ANNOTATOR,
      role: "annotator",
      level: null,
      domains: [],
    }));
  hidden.sort((a, b) => byName(a.name, b.name));
  return [
    ...members.filter((member) => member.role !== "annotator" || member.userId === user.id),
    ...hidden,
  ];
}
