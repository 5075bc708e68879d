import type { Kysely } from "kysely";
import { z } from "zod";
import {
  labelInputSchema,
  labelSchemaFor,
  reservedKeyIssues,
  type Label,
  type ResponseRef,
} from "../../app/domain/template.ts";
import { boundClaim, MAX_CLAIMED_DURATION_MS } from "../../app/domain/work-time.ts";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import type { Database, User } from "../../db/schema.ts";
import { conflict, fieldErrors, forbidden, notFound, validationFailed } from "../errors.ts";
import { recordProjectEvent } from "./project-events.ts";
import { loadProjectFor, lockProjectFor, type ProjectModel } from "./project-model.ts";
import { lastPlaceKeptForExpert, stableFraction } from "./queue.ts";
import { settleItems } from "./settle.ts";
import { measureSubmission, recordAssignmentActivity } from "./work-time.ts";

export const annotationInputSchema = z
  .object({
    label: labelInputSchema(),
    /** The client's claim: refused when it cannot be a time, bounded by what was measured. */
    durationMs: z.number().int().min(0).max(MAX_CLAIMED_DURATION_MS).optional(),
  })
  .strict();

export const skipInputSchema = z.object({ reason: z.string().trim().min(1).max(1_000) }).strict();

export const draftInputSchema = z
  .object({
    label: labelInputSchema(),
    elapsedMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3_600_000)
      .default(0),
  })
  .strict();

const MAX_DRAFT_BYTES = 1_000_000;

function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw validationFailed("The request is not valid", fieldErrors(parsed.error.issues));
  return parsed.data;
}

async function loadItemForWork(db: Kysely<Database>, user: User, itemId: number) {
  const item = await db
    .selectFrom("items")
    .select(["id", "project_id"])
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  return (await loadProjectFor(db, user, item.project_id, "item.annotate")).project;
}

/**
 * The caller's stored label of the item when `label` is the same label (as the template reads
 * both): the same submission sent again, as a client does that never got the first answer (a
 * network error, a timeout). It answers as the first did, with nothing changed; a different
 * label is a conflict.
 */
async function replayedSubmission(
  trx: Kysely<Database>,
  user: User,
  project: ProjectModel,
  item: { id: number; responses: unknown },
  label: unknown,
): Promise<(SubmittedAnnotation & { replayed: true }) | null> {
  const parsed = labelSchemaFor(project.template, item.responses as ResponseRef[]).safeParse(label);
  if (!parsed.success) return null;
  const stored = await trx
    .selectFrom("annotations")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .select([
      "annotations.id",
      "annotations.label",
      "annotations.duration_ms",
      "annotations.active_ms",
      "annotations.submitted_at",
      "reviews.id as review_id",
    ])
    .where("annotations.item_id", "=", item.id)
    .where("annotations.user_id", "=", user.id)
    .where("annotations.source", "=", "quorum")
    .executeTakeFirst();
  if (!stored || canonicalJson(stored.label) !== canonicalJson(parsed.data)) return null;
  return {
    id: stored.id,
    itemId: item.id,
    label: stored.label as Label,
    durationMs: stored.duration_ms,
    activeMs: stored.active_ms ?? 0,
    submittedAt: stored.submitted_at.toISOString(),
    sampledForReview: stored.review_id !== null,
    replayed: true,
  };
}

export interface SubmittedAnnotation {
  id: number;
  itemId: number;
  label: Label;
  /** The client's claim as stored: at most what the server measured allows (decision 021). */
  durationMs: number | null;
  /** The working time the server measured, from the reservation to the submission. */
  activeMs: number;
  submittedAt: string;
  sampledForReview: boolean;
}

/**
 * Stores the caller's label for an item they hold. The label must fit the template (with the
 * item's responses, so spans and rankings are checked too). A late submission after the
 * reservation expired is still taken while the item has room for it. The item's agreement is
 * checked as soon as its last label arrives. The label's working time is measured from the
 * reservation's activity instants; the client's `durationMs` is kept only within its bound.
 * The same label sent again answers with the stored one, `replayed` (`replayedSubmission`).
 * The template, overlap and policy are those of the project row locked in the transaction
 * (`lockProjectFor`, as `lockProjectForLabels` does): a template change waits for the label,
 * which it then checks, and so does a removal of the caller, whose label is refused after it.
 */
export async function submitAnnotation(
  db: Kysely<Database>,
  user: User,
  itemId: number,
  input: unknown,
): Promise<SubmittedAnnotation & { replayed: boolean }> {
  const { label, durationMs } = parse(annotationInputSchema, input);
  const { id: projectId } = await loadItemForWork(db, user, itemId);
  return db.transaction().execute(async (trx) => {
    const { project } = await lockProjectFor(trx, user, projectId, "item.annotate");
    const item = await trx
      .selectFrom("items")
      .select(["id", "status", "responses", "gold_label"])
      .where("id", "=", itemId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const assignment = await trx
      .selectFrom("assignments")
      .select(["id", "status", "reserved_at", "expires_at", "active_ms", "last_active_at"])
      .where("item_id", "=", itemId)
      .where("user_id", "=", user.id)
      .forUpdate()
      .executeTakeFirst();
    if (!assignment) throw forbidden("This item is not assigned to you");
    if (assignment.status === "submitted") {
      const stored = await replayedSubmission(trx, user, project, item, label);
      if (stored) return stored;
      throw conflict("You have already labelled this item");
    }
    if (assignment.status === "skipped") throw conflict("You skipped this item");
    const isGold = item.gold_label !== null;
    if (!isGold && !["queued", "annotating"].includes(item.status)) {
      throw conflict("This item is no longer being labelled");
    }
    // A reservation ended early (its holder left the project, or a lead released their flag)
    // holds no place any more, whatever its `expires_at`: the label takes a place only as a new
    // reservation could, or a re-added member's old reservation would overfill the item.
    const lapsed = assignment.status === "expired" || new Date(assignment.expires_at) <= new Date();
    if (!isGold && lapsed) {
      const taken = await countOtherActive(trx, itemId, user.id);
      if (taken >= project.overlap) {
        throw conflict("Your reservation expired and the item already has all its labels");
      }
      if (await lastPlaceKeptForExpert(trx, project, user, itemId, taken)) {
        throw conflict("Your reservation expired and the item's last place is kept for an expert");
      }
    }

    const parsed = labelSchemaFor(project.template, item.responses as ResponseRef[]).safeParse(
      label,
    );
    if (!parsed.success) {
      throw validationFailed(
        "The label does not fit the template",
        fieldErrors(parsed.error.issues),
      );
    }
    const submittedAt = new Date();
    const measured = measureSubmission(assignment, submittedAt);
    const claimed = boundClaim(durationMs, measured);
    const annotation = await trx
      .insertInto("annotations")
      .values({
        item_id: itemId,
        user_id: user.id,
        label: JSON.stringify(parsed.data),
        duration_ms: claimed,
        active_ms: measured.activeMs,
        submitted_at: submittedAt,
        rate_cents_per_hour: trx
          .selectFrom("users")
          .select("hourly_rate_cents")
          .where("id", "=", user.id),
      })
      .returning(["id", "submitted_at"])
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("assignments")
      .set({
        status: "submitted",
        completed_at: submittedAt,
        active_ms: measured.activeMs,
        last_active_at: submittedAt,
      })
      .where("id", "=", assignment.id)
      .execute();
    await trx
      .deleteFrom("drafts")
      .where("item_id", "=", itemId)
      .where("user_id", "=", user.id)
      .execute();
    const sampledForReview = await sampleForJuniorReview(trx, user, project, annotation.id);
    await recordProjectEvent(trx, project.id, {
      type: "annotation.submitted",
      itemId,
      annotationId: annotation.id,
      annotatorId: user.id,
      fields: Object.entries(parsed.data)
        .filter(([, value]) => value !== undefined)
        .map(([field]) => field),
    });
    if (!isGold) await settleItems(trx, project, [itemId]);
    return {
      id: annotation.id,
      itemId,
      label: parsed.data,
      durationMs: claimed,
      activeMs: measured.activeMs,
      submittedAt: annotation.submitted_at.toISOString(),
      sampledForReview,
      replayed: false,
    };
  });
}

async function countOtherActive(trx: Kysely<Database>, itemId: number, userId: number) {
  const [reserved, labelled] = await Promise.all([
    trx
      .selectFrom("assignments")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("item_id", "=", itemId)
      .where("user_id", "!=", userId)
      .where("status", "=", "reserved")
      .where("expires_at", ">", new Date())
      .executeTakeFirstOrThrow(),
    trx
      .selectFrom("annotations")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("item_id", "=", itemId)
      .where("rejected_at", "is", null)
      .executeTakeFirstOrThrow(),
  ]);
  return reserved.count + labelled.count;
}

/**
 * Juniors' work is sampled into the lead's review queue: every annotation among a junior's first
 * `firstN` in the project, then a `rate` share, chosen by a stable hash of the annotation.
 */
async function sampleForJuniorReview(
  trx: Kysely<Database>,
  user: User,
  project: ProjectModel,
  annotationId: number,
): Promise<boolean> {
  if (user.level !== "junior") return false;
  const { count } = await trx
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("annotations.user_id", "=", user.id)
    .where("items.project_id", "=", project.id)
    .where("annotations.id", "<", annotationId)
    .executeTakeFirstOrThrow();
  const { firstN, rate } = project.settings.juniorReview;
  const sampled = count < firstN || stableFraction("review", annotationId) < rate;
  if (sampled) {
    await trx
      .insertInto("reviews")
      .values({ annotation_id: annotationId, project_id: project.id })
      .execute();
  }
  return sampled;
}

/** Gives an item back with a reason; the caller is never offered it again. */
export async function skipItem(
  db: Kysely<Database>,
  user: User,
  itemId: number,
  input: unknown,
): Promise<void> {
  const { reason } = parse(skipInputSchema, input);
  await loadItemForWork(db, user, itemId);
  const result = await db
    .updateTable("assignments")
    .set({ status: "skipped", skip_reason: reason, completed_at: new Date() })
    .where("item_id", "=", itemId)
    .where("user_id", "=", user.id)
    .where("status", "=", "reserved")
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw conflict("You do not hold this item");
  await db
    .deleteFrom("drafts")
    .where("item_id", "=", itemId)
    .where("user_id", "=", user.id)
    .execute();
}

/**
 * Saves work in progress as it is typed; drafts need not be complete or valid yet, but hold no
 * key that a label may never hold (`reservedKeyIssues`), since the page reads a draft back into
 * the label it submits. Each save is an activity instant of the reservation (decision 021);
 * `elapsedMs` is the page's own count, kept for the page only.
 */
export async function saveDraft(
  db: Kysely<Database>,
  user: User,
  itemId: number,
  input: unknown,
): Promise<{ savedAt: string }> {
  const { label, elapsedMs } = parse(draftInputSchema, input);
  const serialised = JSON.stringify(label);
  if (serialised.length > MAX_DRAFT_BYTES) {
    throw validationFailed("The draft is too large", [{ field: "label", message: "over 1 MB" }]);
  }
  const project = await loadItemForWork(db, user, itemId);
  const reserved = reservedKeyIssues(label, new Set(project.template.fields.map(({ id }) => id)));
  if (reserved.length > 0) {
    throw validationFailed("The draft uses a key no label may hold", fieldErrors(reserved));
  }
  const savedAt = new Date();
  await db.transaction().execute(async (trx) => {
    // The role and the reservation read again under the project's row, which a member's removal
    // locks before it ends their reservations: a save checked just before the removal stores
    // nothing after it (decision 040).
    await lockProjectFor(trx, user, project.id, "item.annotate");
    const assignment = await trx
      .selectFrom("assignments")
      .select("status")
      .where("item_id", "=", itemId)
      .where("user_id", "=", user.id)
      .executeTakeFirst();
    if (assignment?.status !== "reserved") throw conflict("You do not hold this item");
    await trx
      .insertInto("drafts")
      .values({
        item_id: itemId,
        user_id: user.id,
        label: serialised,
        elapsed_ms: elapsedMs,
        updated_at: savedAt,
      })
      .onConflict((oc) =>
        oc
          .columns(["item_id", "user_id"])
          .doUpdateSet({ label: serialised, elapsed_ms: elapsedMs, updated_at: savedAt }),
      )
      .execute();
  });
  await recordAssignmentActivity(db, user.id, itemId, savedAt);
  return { savedAt: savedAt.toISOString() };
}

export async function getDraft(db: Kysely<Database>, userId: number, itemId: number) {
  const draft = await db
    .selectFrom("drafts")
    .select(["label", "elapsed_ms", "updated_at"])
    .where("item_id", "=", itemId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return draft
    ? {
        label: draft.label as Record<string, unknown>,
        elapsedMs: draft.elapsed_ms,
        savedAt: draft.updated_at.toISOString(),
      }
    : null;
}
