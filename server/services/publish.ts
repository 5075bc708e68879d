import type { Kysely } from "kysely";
import * as Y from "yjs";
import { z } from "zod";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import type { PublishRule } from "../../app/domain/project.ts";
import {
  itemRoomName,
  labelToJson,
  minorityPositions,
  votesToJson,
  type Votes,
} from "../../app/domain/room.ts";
import { quoteLabelSpans } from "../../app/domain/span-offsets.ts";
import { stripInvalidText } from "../../app/domain/strip-invalid-text.ts";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import { totalTime } from "../../app/domain/work-time.ts";
import type { Label, ResponseRef } from "../../app/domain/template.ts";
import type { Database, ItemStatus, User } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import {
  AppError,
  conflict,
  fieldErrors,
  forbidden,
  notFound,
  validationFailed,
} from "../errors.ts";
import { can, type Subject } from "../permissions.ts";
import { recordAudit } from "./audit.ts";
import { pseudonymsFor } from "./items.ts";
import { addPanelMemberSchema, insertPanelMember, isPanelMember, listPanel } from "./panel.ts";
import { participantKeys, participantUsers } from "./participants.ts";
import { recordProjectEvent } from "./project-events.ts";
import { loadProjectFor, lockProjectFor, type ProjectModel } from "./project-model.ts";
import { prepareItemRoom } from "./room.ts";
import {
  discardRoomTime,
  settleRoomTime,
  storeAdjudicationTime,
  type PersonTime,
} from "./work-time.ts";

export type PublishContext = Pick<QuorumContext, "db" | "rooms" | "log">;

/** Items whose draft may be published: a lead may also publish a consensus item by hand. */
export const PUBLISHABLE_STATUSES: ReadonlyArray<ItemStatus> = [
  "consensus",
  "disputed",
  "adjudicating",
];

export const publishInputSchema = z
  .object({
    /** The version the caller means to create (the room's `meta.version`); 409 if another won. */
    expectedVersion: z.number().int().min(1).optional(),
    rationale: z.string().trim().max(20_000).optional(),
  })
  .strict();

export interface ItemInProject {
  id: number;
  projectId: number;
  status: ItemStatus;
  responses: ResponseRef[];
  project: ProjectModel;
  subject: Subject;
}

const asNoSuchItem = (error: unknown) => {
  throw error instanceof AppError && error.code === "not_found" ? notFound("No such item") : error;
};

/** The item with the caller's standing in its project; outsiders get a 404 for the item. */
async function loadItem(db: Kysely<Database>, user: User, itemId: number): Promise<ItemInProject> {
  const item = await db
    .selectFrom("items")
    .select(["id", "project_id", "status", "responses"])
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  const { project, subject } = await loadProjectFor(
    db,
    user,
    item.project_id,
    "project.view",
  ).catch(asNoSuchItem);
  return {
    id: item.id,
    projectId: item.project_id,
    status: item.status,
    responses: item.responses as ResponseRef[],
    project,
    subject,
  };
}

/**
 * The caller's standing read again inside a write's transaction, first in it, under the project's
 * lock (`lockProjectFor`): a lead or member removed or given another role since the check before
 * the transaction is refused as after it, and a removal sent meanwhile waits for the commit.
 */
async function standingInTransaction(
  trx: Kysely<Database>,
  user: User,
  item: ItemInProject,
): Promise<ItemInProject> {
  const { subject } = await lockProjectFor(trx, user, item.projectId, "project.view").catch(
    asNoSuchItem,
  );
  return { ...item, subject };
}

export function refuseUnpublishable(status: ItemStatus): void {
  if (status === "published") {
    throw conflict("This item is already published; reopen it to publish a new version");
  }
  if (!PUBLISHABLE_STATUSES.includes(status)) {
    throw conflict(`This item is still being labelled (${status}); there is nothing to publish`);
  }
}

/**
 * The draft as the room holds it durably: the label, every member's vote (by participant key)
 * and the state. The text is as a `text` or `jsonb` column can hold it: characters no text may
 * hold are removed (strip-invalid-text.ts), so that publishing never fails on what was typed.
 */
export async function readDraft(context: PublishContext, itemId: number) {
  return draftOf(await context.rooms.read(itemRoomName(itemId)));
}

/**
 * The draft as the database holds it, read in the caller's transaction. Read after the item's
 * row is locked, it holds every update whose append committed before, and no participant's
 * update can be appended until the transaction ends (persistence.ts): whatever the server
 * acknowledged as stored is in it, on whichever instance it was sent.
 */
async function readStoredDraft(context: PublishContext, trx: Kysely<Database>, itemId: number) {
  return draftOf(await context.rooms.readStored(trx, itemRoomName(itemId)));
}

/** Reads the draft out of a copy of the room, which it destroys. */
function draftOf(doc: Y.Doc) {
  try {
    return {
      label: stripInvalidText(labelToJson(doc)),
      votes: stripInvalidText(votesToJson(doc)),
      snapshot: Y.encodeStateAsUpdate(doc),
    };
  } finally {
    doc.destroy();
  }
}

export function validateDraft(item: ItemInProject, label: Label): Label {
  const check = validateFinalLabel(item.project.template, item.responses, label);
  if (!check.valid) {
    throw validationFailed(
      "The draft label is not valid yet; fix the fields listed",
      fieldErrors(check.issues),
    );
  }
  return check.label;
}

/**
 * The room's votes keyed by user id, as published versions record them. A key of nobody in the
 * project (the vote of a user who no longer exists) is left out; `writeNextVersion` keeps only
 * the panel's.
 */
export async function votesByUser(
  db: Kysely<Database>,
  projectId: number,
  votes: Votes,
): Promise<Votes> {
  const users = await participantUsers(db, projectId);
  return Object.fromEntries(
    Object.entries(votes).flatMap(([key, label]) => {
      const userId = users.get(key);
      return userId === undefined ? [] : [[String(userId), label]];
    }),
  );
}

/** The members' votes with their spans quoted, as a version keeps them beside its label. */
export function quoteVotes(item: ItemInProject, votes: Votes): Votes {
  return Object.fromEntries(
    Object.entries(votes).map(([member, vote]) => [
      member,
      quoteLabelSpans(item.project.template, vote, item.responses, { widen: false }).label,
    ]),
  );
}

async function latestVersion(db: Kysely<Database>, itemId: number): Promise<number> {
  const row = await db
    .selectFrom("adjudications")
    .select((eb) => eb.fn.max<number | null>("version").as("version"))
    .where("item_id", "=", itemId)
    .executeTakeFirst();
  return row?.version ?? 0;
}

/**
 * After a commit, brings the room in line with the database (status, version, approvals). The
 * commit is what counts: should this write fail, the room is brought in line on its next
 * preparation, which every join performs.
 */
export async function updateRoom(context: PublishContext, itemId: number): Promise<void> {
  try {
    await prepareItemRoom(context, itemId, { startAdjudication: false });
  } catch (error) {
    context.log.error({ err: error, itemId }, "could not bring the room in line after a commit");
  }
}

/**
 * Who may publish under the project's rule: leads (and admins) under `lead`; under `quorum`
 * also panel members, once enough of the panel has approved (checked in the transaction).
 */
async function requirePublisher(
  db: Kysely<Database>,
  user: User,
  item: ItemInProject,
  rule: PublishRule,
): Promise<void> {
  if (can(item.subject, "item.publish")) return;
  if (rule.kind === "quorum" && (await isPanelMember(db, user.id, item.id))) return;
  throw forbidden(
    rule.kind === "lead"
      ? "Only a lead of this project may publish"
      : "Only a lead or a member of this item's panel may publish",
  );
}

/**
 * Publishes the room's draft as the item's next immutable version. In one transaction holding
 * the item's row lock: the item must still be publishable; the draft is read from the stored
 * room (`readStoredDraft`: every edit acknowledged so far, and no more until the commit) and
 * validated (422 with the fields in error; nothing is stored, the item stays as it was); the
 * version must be the one expected (409 otherwise, which is what the loser of two concurrent
 * publishes gets), the quorum rule must be met, and the version is written with its label,
 * rationale, panel, every panel member's final vote, the minority positions, the room's state
 * and the time each person spent working in the room (decision 021); the item becomes
 * published. From then on the database refuses participants' updates to the room, on every
 * instance (persistence.ts); after the commit the room's `meta` says so.
 */
export async function publishItem(
  context: PublishContext,
  user: User,
  itemId: number,
  input: unknown,
): Promise<{ version: number; label: Label }> {
  const parsedInput = publishInputSchema.safeParse(input);
  if (!parsedInput.success) {
    throw validationFailed("The request body is not valid", fieldErrors(parsedInput.error.issues));
  }
  const { expectedVersion, rationale } = parsedInput.data;
  const { db } = context;
  const item = await loadItem(db, user, itemId);
  const rule = item.project.settings.publishRule;
  await requirePublisher(db, user, item, rule);
  refuseUnpublishable(item.status);

  // A room never opened is filled first, so that there is a draft to read; only an editor's
  // opening starts the adjudication.
  await prepareItemRoom(context, itemId, { startAdjudication: false });
  await context.rooms.flushRoomTime(itemRoomName(itemId));

  const { version, label } = await db.transaction().execute(async (trx) => {
    await requirePublisher(trx, user, await standingInTransaction(trx, user, item), rule);
    const locked = await trx
      .selectFrom("items")
      .select("status")
      .where("id", "=", itemId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    refuseUnpublishable(locked.status);
    const draft = await readStoredDraft(context, trx, itemId);
    const label = validateDraft(item, draft.label);
    const votes = quoteVotes(item, await votesByUser(trx, item.projectId, draft.votes));
    const version = await writeNextVersion(trx, {
      publisher: user,
      item,
      label,
      votes,
      snapshot: draft.snapshot,
      rationale: rationale || null,
      expectedVersion,
    });
    return { version, label };
  });
  await updateRoom(context, itemId);
  return { version, label };
}

export interface NextVersion {
  publisher: User;
  item: ItemInProject;
  /** The label, validated by `validateDraft`. */
  label: Label;
  votes: Votes;
  snapshot: Uint8Array;
  rationale: string | null;
  expectedVersion?: number;
  /** What the audit entry says besides the version and rule. */
  auditDetails?: Record<string, unknown>;
}

/**
 * Writes an item's next version inside the caller's transaction, which holds the item's row
 * lock and has checked that the item is publishable: the version must be the one expected and
 * the quorum rule met (409 otherwise, before anything is written); then the version with its
 * label, rationale, panel, votes, minority positions, the room's state and the time each person
 * spent in the room (decision 021); the item becomes published, and the audit log says who did it.
 * Every publish, one item or many, goes through here.
 */
export async function writeNextVersion(
  trx: Kysely<Database>,
  {
    publisher,
    item,
    label,
    votes,
    snapshot,
    rationale,
    expectedVersion,
    auditDetails,
  }: NextVersion,
): Promise<number> {
  const itemId = item.id;
  const rule = item.project.settings.publishRule;
  const next = (await latestVersion(trx, itemId)) + 1;
  if (expectedVersion !== undefined && expectedVersion !== next) {
    throw conflict(`Version ${expectedVersion} cannot be published: the next version is ${next}`, {
      expectedVersion,
      nextVersion: next,
    });
  }
  const panel = (await listPanel(trx, itemId)).map((member) => member.userId);
  if (rule.kind === "quorum") await requireQuorum(trx, itemId, next, panel, label, rule.approvals);
  // The room may still hold the vote of someone no longer on the panel (a label rejected in
  // review while they were in the room): the version records the panel's votes alone.
  const panelVotes = Object.fromEntries(
    Object.entries(votes).filter(([member]) => panel.includes(Number(member))),
  );
  const personTime: PersonTime[] = await settleRoomTime(trx, itemRoomName(itemId), {
    userId: publisher.id,
    at: new Date(),
  });

  await trx
    .insertInto("adjudications")
    .values({
      item_id: itemId,
      version: next,
      label: JSON.stringify(label),
      rationale,
      published_by: publisher.id,
      panel: JSON.stringify(panel),
      votes: JSON.stringify(panelVotes),
      minority: JSON.stringify(minorityPositions(item.project.template, label, panelVotes)),
      room_snapshot: snapshot,
      time_spent_ms: totalTime(personTime),
    })
    .execute();
  await storeAdjudicationTime(trx, itemId, next, personTime);
  await trx
    .updateTable("items")
    .set({ status: "published", updated_at: new Date() })
    .where("id", "=", itemId)
    .execute();
  await recordAudit(trx, {
    actorId: publisher.id,
    action: "item.publish",
    projectId: item.projectId,
    subjectType: "item",
    subjectId: itemId,
    details: { version: next, rule: rule.kind, ...auditDetails },
  });
  await recordProjectEvent(trx, item.projectId, {
    type: "item.published",
    itemId,
    version: next,
    label,
  });
  return next;
}

/** Approvals of this very label by panel members must reach the rule's number. */
async function requireQuorum(
  trx: Kysely<Database>,
  itemId: number,
  version: number,
  panel: ReadonlyArray<number>,
  label: Label,
  required: number,
): Promise<void> {
  const approvals = await trx
    .selectFrom("publish_approvals")
    .select(["user_id", "label"])
    .where("item_id", "=", itemId)
    .where("version", "=", version)
    .execute();
  const draft = canonicalJson(label);
  const counted = approvals.filter(
    (approval) => panel.includes(approval.user_id) && canonicalJson(approval.label) === draft,
  ).length;
  if (counted < required) {
    throw conflict(
      `Publishing needs ${required} panel approvals of the current draft; it has ${counted}. ` +
        "Approvals of an earlier state of the draft do not count.",
      { required, approvals: counted },
    );
  }
}

/**
 * A panel member approves the room's current draft for publication under a quorum rule. The
 * approval holds for the draft version and for the label as it is now: if the label changes,
 * the member approves again. The draft must be valid. `meta.approvals` lists who approved.
 */
export async function approveDraft(context: PublishContext, user: User, itemId: number) {
  const { db } = context;
  const item = await loadItem(db, user, itemId);
  if (!(await isPanelMember(db, user.id, itemId))) {
    throw forbidden("Only members of this item's panel may approve its draft");
  }
  refuseUnpublishable(item.status);
  await prepareItemRoom(context, itemId, { startAdjudication: false });
  const label = validateDraft(item, (await readDraft(context, itemId)).label);
  const version = await db.transaction().execute(async (trx) => {
    await standingInTransaction(trx, user, item);
    if (!(await isPanelMember(trx, user.id, itemId))) {
      throw forbidden("Only members of this item's panel may approve its draft");
    }
    const locked = await trx
      .selectFrom("items")
      .select("status")
      .where("id", "=", itemId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    refuseUnpublishable(locked.status);
    const next = (await latestVersion(trx, itemId)) + 1;
    await trx
      .insertInto("publish_approvals")
      .values({ item_id: itemId, version: next, user_id: user.id, label: JSON.stringify(label) })
      .onConflict((onConflict) =>
        onConflict.columns(["item_id", "version", "user_id"]).doUpdateSet({
          label: JSON.stringify(label),
          created_at: new Date(),
        }),
      )
      .execute();
    await recordAudit(trx, {
      actorId: user.id,
      action: "item.approve",
      projectId: item.projectId,
      subjectType: "item",
      subjectId: itemId,
      details: { version: next },
    });
    return next;
  });
  await updateRoom(context, itemId);
  const rule = item.project.settings.publishRule;
  return {
    version,
    required: rule.kind === "quorum" ? rule.approvals : null,
    approvals: await approvalsOf(db, item.projectId, itemId, version),
  };
}

/** Who approved the draft version, by participant key as the room names them. */
async function approvalsOf(
  db: Kysely<Database>,
  projectId: number,
  itemId: number,
  version: number,
) {
  const rows = await db
    .selectFrom("publish_approvals")
    .select("user_id")
    .where("item_id", "=", itemId)
    .where("version", "=", version)
    .orderBy("created_at")
    .orderBy("user_id")
    .execute();
  const keys = await participantKeys(
    db,
    projectId,
    rows.map((row) => row.user_id),
  );
  return rows.flatMap((row) => keys.get(row.user_id) ?? []);
}

/**
 * Reopens a published item (leads): it goes back to adjudication, and its room opens for the
 * next version, starting from the published label. Published versions stay as they are.
 */
export async function reopenItem(context: PublishContext, user: User, itemId: number) {
  const { db } = context;
  const item = await loadItem(db, user, itemId);
  if (!can(item.subject, "item.publish")) throw forbidden("Only a lead of this project may reopen");
  if (item.status !== "published") throw conflict("Only a published item can be reopened");
  // A room that was never opened (a consensus published automatically) first shows what was
  // published, so that the next version starts from it.
  await prepareItemRoom(context, itemId);
  await context.rooms.flushRoomTime(itemRoomName(itemId));
  const nextVersion = await db.transaction().execute(async (trx) => {
    if (!can((await standingInTransaction(trx, user, item)).subject, "item.publish")) {
      throw forbidden("Only a lead of this project may reopen");
    }
    const locked = await trx
      .selectFrom("items")
      .select("status")
      .where("id", "=", itemId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.status !== "published") throw conflict("Only a published item can be reopened");
    const latest = await latestVersion(trx, itemId);
    await trx
      .updateTable("items")
      .set({ status: "adjudicating", adjudication_started_at: new Date(), updated_at: new Date() })
      .where("id", "=", itemId)
      .execute();
    // Time spent reading the published room is not work on the next version.
    await discardRoomTime(trx, itemRoomName(itemId));
    await recordAudit(trx, {
      actorId: user.id,
      action: "item.reopen",
      projectId: item.projectId,
      subjectType: "item",
      subjectId: itemId,
      details: { publishedVersion: latest },
    });
    await recordProjectEvent(trx, item.projectId, {
      type: "item.reopened",
      itemId,
      publishedVersion: latest,
    });
    return latest + 1;
  });
  await updateRoom(context, itemId);
  return { status: "adjudicating" as const, draftVersion: nextVersion };
}

/** A lead adds an expert of the project to the item's panel; the room opens for them. */
export async function addPanelMember(
  context: PublishContext,
  user: User,
  itemId: number,
  input: unknown,
) {
  const parsed = addPanelMemberSchema.safeParse(input);
  if (!parsed.success) {
    throw validationFailed("The request body is not valid", fieldErrors(parsed.error.issues));
  }
  const { db } = context;
  const item = await loadItem(db, user, itemId);
  if (!can(item.subject, "item.publish")) {
    throw forbidden("Only a lead of this project may add panel members");
  }
  await db.transaction().execute(async (trx) => {
    if (!can((await standingInTransaction(trx, user, item)).subject, "item.publish")) {
      throw forbidden("Only a lead of this project may add panel members");
    }
    const added = await insertPanelMember(trx, item, parsed.data.email, user.id);
    await recordAudit(trx, {
      actorId: user.id,
      action: "panel.add",
      projectId: item.projectId,
      subjectType: "item",
      subjectId: itemId,
      details: { userId: added },
    });
  });
  // The panel now sees the labels: the item is in adjudication from here on, so that no review
  // can send it back to the blind queue.
  await prepareItemRoom(context, itemId);
  return listPanel(db, itemId);
}

/**
 * What the room page and its scripts need besides the document: the panel, the rule, the draft
 * version, who approved it, and what the caller may do. Annotators see the other members under
 * pseudonyms, clients too unless the project says otherwise; members are named by participant
 * key (docs/decisions/016-participant-keys.md).
 */
export async function getAdjudication(db: Kysely<Database>, user: User, itemId: number) {
  const item = await loadItem(db, user, itemId);
  const onPanel = await isPanelMember(db, user.id, itemId);
  const manager = can(item.subject, "item.publish");
  if (!manager && !onPanel && item.subject.role !== "client" && !item.subject.isAdmin) {
    throw notFound("No such item");
  }
  const hideNames =
    !manager &&
    (item.subject.role === "annotator" ||
      (item.subject.role === "client" && item.project.settings.pseudonymiseForClients));
  const names = hideNames ? await pseudonymsFor(db, item.projectId) : new Map<number, string>();
  const latest = await latestVersion(db, itemId);
  const draftVersion = item.status === "published" ? null : latest + 1;
  const rule = item.project.settings.publishRule;
  const panel = await listPanel(db, itemId);
  const keys = await participantKeys(
    db,
    item.projectId,
    panel.map((member) => member.userId),
  );
  return {
    itemId,
    status: item.status,
    publishRule: rule,
    latestVersion: latest === 0 ? null : latest,
    draftVersion,
    // Members by participant key, as the room names them: a user id would tell anyone who can
    // read the project's member list who is behind each pseudonym.
    panel: panel.map((member) => ({
      memberId: keys.get(member.userId)!,
      name:
        hideNames && member.userId !== user.id
          ? (names.get(member.userId) ?? member.name)
          : member.name,
      source: member.source,
      own: member.userId === user.id,
    })),
    approvals:
      draftVersion === null ? [] : await approvalsOf(db, item.projectId, itemId, draftVersion),
    may: {
      publish: item.status !== "published" && (manager || (rule.kind === "quorum" && onPanel)),
      approve: item.status !== "published" && onPanel,
      reopen: item.status === "published" && manager,
      managePanel: manager,
    },
  };
}
