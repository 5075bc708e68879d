import { sql, type Expression, type Kysely } from "kysely";
import { z } from "zod";
import {
  labelInputSchema,
  labelSchemaFor,
  type Label,
  type ResponseRef,
} from "../../app/domain/template.ts";
import type { Database, User } from "../../db/schema.ts";
import { conflict, fieldErrors, notFound, validationFailed } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { loadProjectFor, lockProjectFor } from "./project-model.ts";

export const revisionInputSchema = z.object({ label: labelInputSchema() }).strict();

/** Statuses in which an item still waits for labels: nothing has been decided from them yet. */
const UNSETTLED = ["queued", "annotating"] as const;

/**
 * Whether an item still waits for labels, as its annotators can tell. A gold item never settles,
 * so its labels would stay revisable for good where an ordinary item's stop once it has all
 * `overlap` of them: that difference alone told annotators which items were gold. A gold item
 * therefore counts as settled once it has as many labels as an ordinary one needs.
 */
function stillWaiting(
  item: { status: string; gold_label: unknown; labels: number | string },
  overlap: number,
): boolean {
  if (!(UNSETTLED as readonly string[]).includes(item.status)) return false;
  return item.gold_label === null || Number(item.labels) < overlap;
}

/** The labels of an item that count: a gold item's too, which no `label_count` keeps. */
const labelCountOf = (itemId: Expression<number>) =>
  sql<string>`(select count(*) from annotations
    where annotations.item_id = ${itemId} and annotations.rejected_at is null)`;

export interface RevisableAnnotation {
  id: number;
  itemId: number;
  label: Label;
  submittedAt: string;
}

function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw validationFailed("The request is not valid", fieldErrors(parsed.error.issues));
  return parsed.data;
}

/**
 * The caller's most recent label in a project if they may still change it: its item has not
 * settled (it still waits for other labels), its author has not been shown the others (a
 * disputed item that went back to the queue) and it was not sampled for a lead's review (a
 * label in the review queue is what the lead judges: see `reviseAnnotation`). Null otherwise.
 * What the labeling page's "Previous" reopens.
 */
export async function lastRevisableAnnotation(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<RevisableAnnotation | null> {
  const { project } = await loadProjectFor(db, user, projectId, "item.annotate");
  const last = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .select([
      "annotations.id",
      "annotations.item_id",
      "annotations.label",
      "annotations.submitted_at",
      "annotations.rejected_at",
      "annotations.revealed_at",
      "items.status",
      "items.gold_label",
      labelCountOf(sql.ref("items.id")).as("labels"),
      "reviews.id as review_id",
    ])
    .where("annotations.user_id", "=", user.id)
    .where("annotations.source", "=", "quorum")
    .where("items.project_id", "=", projectId)
    .orderBy("annotations.submitted_at", "desc")
    .orderBy("annotations.id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (
    !last ||
    last.rejected_at !== null ||
    last.revealed_at !== null ||
    last.review_id !== null ||
    !stillWaiting(last, project.overlap)
  ) {
    return null;
  }
  return {
    id: last.id,
    itemId: last.item_id,
    label: last.label as Label,
    submittedAt: new Date(last.submitted_at).toISOString(),
  };
}

/**
 * Replaces the caller's own label of an item while the item has not settled, checked against
 * the template as a submission is. The item's row is locked, so a revision and the last label
 * that settles the item are ordered: a revision after settling is refused (409), and one before
 * it is what settling sees. The label it replaces is kept in the audit log. The template and
 * overlap, and the caller's membership, are read under the project's lock (`lockProjectFor`), as
 * a submission reads them.
 * A label sampled for review no longer changes, decided or not: the lead's queue, page and room
 * show it from the moment it is submitted, and a verdict must judge the label the lead read
 * (docs/workflow.md "Junior review"). The review row is written in the submission's transaction
 * and read here under the item's lock, which the verdict takes too.
 */
export async function reviseAnnotation(
  db: Kysely<Database>,
  user: User,
  itemId: number,
  input: unknown,
): Promise<RevisableAnnotation> {
  const { label } = parse(revisionInputSchema, input);
  const item = await db
    .selectFrom("items")
    .select("project_id")
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  await loadProjectFor(db, user, item.project_id, "item.annotate");
  return db.transaction().execute(async (trx) => {
    const { project } = await lockProjectFor(trx, user, item.project_id, "item.annotate");
    const locked = await trx
      .selectFrom("items")
      .select(["status", "responses", "gold_label", labelCountOf(sql.ref("id")).as("labels")])
      .where("id", "=", itemId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const own = await trx
      .selectFrom("annotations")
      .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
      .select([
        "annotations.id",
        "annotations.label",
        "annotations.submitted_at",
        "annotations.rejected_at",
        "annotations.revealed_at",
        "reviews.id as review_id",
        "reviews.decided_at",
      ])
      .where("annotations.item_id", "=", itemId)
      .where("annotations.user_id", "=", user.id)
      .where("annotations.source", "=", "quorum")
      .executeTakeFirst();
    if (!own) throw conflict("You have not labelled this item");
    if (!stillWaiting(locked, project.overlap)) {
      throw conflict("The item has all its labels now: yours can no longer change");
    }
    if (own.rejected_at !== null || own.decided_at !== null) {
      throw conflict("A lead has reviewed this label: it can no longer change");
    }
    if (own.review_id !== null) {
      throw conflict("A lead is reviewing this label: it can no longer change");
    }
    if (own.revealed_at !== null) {
      throw conflict(
        "The item was disputed after your label, which showed you the others: yours can no longer change",
      );
    }
    const parsed = labelSchemaFor(project.template, locked.responses as ResponseRef[]).safeParse(
      label,
    );
    if (!parsed.success) {
      throw validationFailed(
        "The label does not fit the template",
        fieldErrors(parsed.error.issues),
      );
    }
    await trx
      .updateTable("annotations")
      .set({ label: JSON.stringify(parsed.data) })
      .where("id", "=", own.id)
      .execute();
    await recordAudit(trx, {
      actorId: user.id,
      action: "annotation.revise",
      projectId: project.id,
      subjectType: "annotation",
      subjectId: own.id,
      details: { itemId, previousLabel: own.label },
    });
    return {
      id: own.id,
      itemId,
      label: parsed.data,
      submittedAt: new Date(own.submitted_at).toISOString(),
    };
  });
}
