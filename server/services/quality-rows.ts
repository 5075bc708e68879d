import { sql, type Kysely } from "kysely";
import type { CostedLabel, PersonTime } from "../../app/domain/cost.ts";
import type { Label } from "../../app/domain/template.ts";
import type { Database, ItemStatus } from "../../db/schema.ts";
import type {
  QualityData,
  QualityLabel,
  QualityReview,
  ReadItem,
  Worker,
} from "./quality-economics.ts";

/**
 * What one item contributes to `QualityData`: its costed parts, its labels and reviews (with the
 * ids that order them project-wide), the people its rows name, and its `updated_at` in
 * microseconds as the fingerprint sums it.
 */
export interface ItemRows {
  item: ReadItem;
  labels: QualityLabel[];
  labelIds: number[];
  reviews: QualityReview[];
  reviewIds: number[];
  people: number[];
  updatedAt: bigint;
}

/**
 * A project's read data kept between computations, with the position of the database it
 * reflects: `data` is exactly what a full read of that state gives.
 */
export interface KeptRows {
  data: QualityData;
  rows: Map<number, ItemRows>;
  /** Annotation ids of `data.labels` and review ids of `data.reviews`, index for index. */
  labelIds: number[];
  reviewIds: number[];
  eventId: number;
  auditId: number;
  auditCount: number;
  /** Items changed since the previous read (every item after a full read). */
  changed: ReadonlySet<number>;
  /** The rows the changed items had before, for figures kept per item or per day. */
  before: ReadonlyMap<number, ItemRows>;
  full: boolean;
}

/** Above this many changed items a full read is as cheap as patching, and simpler. */
export const MOST_PATCHED_ITEMS = 10_000;
const CHUNK = 1_000;

const votesOf = (votes: unknown): Array<{ person: number; label: Label }> =>
  votes !== null && typeof votes === "object" && !Array.isArray(votes)
    ? Object.entries(votes as Record<string, Label>).flatMap(([key, label]) => {
        const person = Number(key);
        return Number.isSafeInteger(person) ? [{ person, label }] : [];
      })
    : [];

/** An item's `updated_at` in microseconds, as the fingerprint sums it. */
const MICROS = sql<string>`(extract(epoch from updated_at) * 1000000)::bigint`;
const MICROS_TEXT = sql<string>`${MICROS}::text`;

interface Read {
  rows: Map<number, ItemRows>;
  labels: QualityLabel[];
  labelIds: number[];
  reviews: QualityReview[];
  reviewIds: number[];
}

/**
 * The rows of the project's items, or of the items given (those no longer in the project are
 * absent), in a fixed number of queries, in the order a full read has them: items by id, labels
 * by annotation id, reviews by review id.
 */
async function readItemRows(
  db: Kysely<Database>,
  projectId: number,
  labelsToo: boolean,
  ids: ReadonlyArray<number> | null,
): Promise<Read> {
  const projectItems = db.selectFrom("items").select("id").where("project_id", "=", projectId);
  const [items, annotations, outcomes, versions, panelTimes, reviews, reviewTimes] =
    await Promise.all([
      db
        .selectFrom("items")
        .select(["id", "status", "gold_label", MICROS_TEXT.as("micros")])
        .where("project_id", "=", projectId)
        .$if(ids !== null, (query) => query.where("id", "in", ids!))
        .orderBy("id")
        .execute(),
      db
        .selectFrom("annotations")
        .select([
          "id",
          "item_id",
          "user_id",
          "rejected_at",
          "active_ms",
          "submitted_at",
          "rate_cents_per_hour",
        ])
        .$if(labelsToo, (query) => query.select("label"))
        .where("item_id", "in", ids ?? projectItems)
        .orderBy("id")
        .execute(),
      // A consensus is a final label only to judge labels by; costs need none.
      labelsToo
        ? db
            .selectFrom("item_outcomes")
            .innerJoin("items", "items.id", "item_outcomes.item_id")
            .select(["item_outcomes.item_id", "item_outcomes.aggregated_label"])
            .where("items.project_id", "=", projectId)
            .$if(ids !== null, (query) => query.where("items.id", "in", ids!))
            .where("items.status", "=", "consensus")
            .execute()
        : [],
      db
        .selectFrom("adjudications")
        .select(["item_id", "version", "published_by", "time_spent_kind"])
        .$if(labelsToo, (query) => query.select(["label", "votes"]))
        .where("item_id", "in", ids ?? projectItems)
        .orderBy("item_id")
        .orderBy("version")
        .execute(),
      db
        .selectFrom("adjudication_time")
        .select(["item_id", "version", "user_id", "active_ms", "rate_cents_per_hour"])
        .where("item_id", "in", ids ?? projectItems)
        .execute(),
      db
        .selectFrom("reviews")
        .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
        .select([
          "reviews.id",
          "reviews.verdict",
          "reviews.time_spent_ms",
          "annotations.item_id",
          "annotations.user_id",
        ])
        .where("reviews.project_id", "=", projectId)
        .$if(ids !== null, (query) => query.where("annotations.item_id", "in", ids!))
        .orderBy("reviews.id")
        .execute(),
      db
        .selectFrom("review_time")
        .innerJoin("reviews", "reviews.id", "review_time.review_id")
        .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
        .select([
          "review_time.review_id",
          "review_time.user_id",
          "review_time.active_ms",
          "review_time.rate_cents_per_hour",
          "annotations.item_id",
        ])
        .where("reviews.project_id", "=", projectId)
        .$if(ids !== null, (query) => query.where("annotations.item_id", "in", ids!))
        .execute(),
    ]);

  const status = new Map<number, ItemStatus>();
  const rows = new Map<number, ItemRows & { item: ItemBeingRead }>();
  for (const item of items) {
    status.set(item.id, item.status);
    rows.set(item.id, {
      item: {
        id: item.id,
        lastLabelAt: null,
        labels: [],
        gold: (item.gold_label as Label | null) ?? null,
        versions: [],
        reviews: [],
      },
      labels: [],
      labelIds: [],
      reviews: [],
      reviewIds: [],
      people: [],
      updatedAt: BigInt(item.micros),
    });
  }
  // Rows of an item that left the project between the queries are not its project's.
  const labels: QualityLabel[] = [];
  const labelIds: number[] = [];
  for (const row of annotations) {
    const entry = rows.get(row.item_id);
    if (!entry) continue;
    const rejected = row.rejected_at !== null;
    const label: CostedLabel<number> = {
      person: row.user_id,
      label: (row.label ?? {}) as Label,
      rejected,
      activeMs: row.active_ms === null ? null : Number(row.active_ms),
      rateCentsPerHour: row.rate_cents_per_hour,
    };
    const { item } = entry;
    item.labels.push(label);
    if (item.lastLabelAt === null || row.submitted_at > item.lastLabelAt) {
      item.lastLabelAt = row.submitted_at;
    }
    const quality: QualityLabel = {
      itemId: row.item_id,
      userId: row.user_id,
      label: label.label,
      rejected,
      activeMs: label.activeMs,
      goldLabel: item.gold ?? null,
    };
    entry.labels.push(quality);
    entry.labelIds.push(row.id);
    entry.people.push(row.user_id);
    labels.push(quality);
    labelIds.push(row.id);
  }

  // The final label of a settled item: its consensus, or its latest published version.
  for (const outcome of outcomes) {
    const entry = rows.get(outcome.item_id);
    if (!entry) continue;
    entry.item.final = { label: outcome.aggregated_label as Label, source: "consensus" };
  }
  const panelTime = new Map<string, Array<PersonTime<number>>>();
  for (const row of panelTimes) {
    const key = `${row.item_id}:${row.version}`;
    panelTime.set(key, [
      ...(panelTime.get(key) ?? []),
      {
        person: row.user_id,
        activeMs: Number(row.active_ms),
        rateCentsPerHour: row.rate_cents_per_hour,
      },
    ]);
    rows.get(row.item_id)?.people.push(row.user_id);
  }
  for (const version of versions) {
    const entry = rows.get(version.item_id);
    if (!entry) continue;
    // A version published automatically had nobody in a room: an empty panel, not an unmeasured
    // one. A lead's version from before time was measured per person kept only a wall clock.
    const panel =
      version.published_by === null
        ? []
        : version.time_spent_kind === "wall_clock"
          ? null
          : (panelTime.get(`${version.item_id}:${version.version}`) ?? []);
    entry.item.versions.push({ panel });
    if (status.get(version.item_id) === "published") {
      entry.item.final = {
        label: (version.label ?? {}) as Label,
        votes: votesOf(version.votes),
        source: "published",
      };
    }
  }
  const reviewTime = new Map<number, Array<PersonTime<number>>>();
  for (const row of reviewTimes) {
    reviewTime.set(row.review_id, [
      ...(reviewTime.get(row.review_id) ?? []),
      {
        person: row.user_id,
        activeMs: Number(row.active_ms),
        rateCentsPerHour: row.rate_cents_per_hour,
      },
    ]);
    rows.get(row.item_id)?.people.push(row.user_id);
  }
  const qualityReviews: QualityReview[] = [];
  const reviewIds: number[] = [];
  for (const review of reviews) {
    const entry = rows.get(review.item_id);
    if (!entry) continue;
    const quality: QualityReview = { userId: review.user_id, verdict: review.verdict };
    entry.reviews.push(quality);
    entry.reviewIds.push(review.id);
    qualityReviews.push(quality);
    reviewIds.push(review.id);
    if (review.verdict === "pending") continue;
    entry.item.reviews.push({
      people: review.time_spent_ms === null ? null : (reviewTime.get(review.id) ?? []),
    });
  }
  return { rows, labels, labelIds, reviews: qualityReviews, reviewIds };
}

/** An item's costed parts, gathered from the rows of several queries. */
interface ItemBeingRead extends ReadItem {
  labels: Array<CostedLabel<number>>;
  versions: Array<{ panel: ReadonlyArray<PersonTime<number>> | null }>;
  reviews: Array<{ people: ReadonlyArray<PersonTime<number>> | null }>;
}

/**
 * Everyone whose work the figures count (the people the rows name) and the project's members,
 * by id.
 */
async function readWorkers(
  db: Kysely<Database>,
  projectId: number,
  people: ReadonlyArray<number>,
): Promise<Map<number, Worker>> {
  const users = await db
    .selectFrom("users")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.user_id", "=", "users.id")
        .on("project_members.project_id", "=", projectId),
    )
    .select([
      "users.id",
      "users.name",
      "users.level",
      "users.domains",
      "users.hourly_rate_cents",
      "project_members.role",
    ])
    .where((eb) =>
      eb.or([
        eb("project_members.project_id", "=", projectId),
        ...(people.length === 0 ? [] : [eb("users.id", "in", people)]),
      ]),
    )
    .orderBy("users.id")
    .execute();
  return new Map(
    users.map((row) => [
      row.id,
      {
        id: row.id,
        name: row.name,
        level: row.level,
        domains: row.domains,
        rateCentsPerHour: row.hourly_rate_cents,
        role: row.role,
      },
    ]),
  );
}

const peopleOf = (rows: Iterable<ItemRows>): number[] => {
  const people = new Set<number>();
  for (const entry of rows) for (const person of entry.people) people.add(person);
  return [...people].sort((a, b) => a - b);
};

interface Position {
  eventId: number;
  auditId: number;
  auditCount: number;
}

async function readPosition(db: Kysely<Database>, projectId: number): Promise<Position> {
  const { rows } = await sql<{ event_id: string; audit_id: string; audit_count: string }>`
    select
      (select coalesce(max(id), 0) from project_events where project_id = ${projectId}) as event_id,
      (select coalesce(max(id), 0) from audit_log where project_id = ${projectId}) as audit_id,
      (select count(*) from audit_log where project_id = ${projectId}) as audit_count`.execute(db);
  const row = rows[0]!;
  return {
    eventId: Number(row.event_id),
    auditId: Number(row.audit_id),
    auditCount: Number(row.audit_count),
  };
}

/**
 * A full read of the project's rows, with the position it reflects read first: a change that
 * commits during the read is then read again by the next patch, never missed.
 */
export async function readKeptRows(
  db: Kysely<Database>,
  projectId: number,
  options: { labels: boolean } = { labels: true },
): Promise<KeptRows> {
  const position = await readPosition(db, projectId);
  const read = await readItemRows(db, projectId, options.labels, null);
  const workers = await readWorkers(db, projectId, peopleOf(read.rows.values()));
  return {
    data: {
      labels: read.labels,
      reviews: read.reviews,
      workers,
      items: [...read.rows.values()].map((entry) => entry.item),
    },
    rows: read.rows,
    labelIds: read.labelIds,
    reviewIds: read.reviewIds,
    ...position,
    changed: new Set(read.rows.keys()),
    before: new Map(),
    full: true,
  };
}

/**
 * Entries of `kept` but those with the ids dropped (the changed items', in increasing order),
 * merged by id with the re-read ones. Only ids are compared: half a million labels are walked
 * on every patch.
 */
function mergeById<Entry>(
  keptEntries: ReadonlyArray<Entry>,
  keptIds: ReadonlyArray<number>,
  droppedIds: ReadonlyArray<number>,
  fresh: ReadonlyArray<Entry>,
  freshIds: ReadonlyArray<number>,
): { entries: Entry[]; ids: number[] } {
  // Sized once: grown a push at a time, the arrays cost more than the walk itself.
  const size = keptEntries.length - droppedIds.length + fresh.length;
  const entries = new Array<Entry>(size);
  const ids = new Array<number>(size);
  let filled = 0;
  let next = 0;
  let dropped = 0;
  const takeFresh = (before: number) => {
    for (; next < fresh.length && freshIds[next]! < before; next++) {
      entries[filled] = fresh[next]!;
      ids[filled++] = freshIds[next]!;
    }
  };
  for (let index = 0; index < keptEntries.length; index++) {
    const id = keptIds[index]!;
    while (dropped < droppedIds.length && droppedIds[dropped]! < id) dropped++;
    if (droppedIds[dropped] === id) continue;
    takeFresh(id);
    entries[filled] = keptEntries[index]!;
    ids[filled++] = id;
  }
  takeFresh(Infinity);
  entries.length = filled;
  ids.length = filled;
  return { entries, ids };
}

/**
 * The kept rows brought up to the database as it is, re-reading only the items that changed
 * since `kept` was read: those named by later project events (labels, reviews, publications,
 * reopenings), by later audit entries (revisions), and those whose `updated_at` is after the
 * latest kept (consensus, disputes, imports), from the index on (project_id, updated_at): not
 * "at or after", since a bulk write gives thousands of items the same `updated_at`. Read in one
 * snapshot with the count and sum of `updated_at` the fingerprint reads; if the kept rows do not
 * add up to them (a transaction that began earlier committed later, or items were deleted),
 * every item's `updated_at` is compared. A full read when an audit entry committed out of order
 * or too many items changed. People and members are read again whole (few rows).
 */
export async function patchKeptRows(
  db: Kysely<Database>,
  projectId: number,
  kept: KeptRows,
  options: { labels: boolean } = { labels: true },
): Promise<KeptRows> {
  const patched = await db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx): Promise<KeptRows | null> => {
      const position = await readPosition(trx, projectId);
      let latest = 0n;
      for (const entry of kept.rows.values())
        if (entry.updatedAt > latest) latest = entry.updatedAt;
      const [events, audits, moved, totals] = await Promise.all([
        trx
          .selectFrom("project_events")
          .select("item_id")
          .distinct()
          .where("project_id", "=", projectId)
          .where("id", ">", kept.eventId)
          .where("id", "<=", position.eventId)
          .where("item_id", "is not", null)
          .execute(),
        sql<{ item_id: number | null }>`
          select case
              when l.subject_type = 'item' and l.subject_id ~ '^[0-9]{1,9}$' then l.subject_id::int
              else a.item_id end as item_id
          from audit_log l
          left join annotations a on l.subject_type = 'annotation'
            and l.subject_id ~ '^[0-9]{1,9}$' and a.id = l.subject_id::int
          where l.project_id = ${projectId} and l.id > ${kept.auditId}`.execute(trx),
        trx
          .selectFrom("items")
          .select("id")
          .where("project_id", "=", projectId)
          .where(
            "updated_at",
            ">",
            sql<Date>`timestamptz 'epoch' + ${latest.toString()}::bigint * interval '1 microsecond'`,
          )
          .execute(),
        sql<{ count: string; sum: string }>`
          select count(*)::text as count, coalesce(sum(${MICROS}), 0)::text as sum
          from items where project_id = ${projectId}`.execute(trx),
      ]);
      // An audit entry with an id below the kept one that committed after it would be missed.
      if (position.auditCount !== kept.auditCount + audits.rows.length) return null;
      const changed = new Set<number>();
      for (const row of events) changed.add(row.item_id!);
      for (const row of audits.rows) if (row.item_id !== null) changed.add(row.item_id);
      for (const row of moved) changed.add(row.id);

      const rows = new Map(kept.rows);
      const reads: Read[] = [];
      const reread = async (ids: ReadonlyArray<number>) => {
        for (let start = 0; start < ids.length; start += CHUNK) {
          const chunk = ids.slice(start, start + CHUNK);
          const read = await readItemRows(trx, projectId, options.labels, chunk);
          for (const id of chunk) {
            const entry = read.rows.get(id);
            if (entry) rows.set(id, entry);
            else rows.delete(id);
          }
          reads.push(read);
        }
      };
      if (changed.size > MOST_PATCHED_ITEMS) return null;
      await reread([...changed]);

      let sum = 0n;
      for (const entry of rows.values()) sum += entry.updatedAt;
      const totalsRow = totals.rows[0]!;
      if (String(rows.size) !== totalsRow.count || sum.toString() !== totalsRow.sum) {
        const stamps = await trx
          .selectFrom("items")
          .select(["id", MICROS_TEXT.as("micros")])
          .where("project_id", "=", projectId)
          .execute();
        const present = new Set<number>();
        const differing: number[] = [];
        for (const stamp of stamps) {
          present.add(stamp.id);
          if (rows.get(stamp.id)?.updatedAt !== BigInt(stamp.micros)) differing.push(stamp.id);
        }
        for (const id of rows.keys()) if (!present.has(id)) differing.push(id);
        if (changed.size + differing.length > MOST_PATCHED_ITEMS) return null;
        for (const id of differing) changed.add(id);
        await reread(differing);
      }

      // Re-read items are merged in id order; a new item with a lower id than a kept one (its
      // transaction committed later) puts the map out of order, and it is sorted again.
      let ordered = rows;
      let previous = -Infinity;
      for (const id of rows.keys()) {
        if (id < previous) {
          ordered = new Map([...rows.entries()].sort(([a], [b]) => a - b));
          break;
        }
        previous = id;
      }

      const sortedFresh = <Entry>(pick: (read: Read) => [Entry[], number[]]) => {
        const pairs = reads.flatMap((read) => {
          const [entries, ids] = pick(read);
          return entries.map((entry, index) => [entry, ids[index]!] as const);
        });
        pairs.sort(([, a], [, b]) => a - b);
        return { entries: pairs.map(([entry]) => entry), ids: pairs.map(([, id]) => id) };
      };
      const droppedIds = (pick: (entry: ItemRows) => number[]) =>
        [...changed]
          .flatMap((id) => {
            const entry = kept.rows.get(id);
            return entry ? pick(entry) : [];
          })
          .sort((a, b) => a - b);
      const freshLabels = sortedFresh((read) => [read.labels, read.labelIds]);
      const labels = mergeById(
        kept.data.labels,
        kept.labelIds,
        droppedIds((entry) => entry.labelIds),
        freshLabels.entries,
        freshLabels.ids,
      );
      const freshReviews = sortedFresh((read) => [read.reviews, read.reviewIds]);
      const reviews = mergeById(
        kept.data.reviews,
        kept.reviewIds,
        droppedIds((entry) => entry.reviewIds),
        freshReviews.entries,
        freshReviews.ids,
      );
      const workers = await readWorkers(trx, projectId, peopleOf(ordered.values()));
      const before = new Map<number, ItemRows>();
      for (const id of changed) {
        const entry = kept.rows.get(id);
        if (entry) before.set(id, entry);
      }
      return {
        data: {
          labels: labels.entries,
          reviews: reviews.entries,
          workers,
          items: [...ordered.values()].map((entry) => entry.item),
        },
        rows: ordered,
        labelIds: labels.ids,
        reviewIds: reviews.ids,
        ...position,
        changed,
        before,
        full: false,
      };
    });
  return patched ?? readKeptRows(db, projectId, options);
}
