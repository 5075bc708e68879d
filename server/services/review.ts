import type { Kysely } from "kysely";
import { z } from "zod";
import { reviewRoomName } from "../../app/domain/room.ts";
import { quoteLimit, spanOffsetProblems } from "../../app/domain/span-offsets.ts";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import {
  labelInputSchema,
  labelSchemaFor,
  ownEntry,
  type Label,
  type ResponseRef,
  type Template,
} from "../../app/domain/template.ts";
import type { Database, ReviewVerdict, User } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { conflict, fieldErrors, forbidden, notFound, validationFailed } from "../errors.ts";
import { requireProjectPermission } from "../permissions.ts";
import { recordAudit } from "./audit.ts";
import { REVEALED_STATUSES } from "./items.ts";
import { loadProjectFor, lockProjectFor } from "./project-model.ts";
import { recordProjectEvent } from "./project-events.ts";
import { withdrawVote } from "./room.ts";
import { settleAgain } from "./settle.ts";
import { settleRoomTime, storeReviewTime } from "./work-time.ts";

/** What deciding a review needs: the database, and the rooms whose time it settles. */
export type ReviewContext = Pick<QuorumContext, "db" | "rooms" | "accessChanges" | "log">;

/**
 * Something a reader can see: characters other than white space and those that render as nothing
 * (zero-width spaces and joiners, soft hyphens, variation selectors …).
 */
const visibleCharacter = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}]/u;

/** A reviewer's comment, anchored to a field and optionally to a span of a response. */
export const reviewCommentSchema = z
  .object({
    fieldId: z.string().min(1).max(100).optional(),
    span: z
      .object({
        responseId: z.string().min(1),
        start: z.number().int().min(0),
        end: z.number().int().min(1),
        text: z.string().max(10_000).optional(),
      })
      .strict()
      .refine((span) => span.start < span.end, {
        message: "start must be below end",
        path: ["end"],
      })
      .optional(),
    text: z
      .string()
      .trim()
      .min(1)
      .max(10_000)
      .refine((text) => visibleCharacter.test(text), {
        message: "say something a reader can see: this text is only blank characters",
      }),
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
      correctedLabel: labelInputSchema(),
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

type ReviewComment = z.infer<typeof reviewCommentSchema>;

/**
 * Review comments with the field each names checked against the template, and the span each is
 * anchored to checked against the item's responses as a label's spans are (inside the text, not
 * splitting a character, `text` the slice when given) and quoted; 422 naming every comment in
 * error. Each span is checked before their total: a span past its response's end is reported as
 * that, not as quoting too much.
 */
function anchoredComments(
  comments: ReadonlyArray<ReviewComment>,
  responses: ReadonlyArray<ResponseRef>,
  fieldIds: ReadonlySet<string>,
): ReviewComment[] {
  const errors: Array<{ field: string; message: string }> = [];
  const anchored = comments.map((comment, index) => {
    if (comment.fieldId !== undefined && !fieldIds.has(comment.fieldId)) {
      errors.push({
        field: `comments.${index}.fieldId`,
        message: `the template has no field "${comment.fieldId}"`,
      });
    }
    const { span } = comment;
    if (!span) return comment;
    const field = `comments.${index}.span`;
    const text = responses.find((response) => response.id === span.responseId)?.text;
    if (text === undefined) {
      errors.push({
        field: `${field}.responseId`,
        message: `no response with id "${span.responseId}"`,
      });
      return comment;
    }
    const problems = spanOffsetProblems(text, span);
    for (const problem of problems) {
      errors.push({ field: `${field}.${problem.field}`, message: problem.message });
    }
    if (problems.length > 0) return comment;
    return { ...comment, span: { ...span, text: text.slice(span.start, span.end) } };
  });
  if (errors.length > 0) {
    throw validationFailed("A comment does not fit the item", errors);
  }
  // Each anchor is quoted from the response: a hundred comments over a long response would
  // otherwise store as much text as a hundred copies of it.
  const quoted = anchored.reduce(
    (total, comment) => total + (comment.span ? comment.span.end - comment.span.start : 0),
    0,
  );
  const limit = quoteLimit(responses);
  if (quoted > limit) {
    throw validationFailed("The comments' spans quote too much of the responses", [
      {
        field: "comments",
        message: `the comments of a review may together quote at most ${limit.toLocaleString("en-US")} characters, as the spans of a label; these quote ${quoted.toLocaleString("en-US")}`,
      },
    ]);
  }
  return anchored;
}

/** Whether a correction changes nothing of the label it corrects, field by field. */
function sameLabel(template: Template, original: Label, corrected: Label): boolean {
  return template.fields.every(
    (field) =>
      canonicalJson(ownEntry(original, field.id) ?? null) ===
      canonicalJson(ownEntry(corrected, field.id) ?? null),
  );
}

const verdictOf = { accept: "accepted", correct: "corrected", reject: "rejected" } as const;

/** The most reviews one page of the list holds, and how many a page holds unless asked. */
export const REVIEW_PAGE_LIMIT = 500;

export interface ReviewListPage {
  verdict?: ReviewVerdict | "all";
  /** The `nextCursor` of the page before: the reviews after that id. */
  cursor?: number;
  limit?: number;
}

function reviewRows(db: Kysely<Database>, projectId: number) {
  return db
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
    .where("reviews.project_id", "=", projectId);
}

type ReviewRow = Awaited<ReturnType<ReturnType<typeof reviewRows>["executeTakeFirstOrThrow"]>>;

function reviewView(row: ReviewRow) {
  return {
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
  };
}

export type ReviewView = ReturnType<typeof reviewView>;

/**
 * A page of a project's reviews with a verdict (pending unless asked), in the order they were
 * sampled; `total` counts every review with that verdict, and `nextCursor` is the id to pass
 * back for the next page (null on the last).
 */
export async function listReviews(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  { verdict = "pending", cursor, limit = REVIEW_PAGE_LIMIT }: ReviewListPage = {},
): Promise<{ reviews: ReviewView[]; total: number; nextCursor: number | null }> {
  await requireProjectPermission(db, user, projectId, "item.review");
  const [rows, counted] = await Promise.all([
    reviewRows(db, projectId)
      .$if(verdict !== "all", (query) =>
        query.where("reviews.verdict", "=", verdict as ReviewVerdict),
      )
      .$if(cursor !== undefined, (query) => query.where("reviews.id", ">", cursor!))
      .orderBy("reviews.id")
      .limit(limit + 1)
      .execute(),
    db
      .selectFrom("reviews")
      .select((eb) => eb.fn.countAll<string>().as("total"))
      .where("project_id", "=", projectId)
      .$if(verdict !== "all", (query) => query.where("verdict", "=", verdict as ReviewVerdict))
      .executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, limit);
  return {
    reviews: page.map(reviewView),
    total: Number(counted.total),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** One review of a project, by id; 404 when the project has no such review. */
export async function getReview(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  reviewId: number,
): Promise<ReviewView> {
  await requireProjectPermission(db, user, projectId, "item.review");
  const row = await reviewRows(db, projectId).where("reviews.id", "=", reviewId).executeTakeFirst();
  if (!row) throw notFound("This project has no such review");
  return reviewView(row);
}

/** A project's most recently decided reviews, newest first. */
export async function recentlyDecidedReviews(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  limit: number,
): Promise<ReviewView[]> {
  await requireProjectPermission(db, user, projectId, "item.review");
  const rows = await reviewRows(db, projectId)
    .where("reviews.verdict", "!=", "pending")
    .orderBy("reviews.decided_at", "desc")
    .orderBy("reviews.id", "desc")
    .limit(limit)
    .execute();
  return rows.map(reviewView);
}

/**
 * A lead's verdict on a junior's annotation. Accept keeps it; correct keeps the corrected label
 * beside the junior's (the junior sees both, with the comments); reject takes the annotation
 * out of the item's labels, and the item goes back to the queue for another annotator.
 * The time people spent on the review (its page and its room) until now is stored with the
 * decision (decision 021).
 */
export async function decideReview(
  context: ReviewContext,
  user: User,
  reviewId: number,
  input: unknown,
) {
  const parsedInput = reviewDecisionSchema.safeParse(input);
  if (!parsedInput.success) {
    throw validationFailed("The review is not valid", fieldErrors(parsedInput.error.issues));
  }
  const decision = parsedInput.data;
  const { db } = context;
  const review = await db
    .selectFrom("reviews")
    .select(["id", "project_id", "annotation_id"])
    .where("id", "=", reviewId)
    .executeTakeFirst();
  if (!review) throw notFound("No such review");
  await loadProjectFor(db, user, review.project_id, "item.review");
  const roomName = reviewRoomName(review.annotation_id);
  await context.rooms.flushRoomTime(roomName);

  const decided = await db.transaction().execute(async (trx) => {
    // A correction is a label: checked against the template a concurrent change waits for, by
    // a reviewer still leading the project when it commits.
    const { project } = await lockProjectFor(trx, user, review.project_id, "item.review");
    // The item first, then the review and the label: submissions and revisions lock the item
    // before they write its labels, and one order keeps either from waiting on the other in a
    // cycle (decision 035).
    await trx
      .selectFrom("items")
      .select("id")
      .where(
        "id",
        "=",
        trx.selectFrom("annotations").select("item_id").where("id", "=", review.annotation_id),
      )
      .forUpdate()
      .execute();
    const current = await trx
      .selectFrom("reviews")
      .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
      .innerJoin("items", "items.id", "annotations.item_id")
      .select([
        "reviews.verdict",
        "annotations.item_id",
        "annotations.user_id",
        "annotations.label",
        "items.status",
        "items.responses",
      ])
      .where("reviews.id", "=", reviewId)
      .forUpdate(["reviews", "annotations"])
      .executeTakeFirstOrThrow();
    if (current.verdict !== "pending")
      throw conflict(`This review was already decided (${current.verdict})`);
    // A junior made lead while their label waited for review would otherwise judge it.
    if (current.user_id === user.id) throw forbidden("Nobody reviews their own label");

    const comments = anchoredComments(
      decision.comments,
      current.responses as ResponseRef[],
      new Set(project.template.fields.map((field) => field.id)),
    );
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
      // The page refuses such a correction too: it would count against the junior for nothing.
      if (sameLabel(project.template, current.label as Label, parsed.data)) {
        throw validationFailed("The correction changes nothing", [
          {
            field: "correctedLabel",
            message:
              "the correction is the same as the annotator's label: change a field, or accept",
          },
        ]);
      }
      correctedLabel = JSON.stringify(parsed.data);
    }
    const verdict = verdictOf[decision.verdict];
    if (verdict === "rejected") {
      await trx
        .updateTable("annotations")
        .set({ rejected_at: new Date() })
        .where("id", "=", review.annotation_id)
        .execute();
    }
    const decidedAt = new Date();
    await trx
      .updateTable("reviews")
      .set({
        verdict,
        reviewer_id: user.id,
        corrected_label: correctedLabel,
        comments: JSON.stringify(comments),
        decided_at: decidedAt,
      })
      .where("id", "=", reviewId)
      .execute();
    // A rejected label stops counting, a corrected one counts as corrected (`countedLabels`).
    if (
      verdict !== "accepted" &&
      current.status !== "published" &&
      current.status !== "adjudicating"
    ) {
      await settleAgain(trx, project, current.item_id);
    }
    await storeReviewTime(
      trx,
      reviewId,
      await settleRoomTime(trx, roomName, { userId: user.id, at: decidedAt }),
    );
    await recordAudit(trx, {
      actorId: user.id,
      action: `review.${decision.verdict}`,
      projectId: review.project_id,
      subjectType: "annotation",
      subjectId: review.annotation_id,
    });
    await recordProjectEvent(trx, review.project_id, {
      type: "review.decided",
      itemId: current.item_id,
      reviewId,
      decision: verdict,
    });
    return { id: reviewId, verdict };
  });
  if (decided.verdict === "rejected") await leavePanel(context, review.annotation_id);
  return decided;
}

/**
 * A rejected label's author no longer sits on the item's panel: their connections to its room
 * on this instance are rechecked at once (others' at their next recheck, access.ts), and their
 * vote leaves the open room. The decision is committed: a room that cannot be written now is
 * logged, and the version a publish writes records the panel's votes alone anyway.
 */
async function leavePanel(context: ReviewContext, annotationId: number): Promise<void> {
  const annotation = await context.db
    .selectFrom("annotations")
    .select(["item_id", "user_id"])
    .where("id", "=", annotationId)
    .executeTakeFirstOrThrow();
  context.accessChanges.notify();
  try {
    await withdrawVote(context, annotation.item_id, annotation.user_id);
  } catch (error) {
    context.log.error(
      { err: error, itemId: annotation.item_id },
      "could not take a rejected label's vote out of the room",
    );
  }
}

/** The most of the caller's annotations one page holds, and how many a page holds unless asked. */
export const OWN_ANNOTATION_PAGE_LIMIT = 500;

export interface OwnAnnotationPage {
  /** The `nextCursor` of the page before: the annotations older than that id. */
  cursor?: number;
  limit?: number;
}

/**
 * A page of the caller's own annotations in a project, newest first, with any review verdict and
 * comments; `total` counts all of them, `reviewed` those with a decided review, and `nextCursor`
 * is the id to pass back for the next (older) page (null on the last).
 */
export async function listOwnAnnotations(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  { cursor, limit = OWN_ANNOTATION_PAGE_LIMIT }: OwnAnnotationPage = {},
) {
  const subject = await requireProjectPermission(db, user, projectId, "project.view");
  // As on the item pages: an annotator sees an item's external id only once it is revealed,
  // which a gold item never is (server/services/items.ts).
  const annotator = !subject.isAdmin && subject.role === "annotator";
  const own = db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .where("annotations.user_id", "=", user.id)
    .where("items.project_id", "=", projectId);
  const [rows, counted] = await Promise.all([
    own
      .select([
        "annotations.id",
        "annotations.label",
        "annotations.submitted_at",
        "annotations.duration_ms",
        "annotations.active_ms",
        "items.id as item_id",
        "items.external_id",
        "items.status",
        "reviews.verdict",
        "reviews.comments",
        "reviews.corrected_label",
        "reviews.decided_at",
      ])
      .$if(cursor !== undefined, (query) => query.where("annotations.id", "<", cursor!))
      .orderBy("annotations.id", "desc")
      .limit(limit + 1)
      .execute(),
    own
      .select((eb) => [
        eb.fn.countAll<string>().as("total"),
        eb.fn
          .count<string>("reviews.id")
          .filterWhere("reviews.verdict", "!=", "pending")
          .as("reviewed"),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, limit);
  const annotations = page.map((row) => ({
    id: row.id,
    item: {
      id: row.item_id,
      externalId: !annotator || REVEALED_STATUSES.includes(row.status) ? row.external_id : null,
    },
    label: row.label,
    submittedAt: row.submitted_at.toISOString(),
    durationMs: row.duration_ms,
    activeMs: row.active_ms,
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
  return {
    annotations,
    total: Number(counted.total),
    reviewed: Number(counted.reviewed),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}
