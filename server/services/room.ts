import type { Kysely } from "kysely";
import { sql } from "kysely";
import type * as Y from "yjs";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import {
  addComment,
  commentsToJson,
  itemRoomName,
  labelDigest,
  labelToJson,
  metaMap,
  readMeta,
  reviewRoomName,
  spansOf,
  writeLabel,
  writeMeta,
  votesMap,
  writeVotes,
  type RoomMeta,
  type Votes,
} from "../../app/domain/room.ts";
import { templateSchema, type Label, type Template } from "../../app/domain/template.ts";
import type { Database, ItemStatus } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { SERVER_COMMENT_ID_PREFIX } from "../sync/write-rules.ts";
import { ensureParticipantKeys, participantKeys } from "./participants.ts";

/** What the room services need: the database and the sync server's documents. */
export type RoomContext = Pick<QuorumContext, "db" | "rooms">;

/** Items whose room holds their labels: everything past the blind labelling phase. */
const ROOM_STATUSES: ReadonlyArray<ItemStatus> = [
  "consensus",
  "disputed",
  "adjudicating",
  "published",
];

/**
 * Preparations of one room run one after another on this instance. A server write that changes
 * nothing resolves at once, even while an earlier write to the room is still being stored; run
 * side by side, a second preparation could find the room filled by the first and return before
 * that fill is durable, and whoever reads the room next would not see it. In turn, each finds the
 * room as the one before left it, stored.
 */
const preparations = new WeakMap<RoomContext["rooms"], Map<string, Promise<void>>>();

function oneAtATime<T>(
  rooms: RoomContext["rooms"],
  docName: string,
  run: () => Promise<T>,
): Promise<T> {
  let byDocument = preparations.get(rooms);
  if (!byDocument) {
    byDocument = new Map();
    preparations.set(rooms, byDocument);
  }
  const queue = byDocument;
  const result = (queue.get(docName) ?? Promise.resolve()).then(run);
  const done = result.then(
    () => undefined,
    () => undefined,
  );
  queue.set(docName, done);
  void done.then(() => {
    if (queue.get(docName) === done) queue.delete(docName);
  });
  return result;
}

export type ItemRoomState = "not ready" | "up to date" | "updated";

interface ItemRoomSource {
  template: Template;
  /** The label a fresh room starts from. */
  label: Label;
  votes: Votes;
  /** What `meta` must say, as the database has it. */
  meta: RoomMeta;
  /**
   * The latest published label: what a published room shows, and what a reopened room's next
   * version starts from.
   */
  publishedLabel: Label | null;
}

/**
 * Prepares the room `item:<itemId>` and keeps its `meta` in line with the database. Safe to call
 * on every join, and cheap when there is nothing to do.
 *
 * - A room not yet pre-filled (no `meta.version`) of an item past its blind phase (consensus,
 *   disputed, adjudicating or published) is filled as DESIGN.md says: `label` ← the aggregated
 *   suggestion (the latest published label once there is one), with spans as a Y.Array of
 *   Y.Maps with ids and text fields as Y.Text; `votes` ← each annotator's independent label
 *   whose label counts, keyed by their participant key; `meta` ← status and the version the
 *   draft becomes (people in it by participant key too).
 * - Unless `startAdjudication` is false, a disputed item moves to `adjudicating` and the
 *   adjudication's clock starts: an editor opens the room, or a lead adds to the panel.
 *   Publishing, approving and bringing the room in line after a commit prepare it without, so
 *   that a refused publish leaves the item as it was.
 * - A room already pre-filled gets the `meta` the database implies, when it differs (after a
 *   publish, a reopen or an approval, or when a process died between the commit and the room
 *   write): `status`, `version`, `publishedBy`, `publishedAt`, `approvals` and `approvedLabels`;
 *   a room that becomes published shows the label exactly as published, and a reopened one
 *   starts the next version from it.
 * - Items still being labelled blind are left alone: "not ready".
 *
 * Resolves once the room, as this call leaves it, is stored. Calls for one room run in turn on
 * this instance and decide on the live document inside the server write, so a room is filled
 * once.
 */
export function prepareItemRoom(
  context: RoomContext,
  itemId: number,
  { startAdjudication = true }: { startAdjudication?: boolean } = {},
): Promise<ItemRoomState> {
  return oneAtATime(context.rooms, itemRoomName(itemId), () =>
    prepare(context, itemId, startAdjudication),
  );
}

async function prepare(
  context: RoomContext,
  itemId: number,
  startAdjudication: boolean,
): Promise<ItemRoomState> {
  const { db } = context;
  const item = await db
    .selectFrom("items")
    .innerJoin("projects", "projects.id", "items.project_id")
    .select(["items.status", "items.project_id", "projects.template"])
    .where("items.id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  if (!ROOM_STATUSES.includes(item.status)) return "not ready";

  // The clock starts at the first opening; a disputed item is now being adjudicated. Both are
  // written before the room, so that a failed room write is simply retried by the next call.
  if (startAdjudication) await startAdjudicating(db, itemId);

  const source = await itemRoomSource(db, itemId, item.project_id, item.template);
  let state: ItemRoomState = "up to date";
  await context.rooms.applyServerUpdate(itemRoomName(itemId), (doc) => {
    if (readMeta(doc).version === null) {
      writeLabel(doc, source.template, source.label);
      writeVotes(doc, source.votes);
      writeMeta(doc, source.meta);
      state = "updated";
      return;
    }
    if (reconcileMeta(doc, source)) state = "updated";
  });
  return state;
}

async function startAdjudicating(db: Kysely<Database>, itemId: number): Promise<void> {
  await db
    .updateTable("items")
    .set({
      status: sql<ItemStatus>`case when status = 'disputed' then 'adjudicating' else status end`,
      adjudication_started_at: sql<Date>`coalesce(adjudication_started_at, now())`,
      updated_at: new Date(),
    })
    .where("id", "=", itemId)
    .where((eb) =>
      eb.or([
        eb("status", "=", "disputed"),
        eb.and([
          eb("status", "in", ["consensus", "adjudicating"]),
          eb("adjudication_started_at", "is", null),
        ]),
      ]),
    )
    .execute();
}

/**
 * Writes the meta keys that differ from what the database implies; true when any did. When the
 * status changes either way, the label becomes the published one: a room that becomes published
 * shows the label exactly as published, and a reopened room starts the next version from it,
 * whatever the room held meanwhile.
 */
function reconcileMeta(doc: Y.Doc, source: ItemRoomSource): boolean {
  const current = readMeta(doc);
  const changes: Partial<RoomMeta> = {};
  for (const key of Object.keys(source.meta) as Array<keyof RoomMeta>) {
    if (canonicalJson(current[key]) !== canonicalJson(source.meta[key])) {
      Object.assign(changes, { [key]: source.meta[key] });
    }
  }
  if (Object.keys(changes).length === 0) return false;
  const becomesPublished = current.status !== "published" && source.meta.status === "published";
  const reopens = current.status === "published" && source.meta.status === "open";
  const { publishedLabel } = source;
  doc.transact(() => {
    if (
      (becomesPublished || reopens) &&
      publishedLabel !== null &&
      canonicalJson(labelToJson(doc)) !== canonicalJson(publishedLabel)
    ) {
      writeLabel(doc, source.template, publishedLabel);
    }
    writeMeta(doc, changes);
  });
  return true;
}

/**
 * Takes a member's vote out of the item's open room: their label no longer counts (rejected in
 * review), so they no longer sit on the panel. A published room keeps what was published, and a
 * room not yet pre-filled never gets the vote. Resolves once the change is stored.
 */
export function withdrawVote(context: RoomContext, itemId: number, userId: number): Promise<void> {
  return oneAtATime(context.rooms, itemRoomName(itemId), async () => {
    const { db } = context;
    const item = await db
      .selectFrom("items")
      .select("project_id")
      .where("id", "=", itemId)
      .executeTakeFirstOrThrow();
    const key = (await participantKeys(db, item.project_id, [userId])).get(userId);
    if (key === undefined) return;
    await context.rooms.applyServerUpdate(itemRoomName(itemId), (doc) => {
      if (readMeta(doc).status === "open") votesMap(doc).delete(key);
    });
  });
}

async function itemRoomSource(
  db: Kysely<Database>,
  itemId: number,
  projectId: number,
  template: unknown,
): Promise<ItemRoomSource> {
  const [item, latest, outcome, annotations] = await Promise.all([
    db.selectFrom("items").select("status").where("id", "=", itemId).executeTakeFirstOrThrow(),
    db
      .selectFrom("adjudications")
      .select(["version", "label", "published_by", "published_at"])
      .where("item_id", "=", itemId)
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom("item_outcomes")
      .select("aggregated_label")
      .where("item_id", "=", itemId)
      .executeTakeFirst(),
    db
      .selectFrom("annotations")
      .select(["user_id", "label"])
      .where("item_id", "=", itemId)
      .where("rejected_at", "is", null)
      .orderBy("id")
      .execute(),
  ]);
  const published = item.status === "published" && latest !== undefined;
  const draftVersion = (latest?.version ?? 0) + 1;
  const approvals = published
    ? []
    : await db
        .selectFrom("publish_approvals")
        .select(["user_id", "label"])
        .where("item_id", "=", itemId)
        .where("version", "=", draftVersion)
        .orderBy("created_at")
        .orderBy("user_id")
        .execute();
  const publishedLabel = latest ? (latest.label as Label) : null;
  const keys = await ensureParticipantKeys(db, projectId, [
    ...annotations.map((annotation) => annotation.user_id),
    ...approvals.map((approval) => approval.user_id),
    ...(published && latest.published_by !== null ? [latest.published_by] : []),
  ]);
  const memberId = (userId: number) => keys.get(userId)!;
  return {
    template: templateSchema.parse(template),
    label: publishedLabel ?? (outcome?.aggregated_label as Label | undefined) ?? {},
    votes: Object.fromEntries(
      annotations.map((annotation) => [memberId(annotation.user_id), annotation.label as Label]),
    ),
    meta: published
      ? {
          status: "published",
          version: latest.version,
          publishedBy: latest.published_by === null ? null : memberId(latest.published_by),
          publishedAt: latest.published_at.toISOString(),
          approvals: [],
          approvedLabels: {},
        }
      : {
          status: "open",
          version: draftVersion,
          publishedBy: null,
          publishedAt: null,
          approvals: approvals.map((approval) => memberId(approval.user_id)),
          approvedLabels: Object.fromEntries(
            approvals.map((approval) => [
              memberId(approval.user_id),
              labelDigest(approval.label as Label),
            ]),
          ),
        },
    publishedLabel,
  };
}

interface StoredReviewComment {
  fieldId?: string;
  span?: { responseId: string; start: number; end: number };
  text: string;
}

/**
 * Prepares the room `review:<annotationId>`, where a lead and the junior discuss a reviewed
 * label: `label` ← the junior's label; `comments` ← the lead's review comments (authored by the
 * lead's participant key), each anchored to
 * its field and, when the label has a span at those offsets, to that span. Comments of a review
 * decided after the room was first opened are added on the next call; each is added once (its
 * room id derives from the review, under a prefix the write rules keep from participants, and
 * only a comment of the lead's with that id counts as added). The lead's verdict (decideReview)
 * stays the source of truth: the room is where it is discussed.
 *
 * Safe to call on every join; resolves once what it wrote is durable.
 */
export function prepareReviewRoom(
  context: RoomContext,
  annotationId: number,
): Promise<"updated" | "up to date"> {
  return oneAtATime(context.rooms, reviewRoomName(annotationId), () =>
    prepareReview(context, annotationId),
  );
}

async function prepareReview(
  context: RoomContext,
  annotationId: number,
): Promise<"updated" | "up to date"> {
  const { db } = context;
  const annotation = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .innerJoin("projects", "projects.id", "items.project_id")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .select([
      "annotations.label",
      "items.project_id",
      "projects.template",
      "reviews.id as review_id",
      "reviews.reviewer_id",
      "reviews.comments",
      "reviews.decided_at",
    ])
    .where("annotations.id", "=", annotationId)
    .executeTakeFirst();
  if (!annotation) throw notFound("No such annotation");
  const template = templateSchema.parse(annotation.template);
  const reviewer = annotation.review_id !== null ? annotation.reviewer_id : null;
  const reviewComments =
    reviewer !== null ? ((annotation.comments ?? []) as StoredReviewComment[]) : [];
  const reviewerKey =
    reviewer !== null
      ? (await ensureParticipantKeys(db, annotation.project_id, [reviewer])).get(reviewer)!
      : null;

  let state: "updated" | "up to date" = "up to date";
  await context.rooms.applyServerUpdate(reviewRoomName(annotationId), (doc) => {
    if (!metaMap(doc).has("status")) {
      writeLabel(doc, template, annotation.label as Label);
      writeMeta(doc, { status: "open" });
      state = "updated";
    }
    // A room written before participants were kept from the server's ids may hold another's
    // comment under one: only the lead's own counts as the review's.
    const present = new Set(
      commentsToJson(doc)
        .filter((comment) => comment.author === reviewerKey)
        .map((comment) => comment.id),
    );
    const spanFields = template.fields.filter((field) => field.type === "spans");
    reviewComments.forEach((comment, index) => {
      const id = `${SERVER_COMMENT_ID_PREFIX}${annotation.review_id}-${index}`;
      if (present.has(id)) return;
      const anchor = comment.span;
      const span = anchor
        ? spanFields
            .filter((field) => comment.fieldId === undefined || field.id === comment.fieldId)
            .flatMap((field) => spansOf(doc, field.id))
            .find(
              (candidate) =>
                candidate.responseId === anchor.responseId &&
                candidate.start === anchor.start &&
                candidate.end === anchor.end,
            )
        : undefined;
      addComment(doc, {
        id,
        author: reviewerKey!,
        text: comment.text,
        createdAt: (annotation.decided_at ?? new Date()).toISOString(),
        ...(comment.fieldId === undefined ? {} : { fieldId: comment.fieldId }),
        ...(span?.id === undefined ? {} : { spanId: span.id }),
      });
      state = "updated";
    });
  });
  return state;
}
