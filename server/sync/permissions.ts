import type { User } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { forbidden, notFound } from "../errors.ts";
import { can, projectRole } from "../permissions.ts";
import { annotatorMaySeeLabels } from "../services/items.ts";
import type { DocumentName } from "./document-name.ts";

/** `edit`: the connection's document updates are applied; `observe`: they are dropped. */
export type DocumentAccess = "edit" | "observe";

/**
 * Decided once per connection, at the upgrade, from the same permission module the API uses.
 * Throws a 404 when the document's subject does not exist and a 403 when the user may not see it.
 */
export async function authorizeDocument(
  context: QuorumContext,
  user: User,
  document: DocumentName,
): Promise<DocumentAccess> {
  switch (document.kind) {
    case "item":
      return authorizeItemRoom(context, user, document.itemId);
    case "review":
      return authorizeReview(context, user, document.annotationId);
    case "generic":
      // Free-form documents belong to no project: any signed-in user may edit them.
      return "edit";
  }
}

async function authorizeItemRoom(
  context: QuorumContext,
  user: User,
  itemId: number,
): Promise<DocumentAccess> {
  const item = await context.db
    .selectFrom("items")
    .select(["id", "project_id", "status"])
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  const subject = {
    isAdmin: user.is_admin,
    role: await projectRole(context.db, user.id, item.project_id),
  };
  // The room holds every annotator's label: an annotator still labelling blind may not enter.
  if (
    subject.role === "annotator" &&
    !subject.isAdmin &&
    !(await annotatorMaySeeLabels(context.db, user.id, item))
  ) {
    throw forbidden("This item's labels are hidden from you until you have labelled it yourself");
  }
  if (can(subject, "room.edit")) return "edit";
  if (can(subject, "room.observe")) return "observe";
  throw forbidden("You are not a member of this item's project");
}

/**
 * A review is the lead's correction of one annotation: reviewers edit it and its author watches
 * it. Nobody else sees it, since another annotator of the item must stay blind to this label.
 */
async function authorizeReview(
  context: QuorumContext,
  user: User,
  annotationId: number,
): Promise<DocumentAccess> {
  const annotation = await context.db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .select(["annotations.user_id", "items.project_id"])
    .where("annotations.id", "=", annotationId)
    .executeTakeFirst();
  if (!annotation) throw notFound("No such annotation");
  const subject = {
    isAdmin: user.is_admin,
    role: await projectRole(context.db, user.id, annotation.project_id),
  };
  if (can(subject, "item.review")) return "edit";
  if (annotation.user_id === user.id) return "observe";
  throw forbidden("Only the project's leads and the annotation's author may open its review");
}
