import type { ProjectRole, User } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { forbidden, notFound } from "../errors.ts";
import { can, projectRole, type Subject } from "../permissions.ts";
import { projectSettingsSchema } from "../../app/domain/project.ts";
import { isPanelMember } from "../services/panel.ts";
import { annotatorMaySeeLabels, pseudonymsFor } from "../services/items.ts";
import { participantKeys } from "../services/participants.ts";
import type { ParticipantRole } from "./awareness.ts";
import type { DocumentName } from "./document-name.ts";
import { noWrites, type RoomWrites } from "./write-rules.ts";

/** `edit`: the connection's document updates are stored; `observe`: they are dropped. */
export type DocumentAccess = "edit" | "observe";

export interface DocumentGrant {
  access: DocumentAccess;
  /** What of the document an editor may change (write-rules.ts); nothing for an observer. */
  writes: RoomWrites;
  /** The project whose membership the access rests on. */
  projectId: number;
  /**
   * The user's role in that project when the grant was decided (null: none, an admin's), which
   * the access recheck compares with the current one: a grant follows from the role.
   */
  projectRole: ProjectRole | null;
  /** What the participant is shown as to the others. */
  role: ParticipantRole | null;
  /** The participant's pseudonym, for those who see annotators pseudonymised. */
  pseudonym: string | null;
  /** Whether the participant sees the other annotators under their pseudonyms. */
  seesPseudonyms: boolean;
}

/**
 * Decided once per connection, at the upgrade, from the same permission module the API uses.
 * Throws a 404 when the document's subject does not exist and a 403 when the user may not see it.
 *
 * Editing a room is a right of a project role; an admin who holds none may watch every room but
 * edit none ("clients and admins observe"), so the admin's bypass in `can` is not used for it.
 */
export async function authorizeDocument(
  context: QuorumContext,
  user: User,
  document: DocumentName,
): Promise<DocumentGrant> {
  switch (document.kind) {
    case "item":
      return authorizeItemRoom(context, user, document.itemId);
    case "review":
      return authorizeReview(context, user, document.annotationId);
  }
}

/** The user's participant key in the project, which their votes and comments carry. */
async function keyOf(context: QuorumContext, userId: number, projectId: number) {
  return (await participantKeys(context.db, projectId, [userId])).get(userId) ?? null;
}

/**
 * Leads edit an item's room, and so do its annotators once they may see the other labels (the
 * panel); clients and admins observe. An annotator who has not labelled the item, or is still
 * labelling it blind, may not enter: the room holds every annotator's label. In the room, as in
 * the API, annotators appear under pseudonyms to the other annotators, and to clients unless the
 * project says otherwise.
 *
 * Editors write the draft label and comments; the panel members among them (leads included)
 * also their own vote.
 */
async function authorizeItemRoom(
  context: QuorumContext,
  user: User,
  itemId: number,
): Promise<DocumentGrant> {
  const item = await context.db
    .selectFrom("items")
    .innerJoin("projects", "projects.id", "items.project_id")
    .select(["items.id", "items.project_id", "items.status", "projects.settings"])
    .where("items.id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  const role = await projectRole(context.db, user.id, item.project_id);
  const grant = async (access: DocumentAccess): Promise<DocumentGrant> => {
    const settings = projectSettingsSchema.parse(item.settings ?? {});
    // A lead who once labelled keeps their letter here too: presence by name next to comments
    // and votes under the letter would tell who is behind it.
    const pseudonyms = await pseudonymsFor(context.db, item.project_id);
    const writes: RoomWrites =
      access === "edit"
        ? {
            participantKey: await keyOf(context, user.id, item.project_id),
            label: true,
            vote: await isPanelMember(context.db, user.id, item.id),
            comment: true,
          }
        : noWrites;
    return {
      access,
      writes,
      projectId: item.project_id,
      projectRole: role,
      role: role ?? (user.is_admin ? "admin" : null),
      pseudonym: pseudonyms.get(user.id) ?? null,
      seesPseudonyms:
        !user.is_admin &&
        (role === "annotator" || (role === "client" && settings.pseudonymiseForClients)),
    };
  };
  const member: Subject = { isAdmin: false, role };
  if (role === "annotator") {
    const onPanel =
      (await annotatorMaySeeLabels(context.db, user.id, item)) ||
      (await isPanelMember(context.db, user.id, item.id));
    if (onPanel) return grant("edit");
    if (!user.is_admin) {
      throw forbidden("This item's labels are hidden from you until you have labelled it yourself");
    }
  } else if (can(member, "room.edit")) {
    return grant("edit");
  }
  if (can({ isAdmin: user.is_admin, role }, "room.observe")) return grant("observe");
  throw forbidden("You are not a member of this item's project");
}

/**
 * A review is the lead's correction of one annotation, which the lead and the annotation's
 * author discuss live: both comment on it (the label is the server's copy of the reviewed one),
 * admins observe. Nobody else sees it, since another annotator of the item must stay blind to
 * this label. The author must still be an annotator or lead of the project: one who was
 * removed is refused, as the access recheck (access.ts) closes their open connections.
 */
async function authorizeReview(
  context: QuorumContext,
  user: User,
  annotationId: number,
): Promise<DocumentGrant> {
  const annotation = await context.db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .select(["annotations.user_id", "items.project_id"])
    .where("annotations.id", "=", annotationId)
    .executeTakeFirst();
  if (!annotation) throw notFound("No such annotation");
  const role = await projectRole(context.db, user.id, annotation.project_id);
  const grant = async (access: DocumentAccess): Promise<DocumentGrant> => ({
    access,
    writes:
      access === "edit"
        ? {
            participantKey: await keyOf(context, user.id, annotation.project_id),
            label: false,
            vote: false,
            comment: true,
          }
        : noWrites,
    projectId: annotation.project_id,
    projectRole: role,
    role: role ?? (user.is_admin ? "admin" : null),
    pseudonym: null,
    seesPseudonyms: false,
  });
  const member: Subject = { isAdmin: false, role };
  const author = annotation.user_id === user.id && can(member, "item.annotate");
  if (can(member, "item.review") || author) return grant("edit");
  if (user.is_admin) return grant("observe");
  throw forbidden("Only the project's leads and the annotation's author may open its review");
}
