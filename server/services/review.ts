import type { Kysely } from "kysely";
import { z } from "zod";
import { labelSchemaFor, type ResponseRef } from "../../app/domain/template.ts";
import type { Database, ReviewVerdict, User } from "../../db/schema.ts";
import { conflict, fieldErrors, notFound, validationFailed } from "../errors.ts";
import { requireProjectPermission } from "../permissions.ts";
import { recordAudit } from "./audit.ts";
import { loadProjectFor } from "./project-model.ts";
import { settleItems } from "./settle.ts";

/** A reviewer's comment, anchored to a field and optionally to a span of a response. */
export const reviewCommentSchema = z
  .object({
    fieldId: z.string().min(1).max(100).optional(),
    span: z
      .object({
        responseId: z.string().min(1),
        start: z.number().int().min(0),
        end: z.number().int().min(1),
      })
      .strict()
      .refine((span) => span.start < span.end, {
        message: "start must be below end",
        path: ["end"],
      })
      .optional(),
    text: z.string().trim().min(1).max(10_000),
  })
  .strict();

export const reviewDecisionSchema = z.discriminatedUnion("verdict", [
  z
    .object({
      verdict: z.literal("accept"),
      comments: z.array(reviewCommentSchema).max(100).default([]),
    })
    .strict(),
  z
    .object({
      verdict: z.literal("correct"),
      correctedLabel: z.record(z.string(), z.unknown()),
      comments: z.array(reviewCommentSchema).min(1, "say what you corrected").max(100),
    })
    .strict(),
  z
    .object({
      verdict: z.literal("reject"),
      comments: z.array(reviewCommentSchema).min(1, "say why").max(100),
    })
    .strict(),
]);

const verdictOf = { accept: "accepted", correct: "corrected", reject: "rejected" } as const;

export async function listReviews(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  verdict: ReviewVerdict | "all" = "pending",
) {
  await requireProjectPermission(db, user, projectId, "item.review");
  const rows = await db
    .selectFrom("reviews")
    .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
    .innerJoin("users", "users.id", "annotations.user_id")
    .innerJoin("items", "items.id", "annotations.item_id")
    .select([
      "reviews.id",
      "reviews.verdict",
      "reviews.comments",
      "reviews.corrected_label",
      "reviews.created_at",
      "reviews.decided_at",
      "annotations.id as annotation_id",
      "annotations.label",
      "annotations.submitted_at",
      "users.id as annotator_id",
      "users.name as annotator_name",
      "items.id as item_id",
      "items.external_id",
    ])
    .where("reviews.project_id", "=", projectId)
    .$if(verdict !== "all", (query) =>
      query.where("reviews.verdict", "=", verdict as ReviewVerdict),
    )
    .orderBy("reviews.id")
    .limit(500)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    verdict: row.verdict,
    comments: row.comments,
    correctedLabel: row.corrected_label,
    createdAt: row.created_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
    annotation: {
      id: row.annotation_id,
      label: row.label,
      submittedAt: row.submitted_at.toISOString(),
    },
    annotator: { id: row.annotator_id, name: row.annotator_name },
    item: { id: row.item_id, externalId: row.external_id },
  }));
}

/**
 * A lead's verdict on a junior's annotation. Accept keeps it; correct keeps the corrected label
 * beside the junior's (the junior sees both, with the comments); reject takes the annotation
 * out of the item's labels, and the item goes back to the queue for another annotator.
 */
export async function decideReview(
  db: Kysely<Database>,
  user: User,
  reviewId: number,
  input: unknown,
) {
  const parsedInput = reviewDecisionSchema.safeParse(input);
  if (!parsedInput.success) {
    throw validationFailed("The review is not valid", fieldErrors(parsedInput.error.issues));
  }
  const decision = parsedInput.data;
  const review = await db
    .selectFrom("reviews")
    .select(["id", "project_id", "annotation_id"])
    .where("id", "=", reviewId)
    .executeTakeFirst();
  if (!review) throw notFound("No such review");
  const { project } = await loadProjectFor(db, user, review.project_id, "item.review");

  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("reviews")
      .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
      .innerJoin("items", "items.id", "annotations.item_id")
      .select(["reviews.verdict", "annotations.item_id", "items.status", "items.responses"])
      .where("reviews.id", "=", reviewId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.verdict !== "pending")
      throw conflict(`This review was already decided (${current.verdict})`);

    let correctedLabel: string | null = null;
    if (decision.verdict === "correct") {
      const parsed = labelSchemaFor(project.template, current.responses as ResponseRef[]).safeParse(
        decision.correctedLabel,
      );
      if (!parsed.success) {
        throw validationFailed(
          "The corrected label does not fit the template",
          fieldErrors(parsed.error.issues).map((error) => ({
            ...error,
            field: `correctedLabel.${error.field}`,
          })),
        );
      }
      correctedLabel = JSON.stringify(parsed.data);
    }
    const verdict = verdictOf[decision.verdict];
    if (verdict === "rejected") {
      if (current.status === "published" || current.status === "adjudicating") {
        throw conflict("The item is already being adjudicated or published; reopen it instead");
      }
      await trx
        .updateTable("annotations")
        .set({ rejected_at: new Date() })
        .where("id", "=", review.annotation_id)
        .execute();
      await trx.deleteFrom("item_outcomes").where("item_id", "=", current.item_id).execute();
      await trx
        .updateTable("items")
        .set({ status: "annotating", updated_at: new Date() })
        .where("id", "=", current.item_id)
        .where("status", "in", ["consensus", "disputed"])
        .execute();
      await settleItems(trx, project, [current.item_id]);
    }
    await trx
      .updateTable("reviews")
      .set({
        verdict,
        reviewer_id: user.id,
        corrected_label: correctedLabel,
        comments: JSON.stringify(decision.comments),
        decided_at: new Date(),
      })
      .where("id", "=", reviewId)
      .execute();
    await recordAudit(trx, {
      actorId: user.id,
      action: `review.${decision.verdict}`,
      projectId: review.project_id,
      subjectType: "annotation",
      subjectId: review.annotation_id,
    });
    return { id: reviewId, verdict };
  });
}

/** The caller's own annotations in a project, with any review verdict and comments. */
export async function listOwnAnnotations(db: Kysely<Database>, user: User, projectId: number) {
  await requireProjectPermission(db, user, projectId, "project.view");
  const rows = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .select([
      "annotations.id",
      "annotations.label",
      "annotations.submitted_at",
      "annotations.duration_ms",
      "items.id as item_id",
      "items.external_id",
      "reviews.verdict",
      "reviews.comments",
      "reviews.corrected_label",
      "reviews.decided_at",
    ])
    .where("annotations.user_id", "=", user.id)
    .where("items.project_id", "=", projectId)
    .orderBy("annotations.id", "desc")
    .limit(500)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    item: { id: row.item_id, externalId: row.external_id },
    label: row.label,
    submittedAt: row.submitted_at.toISOString(),
    durationMs: row.duration_ms,
    // Undecided reviews stay invisible: the junior learns of the review when it is decided.
    review:
      row.verdict && row.verdict !== "pending"
        ? {
            verdict: row.verdict,
            comments: row.comments,
            correctedLabel: row.corrected_label,
            decidedAt: row.decided_at?.toISOString() ?? null,
          }
        : null,
  }));
}
