import type { Kysely } from "kysely";
import { z } from "zod";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import { itemRoomName, samePosition, type Votes } from "../../app/domain/room.ts";
import {
  ownEntry,
  type Label,
  type LabelValue,
  type ResponseRef,
  type Template,
  type TemplateField,
} from "../../app/domain/template.ts";
import type { Database, ItemStatus, User } from "../../db/schema.ts";
import { AppError, fieldErrors, validationFailed } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import type { Subject } from "../permissions.ts";
import { loadProjectFor, lockProjectFor, type ProjectModel } from "./project-model.ts";
import {
  quoteVotes,
  readDraft,
  updateRoom,
  votesByUser,
  writeNextVersion,
  type PublishContext,
} from "./publish.ts";
import { prepareItemRoom } from "./room.ts";

/** Publishing every consensus takes no options: what is published is what the rooms hold. */
export const publishConsensusInputSchema = z.object({}).strict();

/** Items published per transaction: a batch commits or fails as one, and holds its row locks. */
export const CONSENSUS_BATCH_SIZE = 100;

/** The rationale of a version that a lead published with every other consensus of the project. */
export const BULK_CONSENSUS_RATIONALE = "Consensus of the independent labels, published in bulk";

export interface SkippedItem {
  itemId: number;
  reason: string;
}

export interface ConsensusPublication {
  published: number;
  skipped: SkippedItem[];
}

/** What the batch knows of one item when it decides, with the item's row locked. */
export interface ConsensusCandidate {
  status: ItemStatus;
  /** The consensus as the agreement check stored it, now; null when none is stored. */
  aggregate: Label | null;
  /** The consensus that was read, with the room, before the batch began. */
  aggregateRead: Label | null;
  /** The room's draft label as read before the batch began. */
  draft: Label;
  /** Whether the room's log grew between that reading and the lock. */
  roomMoved: boolean;
}

export type ConsensusDecision = { publish: Label } | { skip: string };

/** What a room holds for a field no label gave a value: its shared empty text or span list. */
function roomValue(field: TemplateField, value: LabelValue | undefined): LabelValue | undefined {
  if (value !== undefined) return value;
  if (field.type === "spans") return [];
  return field.type === "text" || field.type === "rewrite" ? "" : undefined;
}

/** Whether a room's draft holds `label` as the room would write it (span ids aside). */
export function draftHoldsLabel(template: Template, draft: Label, label: Label): boolean {
  return template.fields.every((field) => {
    const held = roomValue(field, ownEntry(draft, field.id));
    const expected = roomValue(field, ownEntry(label, field.id));
    if (held === undefined || expected === undefined) return held === expected;
    return samePosition(field, held, expected);
  });
}

/**
 * Whether a consensus item is published in bulk, and with which label: its stored consensus,
 * only while the item is still a consensus, its consensus is the one read with the room (a
 * re-check may change it), its room's draft is that consensus untouched (a lead who edits the
 * room publishes from the room) and the room did not move since, and the label passes
 * `validateFinalLabel`, the check every publish makes. Anything else is skipped with the reason.
 */
export function decideConsensusPublish(
  template: Template,
  responses: ReadonlyArray<ResponseRef>,
  candidate: ConsensusCandidate,
): ConsensusDecision {
  const { status, aggregate, aggregateRead, draft, roomMoved } = candidate;
  if (status === "published") return { skip: "already published" };
  if (status !== "consensus") return { skip: `no longer a consensus item (now ${status})` };
  if (aggregate === null) return { skip: "no consensus is stored for this item" };
  if (aggregateRead === null || canonicalJson(aggregate) !== canonicalJson(aggregateRead)) {
    return { skip: "the consensus changed while publishing (re-checked); try again" };
  }
  if (!draftHoldsLabel(template, draft, aggregate)) {
    return { skip: "the room's draft differs from the consensus; publish it from the room" };
  }
  if (roomMoved) return { skip: "the room was edited while publishing; try again" };
  const check = validateFinalLabel(template, responses, aggregate);
  if (!check.valid) {
    const problems = check.issues.map(
      (issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`,
    );
    return { skip: `the consensus is not a valid label: ${problems.join("; ")}` };
  }
  return { publish: check.label };
}

/** How far a room's durable log has come: the id of its latest update, compacted or not. */
async function roomPosition(db: Kysely<Database>, docName: string): Promise<number> {
  const [update, snapshot] = await Promise.all([
    db
      .selectFrom("room_updates")
      .select((eb) => eb.fn.max<number | null>("id").as("id"))
      .where("doc_name", "=", docName)
      .executeTakeFirst(),
    db
      .selectFrom("room_snapshots")
      .select("last_update_id")
      .where("doc_name", "=", docName)
      .executeTakeFirst(),
  ]);
  return Math.max(update?.id ?? 0, snapshot?.last_update_id ?? 0);
}

async function storedConsensus(
  db: Kysely<Database>,
  itemIds: ReadonlyArray<number>,
): Promise<Map<number, Label>> {
  if (itemIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("item_outcomes")
    .select(["item_id", "aggregated_label"])
    .where("item_id", "in", [...itemIds])
    .where("disputed", "=", false)
    .execute();
  return new Map(rows.map((row) => [row.item_id, row.aggregated_label as Label]));
}

interface RoomReading {
  itemId: number;
  responses: ResponseRef[];
  aggregate: Label | null;
  draft: Label;
  votes: Votes;
  snapshot: Uint8Array;
  position: number;
}

/**
 * Publishes every consensus item of a project (leads), as the single publish would from each
 * item's room: the room is prepared, its draft read (the consensus, unless someone edited it)
 * and the version written by `writeNextVersion`. Batches of `CONSENSUS_BATCH_SIZE` items are
 * read, then published in one transaction holding their row locks, where
 * `decideConsensusPublish` decides item by item; an item that a concurrent publish, reopen,
 * re-check or room edit got to first is skipped with the reason, and so is one whose room cannot
 * be prepared (`readRooms`). Each batch is audit-logged.
 */
export async function publishConsensusItems(
  context: PublishContext,
  user: User,
  projectId: number,
  input: unknown = {},
): Promise<ConsensusPublication> {
  const parsedInput = publishConsensusInputSchema.safeParse(input ?? {});
  if (!parsedInput.success) {
    throw validationFailed("The request body is not valid", fieldErrors(parsedInput.error.issues));
  }
  const { db } = context;
  const { project, subject } = await loadProjectFor(db, user, projectId, "item.publish");
  const result: ConsensusPublication = { published: 0, skipped: [] };
  let cursor = 0;
  for (;;) {
    const items = await db
      .selectFrom("items")
      .select(["id", "responses"])
      .where("project_id", "=", projectId)
      .where("status", "=", "consensus")
      .where("id", ">", cursor)
      .orderBy("id")
      .limit(CONSENSUS_BATCH_SIZE)
      .execute();
    if (items.length === 0) break;
    cursor = items[items.length - 1]!.id;
    const { readings, unprepared } = await readRooms(context, projectId, items);
    const batch = await publishBatch(context, user, { project, subject }, readings, unprepared);
    result.published += batch.published.length;
    result.skipped.push(...batch.skipped);
    for (const itemId of batch.published) await updateRoom(context, itemId);
    if (items.length < CONSENSUS_BATCH_SIZE) break;
  }
  return result;
}

/**
 * Prepares and reads the room of each item. An item whose room cannot be prepared is skipped
 * with the reason and the others go on: above all a room the server would take past its size
 * cap (`SYNC_MAX_DOCUMENT_BYTES`), which refuses the write with a conflict and is left as it
 * was, as the single publish leaves it (409).
 */
async function readRooms(
  context: PublishContext,
  projectId: number,
  items: ReadonlyArray<{ id: number; responses: unknown }>,
): Promise<{ readings: RoomReading[]; unprepared: SkippedItem[] }> {
  const { db } = context;
  const aggregates = await storedConsensus(
    db,
    items.map((item) => item.id),
  );
  const readings: RoomReading[] = [];
  const unprepared: SkippedItem[] = [];
  for (const item of items) {
    const docName = itemRoomName(item.id);
    try {
      // As the single publish: a room the batch fills is not an editor's opening, and an item the
      // batch skips keeps its status and timestamps.
      await prepareItemRoom(context, item.id, { startAdjudication: false });
    } catch (error) {
      if (!isItemRefusal(error)) throw error;
      unprepared.push({
        itemId: item.id,
        reason: `its room cannot be prepared: ${error.message}`,
      });
      continue;
    }
    await context.rooms.flushRoomTime(docName);
    // The position first: an edit landing after it makes the batch skip the item rather than
    // publish a draft that missed it.
    const position = await roomPosition(db, docName);
    const draft = await readDraft(context, item.id);
    readings.push({
      itemId: item.id,
      responses: item.responses as ResponseRef[],
      aggregate: aggregates.get(item.id) ?? null,
      draft: draft.label,
      votes: await votesByUser(db, projectId, draft.votes),
      snapshot: draft.snapshot,
      position,
    });
  }
  return { readings, unprepared };
}

/**
 * A refusal that concerns the one item (its room over the size cap, the item gone), as opposed
 * to a failure that would fail every other item too, which ends the whole publish.
 */
function isItemRefusal(error: unknown): error is AppError {
  return error instanceof AppError && (error.code === "conflict" || error.code === "not_found");
}

async function publishBatch(
  context: PublishContext,
  user: User,
  { project, subject }: { project: ProjectModel; subject: Subject },
  readings: ReadonlyArray<RoomReading>,
  unprepared: ReadonlyArray<SkippedItem>,
): Promise<{ published: number[]; skipped: SkippedItem[] }> {
  if (readings.length === 0 && unprepared.length === 0) return { published: [], skipped: [] };
  return context.db.transaction().execute(async (trx) => {
    // Each batch is published by someone still leading the project (decision 040).
    await lockProjectFor(trx, user, project.id, "item.publish");
    const ids = readings.map((reading) => reading.itemId);
    const locked =
      ids.length === 0
        ? []
        : await trx
            .selectFrom("items")
            .select(["id", "status"])
            .where("id", "in", ids)
            .orderBy("id")
            .forUpdate()
            .execute();
    const statusOf = new Map(locked.map((row) => [row.id, row.status]));
    const aggregates = await storedConsensus(trx, ids);
    const published: number[] = [];
    const skipped: SkippedItem[] = [...unprepared];
    for (const reading of readings) {
      const docName = itemRoomName(reading.itemId);
      const decision = decideConsensusPublish(project.template, reading.responses, {
        status: statusOf.get(reading.itemId) ?? "queued",
        aggregate: aggregates.get(reading.itemId) ?? null,
        aggregateRead: reading.aggregate,
        draft: reading.draft,
        roomMoved: (await roomPosition(trx, docName)) !== reading.position,
      });
      if ("skip" in decision) {
        skipped.push({ itemId: reading.itemId, reason: decision.skip });
        continue;
      }
      const item = {
        id: reading.itemId,
        projectId: project.id,
        status: "consensus" as const,
        responses: reading.responses,
        project,
        subject,
      };
      try {
        await writeNextVersion(trx, {
          publisher: user,
          item,
          label: decision.publish,
          votes: quoteVotes(item, reading.votes),
          snapshot: reading.snapshot,
          rationale: BULK_CONSENSUS_RATIONALE,
          auditDetails: { bulk: true },
        });
        published.push(reading.itemId);
      } catch (error) {
        // The rules of every publish (the quorum rule) refuse before anything is written.
        if (!(error instanceof AppError) || error.code !== "conflict") throw error;
        skipped.push({ itemId: reading.itemId, reason: error.message });
      }
    }
    skipped.sort((a, b) => a.itemId - b.itemId);
    await recordAudit(trx, {
      actorId: user.id,
      action: "project.publishConsensus",
      projectId: project.id,
      subjectType: "project",
      subjectId: project.id,
      details: { published, skipped },
    });
    return { published, skipped };
  });
}
