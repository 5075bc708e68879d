import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import { z } from "zod";
import type { Database, ItemStatus, ProjectRole, User } from "../../db/schema.ts";
import { AppError, badRequest, fieldErrors, notFound } from "../errors.ts";
import { idParameter, MAX_ID } from "../ids.ts";
import { requireProjectPermission } from "../permissions.ts";
import { getDraft } from "./annotate.ts";
import { isPanelMember, panelItemIds } from "./panel.ts";
import { loadProjectFor } from "./project-model.ts";
import { adjudicationTimes, type PersonTime } from "./work-time.ts";

/** Stages after which an annotator who has labelled an item may see the other labels. */
export const REVEALED_STATUSES: ReadonlyArray<ItemStatus> = [
  "disputed",
  "adjudicating",
  "published",
];

export const itemStatuses: ReadonlyArray<ItemStatus> = [
  "queued",
  "annotating",
  "consensus",
  "disputed",
  "adjudicating",
  "published",
];

/**
 * Whether an annotator who is not a lead may see the other labels of an item: only once they
 * have submitted their own and the item is disputed, in adjudication or published. The API, the
 * pages and the sync server all ask this one question.
 */
export async function annotatorMaySeeLabels(
  db: Kysely<Database>,
  userId: number,
  item: { id: number; status: ItemStatus },
): Promise<boolean> {
  if (!REVEALED_STATUSES.includes(item.status)) return false;
  const own = await db
    .selectFrom("annotations")
    .select("id")
    .where("item_id", "=", item.id)
    .where("user_id", "=", userId)
    // A label rejected in review no longer counts: its author takes no part in the item's
    // disagreement, and may not read the others' labels or edit the room's draft.
    .where("rejected_at", "is", null)
    .executeTakeFirst();
  return own !== undefined;
}

/**
 * Whether the latest published version of the outer `items` row is flagged for reopening: the
 * current rules would not let it through (`version_flags`).
 */
export function latestVersionFlagged(eb: ExpressionBuilder<Database, "items">) {
  return eb.exists(
    eb
      .selectFrom("version_flags")
      .select("version_flags.item_id")
      .whereRef("version_flags.item_id", "=", "items.id")
      .where("version_flags.version", "=", (inner) =>
        inner
          .selectFrom("adjudications")
          .select((max) => max.fn.max("adjudications.version").as("latest"))
          .whereRef("adjudications.item_id", "=", "items.id"),
      ),
  );
}

/**
 * What a viewer may see of other people's work. Leads and admins see names; clients see
 * pseudonyms unless the project says otherwise; annotators see their own label, and the others
 * (pseudonymised) only after submitting theirs and once the item is disputed or published.
 */
type Audience = "manager" | "client" | "annotator";

function audienceOf(isAdmin: boolean, role: ProjectRole | null): Audience {
  if (isAdmin || role === "lead") return "manager";
  return role === "client" ? "client" : "annotator";
}

/**
 * "Annotator A", "Annotator B" … "Annotator AA": the same for juniors and experts, since a
 * pseudonym that told the level would narrow down who is behind it.
 */
export function pseudonym(position: number): string {
  let name = "";
  let rest = position;
  do {
    name = String.fromCharCode(65 + (rest % 26)) + name;
    rest = Math.floor(rest / 26) - 1;
  } while (rest >= 0);
  return `Annotator ${name}`;
}

const PSEUDONYM = /^Annotator ([A-Z]+)$/;

/**
 * Orders names as a list shows them: alphabetically, pseudonyms among them by their letters
 * ("Annotator Z" before "Annotator AA", where the alphabet would put "AA" after "A"). One sort
 * key per name, so that the order is total whatever names are mixed.
 */
export function byName(a: string, b: string): number {
  return nameSortKey(a).localeCompare(nameSortKey(b));
}

function nameSortKey(name: string): string {
  const letters = PSEUDONYM.exec(name)?.[1];
  return letters === undefined
    ? name
    : `Annotator ${String(letters.length).padStart(2, "0")}${letters}`;
}

/** How many items the project has, gold included. */
export async function projectItemCount(db: Kysely<Database>, projectId: number): Promise<number> {
  const { count } = await db
    .selectFrom("items")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("project_id", "=", projectId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/**
 * The pseudonyms of a project: everyone who took part in it other than as a lead or client (its
 * annotators, its former members, an admin who labelled without joining) and everyone who has
 * a label stored in it, whatever their role, each under the letter the database gave them when
 * they first did (`pseudonym_position`). They keep it for good, through changes of role: a label
 * shown as "Annotator C" stays "Annotator C" when C becomes a lead, or the change would tell who
 * C is. Leads without a letter (who never labelled) are named: they chair rooms and publish.
 */
export async function pseudonymsFor(
  db: Kysely<Database>,
  projectId: number,
): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom("project_participants")
    .select(["user_id", "pseudonym_position"])
    .where("project_id", "=", projectId)
    .where("pseudonym_position", "is not", null)
    .$narrowType<{ pseudonym_position: number }>()
    .execute();
  return new Map(rows.map((row) => [row.user_id, pseudonym(row.pseudonym_position)]));
}

/** What a page calls an item: its external id, or where that is withheld, its number. */
export function itemReference(item: { id: number; externalId: string | null }): string {
  return item.externalId ?? `Item ${item.id}`;
}

/** How someone without a pseudonym who is not a lead appears where names are hidden. */
export const UNNAMED_ANNOTATOR = "Annotator";

export interface VisibleAnnotation {
  id: number;
  annotator: { id: number | null; name: string; own: boolean };
  label: unknown;
  /** The client's claimed working time, bounded by the server's measure (decision 021). */
  durationMs: number | null;
  /** The working time the server measured; null where none was (imports). */
  activeMs: number | null;
  submittedAt: string;
  source: "quorum" | "import";
  rejected: boolean;
}

/**
 * An item as the caller may see it. Annotators see only items they were assigned, and nothing
 * that could tell a gold item from another or unblind them: no status, metadata, gold label or
 * outcome before they have submitted and the item is disputed or published.
 */
export async function getItemForUser(db: Kysely<Database>, user: User, itemId: number) {
  // Every column but the search vector, which can be as large as the content itself.
  const item = await db
    .selectFrom("items")
    .select([
      "id",
      "project_id",
      "external_id",
      "prompt",
      "responses",
      "domain",
      "metadata",
      "gold_label",
      "status",
      "content_hash",
      "created_at",
      "updated_at",
      "label_count",
      "adjudication_started_at",
    ])
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  const { project, subject } = await loadProjectFor(
    db,
    user,
    item.project_id,
    "project.view",
  ).catch((error: unknown) => {
    throw error instanceof AppError && error.code === "not_found"
      ? notFound("No such item")
      : error;
  });
  const audience = audienceOf(subject.isAdmin, subject.role);

  const assignment = await db
    .selectFrom("assignments")
    .select(["status", "expires_at"])
    .where("item_id", "=", itemId)
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  // An expert a lead invited to the item's panel was never assigned it, yet sees it all.
  const invitedToPanel =
    audience === "annotator" && !assignment && (await isPanelMember(db, user.id, itemId));
  if (audience === "annotator" && !assignment && !invitedToPanel) throw notFound("No such item");

  const revealed =
    audience !== "annotator" || invitedToPanel || (await annotatorMaySeeLabels(db, user.id, item));
  const base = {
    id: item.id,
    projectId: item.project_id,
    // The client's own identifiers may tell gold items apart (a batch of their own, a naming
    // scheme): annotators see them only once the item is revealed, which no gold item ever is.
    externalId: revealed ? item.external_id : null,
    prompt: item.prompt,
    responses: item.responses,
    domain: item.domain,
    template: project.template,
  };

  const rows = await db
    .selectFrom("annotations")
    .innerJoin("users", "users.id", "annotations.user_id")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.user_id", "=", "annotations.user_id")
        .on("project_members.project_id", "=", item.project_id),
    )
    .select([
      "annotations.id",
      "annotations.user_id",
      "users.name",
      "project_members.role",
      "annotations.label",
      "annotations.duration_ms",
      "annotations.active_ms",
      "annotations.submitted_at",
      "annotations.source",
      "annotations.rejected_at",
    ])
    .where("annotations.item_id", "=", itemId)
    .$if(!revealed, (query) => query.where("annotations.user_id", "=", user.id))
    .orderBy("annotations.id")
    .execute();
  const hideNames =
    audience === "annotator" || (audience === "client" && project.settings.pseudonymiseForClients);
  const pseudonyms = hideNames
    ? await pseudonymsFor(db, item.project_id)
    : new Map<number, string>();
  const annotations: VisibleAnnotation[] = rows.map((row) => {
    const own = row.user_id === user.id;
    return {
      id: row.id,
      annotator: {
        id: hideNames && !own ? null : row.user_id,
        name:
          hideNames && !own
            ? (pseudonyms.get(row.user_id) ?? (row.role === "lead" ? row.name : UNNAMED_ANNOTATOR))
            : row.name,
        own,
      },
      label: row.label,
      durationMs: row.duration_ms,
      activeMs: row.active_ms,
      submittedAt: row.submitted_at.toISOString(),
      source: row.source,
      rejected: row.rejected_at !== null,
    };
  });

  const storedVersions = revealed
    ? await db
        .selectFrom("adjudications")
        .select([
          "version",
          "label",
          "rationale",
          "published_at",
          "published_by",
          "panel",
          "votes",
          "minority",
          "time_spent_ms",
          "time_spent_kind",
        ])
        .where("item_id", "=", itemId)
        .orderBy("version")
        .execute()
    : [];
  // Each person's measured time on a version's room (decision 021); versions published before
  // it was measured have none.
  const personTimes =
    audience !== "annotator" && storedVersions.length > 0
      ? await adjudicationTimes(db, itemId)
      : new Map<number, PersonTime[]>();
  const versions = storedVersions.map((version) => ({
    ...version,
    person_time:
      version.time_spent_kind === "person_time" ? (personTimes.get(version.version) ?? []) : null,
  }));
  const provenance =
    audience === "annotator"
      ? null
      : await provenanceNames(db, item.project_id, versions, hideNames, pseudonyms);
  // A version the current rules would not let through, for a lead to reopen (decision 018).
  const flags =
    audience === "manager" && versions.length > 0
      ? await db
          .selectFrom("version_flags")
          .select(["version", "reason", "details"])
          .where("item_id", "=", itemId)
          .orderBy("reason")
          .execute()
      : [];
  const outcome = revealed
    ? await db
        .selectFrom("item_outcomes")
        .select(["disputed", "fields", "aggregated_label", "checked_at"])
        .where("item_id", "=", itemId)
        .executeTakeFirst()
    : undefined;

  return {
    item: {
      ...base,
      ...(revealed ? { status: item.status, metadata: item.metadata } : {}),
      ...(audience === "annotator"
        ? {}
        : { gold: item.gold_label === null ? null : { label: item.gold_label } }),
    },
    assignment: assignment
      ? { status: assignment.status, expiresAt: new Date(assignment.expires_at).toISOString() }
      : null,
    draft: assignment?.status === "reserved" ? await getDraft(db, user.id, itemId) : null,
    annotations,
    outcome: outcome
      ? {
          disputed: outcome.disputed,
          fields: outcome.fields,
          aggregatedLabel: outcome.aggregated_label,
          checkedAt: outcome.checked_at.toISOString(),
        }
      : null,
    versions: versions.map((version) => ({
      version: version.version,
      label: version.label,
      rationale: version.rationale,
      publishedAt: version.published_at.toISOString(),
      ...(provenance ? versionProvenance(version, provenance) : {}),
      ...(audience === "manager"
        ? {
            flags: flags
              .filter((flag) => flag.version === version.version)
              .map((flag) => ({ reason: flag.reason, details: flag.details })),
          }
        : {}),
    })),
  };
}

/** The item list's orders: by id (import order), or by when items were imported or last changed. */
export const itemSorts = ["id", "-id", "created", "-created", "updated", "-updated"] as const;
export type ItemSort = (typeof itemSorts)[number];

/** A search longer than this is refused: no prompt needs it, and each word costs an index probe. */
export const MAX_SEARCH_LENGTH = 500;
/** Characters of the prompt (its last turn, for a conversation) shown in a list. */
const PREVIEW_LENGTH = 160;

const booleanParameter = z.enum(["true", "false"]).transform((value) => value === "true");

/**
 * Dates and times in the years 0001 to 9999: four digits write no others, and PostgreSQL has no
 * year 0 (ISO 8601's 0000, its 1 BC), on which the query itself would fail.
 */
const inDatabaseRange = (value: string) => !value.startsWith("0000");
const RANGE_MESSAGE = "must be between the years 0001 and 9999";
const dateParameter = z.iso.date().refine(inDatabaseRange, RANGE_MESSAGE);

export const itemListQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(MAX_SEARCH_LENGTH, `Search at most ${MAX_SEARCH_LENGTH} characters`)
    .optional()
    .transform((value) => (value === "" ? undefined : value)),
  status: z.enum(itemStatuses as [ItemStatus, ...ItemStatus[]]).optional(),
  domain: z.string().trim().min(1).max(100).optional(),
  annotator: idParameter.optional(),
  field: z.string().trim().min(1).max(100).optional(),
  gold: booleanParameter.optional(),
  from: dateParameter.optional(),
  to: dateParameter.optional(),
  sort: z.enum(itemSorts).default("id"),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export type ItemListQuery = z.infer<typeof itemListQuerySchema>;

/**
 * What each audience may narrow the list by. Annotators may not filter or sort by anything
 * that would tell items apart by what they may not see (gold, who labelled, outcomes, dates);
 * who labelled an item, and which are gold, are for leads alone.
 */
const parametersBeyond: Record<Audience, ReadonlyArray<keyof ItemListQuery>> = {
  manager: [],
  client: ["annotator", "gold"],
  annotator: ["annotator", "gold", "field", "from", "to"],
};

/**
 * Where a page of a time-ordered list ended: the exact timestamp (to the microsecond, in UTC, as
 * the list writes it) and the item id.
 */
const timeCursorSchema = z.tuple([
  z.iso.datetime({ precision: 6 }).refine(inDatabaseRange, RANGE_MESSAGE),
  z.number().int().positive().max(MAX_ID),
]);

function encodeTimeCursor(at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString("base64url");
}

/**
 * A cursor is accepted only as the list wrote it: an item id for the orders by id, the encoded
 * time and id for the orders by time. Anything else could reach the query as a value the
 * database cannot compare, a 500 rather than this 400.
 */
function parseCursor(sort: ItemSort, cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const invalid = () => badRequest("Invalid cursor: pass back a nextCursor");
  if (sort === "id" || sort === "-id") {
    const id = idParameter.safeParse(cursor);
    if (!id.success) throw invalid();
    return { id: id.data, at: null };
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const parsed = timeCursorSchema.safeParse(decoded);
  if (!parsed.success) throw invalid();
  const [at, id] = parsed.data;
  // base64url decoding skips stray characters, and JSON allows spaces: one form only.
  if (encodeTimeCursor(at, id) !== cursor) throw invalid();
  return { id, at };
}

/**
 * One page of a project's items, and how many match in all. Managers and clients see every
 * item with its status; annotators see the items they were assigned, with no status before they
 * have submitted, and the items whose panel they sit on without having been assigned them, as
 * `getItemForUser` shows them: with everything.
 *
 * `q` searches the words of the prompt and responses (PostgreSQL's web search syntax: quoted
 * phrases, `or`, `-word`; whole words, case-insensitive, no stemming). The other parameters
 * narrow the list: status, domain, an annotator who labelled the item, a field in dispute, gold
 * or not, and the import date (`from`, `to`, inclusive, UTC).
 */
export async function listItems(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  query: unknown,
) {
  const parsed = itemListQuerySchema.safeParse(query);
  if (!parsed.success) throw badRequest("Invalid query", fieldErrors(parsed.error.issues));
  const filters = parsed.data;
  const { status, sort, limit } = filters;
  const subject = await requireProjectPermission(db, user, projectId, "project.view");
  const audience = audienceOf(subject.isAdmin, subject.role);
  const refused = parametersBeyond[audience].filter((name) => filters[name] !== undefined);
  const timeSorted = sort !== "id" && sort !== "-id";
  if (refused.length > 0 || (audience === "annotator" && timeSorted)) {
    throw badRequest(
      `Not available to ${audience === "client" ? "clients" : "annotators"}: ${[...refused, ...(timeSorted ? ["sort"] : [])].join(", ")}`,
    );
  }
  const cursor = parseCursor(sort, filters.cursor);
  // Annotators see statuses only once revealed; filtering by another would tell them apart.
  if (audience === "annotator" && status !== undefined && !REVEALED_STATUSES.includes(status)) {
    return { items: [], total: 0, nextCursor: null };
  }
  const assignedItemIds = db
    .selectFrom("assignments")
    .select("assignments.item_id")
    .where("assignments.user_id", "=", user.id);

  const matching = db
    .selectFrom("items")
    .leftJoin("item_outcomes", "item_outcomes.item_id", "items.id")
    .where("items.project_id", "=", projectId)
    .$if(status !== undefined, (q) => q.where("items.status", "=", status!))
    .$if(filters.q !== undefined, (q) =>
      q.where(sql<boolean>`items.search @@ websearch_to_tsquery('simple', ${filters.q!})`),
    )
    .$if(filters.domain !== undefined, (q) => q.where("items.domain", "=", filters.domain!))
    .$if(filters.annotator !== undefined, (q) =>
      q.where((eb) =>
        eb.exists(
          eb
            .selectFrom("annotations")
            .select("annotations.id")
            .whereRef("annotations.item_id", "=", "items.id")
            .where("annotations.user_id", "=", filters.annotator!),
        ),
      ),
    )
    .$if(filters.field !== undefined, (q) =>
      q.where(
        sql<boolean>`item_outcomes.fields @> ${JSON.stringify([{ fieldId: filters.field, disputed: true }])}::jsonb`,
      ),
    )
    .$if(filters.gold !== undefined, (q) =>
      q.where("items.gold_label", filters.gold ? "is not" : "is", null),
    )
    .$if(filters.from !== undefined, (q) =>
      q.where("items.created_at", ">=", sql<Date>`${filters.from!}::date::timestamptz`),
    )
    .$if(filters.to !== undefined, (q) =>
      q.where("items.created_at", "<", sql<Date>`(${filters.to!}::date + 1)::timestamptz`),
    )
    .$if(audience === "annotator", (q) =>
      q
        .where((eb) =>
          eb.or([
            eb("items.id", "in", assignedItemIds),
            eb(
              "items.id",
              "in",
              panelItemIds(db, user.id).where("items.project_id", "=", projectId),
            ),
          ]),
        )
        // Of the items assigned, only those labelled show their status, so only they may match
        // a status; an item the annotator only sits on the panel of shows it from the start.
        .$if(status !== undefined, (inner) =>
          inner.where((eb) =>
            eb.or([
              eb("items.id", "in", (sub) =>
                sub.selectFrom("annotations").select("item_id").where("user_id", "=", user.id),
              ),
              eb("items.id", "not in", assignedItemIds),
            ]),
          ),
        ),
    );

  const descending = sort.startsWith("-");
  const timeColumn = sort.endsWith("created") ? "items.created_at" : "items.updated_at";
  const after = descending ? "<" : ">";
  const [rows, counted] = await Promise.all([
    matching
      .select([
        "items.id",
        "items.external_id",
        "items.status",
        "items.domain",
        "items.created_at",
        "items.updated_at",
        "item_outcomes.fields as outcome_fields",
        sql<string>`case jsonb_typeof(items.prompt)
          when 'string' then left(items.prompt #>> '{}', ${PREVIEW_LENGTH})
          else left(items.prompt -> -1 ->> 'content', ${PREVIEW_LENGTH}) end`.as("preview"),
        sql<string>`to_char(${sql.ref(timeColumn)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
          "sort_time",
        ),
        (eb) =>
          eb
            .selectFrom("annotations")
            .select((inner) => inner.fn.countAll<number>().as("count"))
            .whereRef("annotations.item_id", "=", "items.id")
            .where("annotations.rejected_at", "is", null)
            .as("label_count"),
        (eb) =>
          eb
            .selectFrom("annotations")
            .select("annotations.id")
            .whereRef("annotations.item_id", "=", "items.id")
            .where("annotations.user_id", "=", user.id)
            .where("annotations.rejected_at", "is", null)
            .as("own_annotation_id"),
        (eb) =>
          eb
            .selectFrom("assignments")
            .select("assignments.id")
            .whereRef("assignments.item_id", "=", "items.id")
            .where("assignments.user_id", "=", user.id)
            .as("assignment_id"),
        (eb) => latestVersionFlagged(eb).as("flagged"),
      ])
      .$if(cursor !== undefined && !timeSorted, (q) => q.where("items.id", after, cursor!.id))
      .$if(cursor !== undefined && timeSorted, (q) =>
        q.where(
          (eb) => eb.refTuple(timeColumn, "items.id"),
          after,
          (eb) => eb.tuple(sql<Date>`${cursor!.at}::timestamptz`, cursor!.id),
        ),
      )
      .$if(timeSorted, (q) => q.orderBy(timeColumn, descending ? "desc" : "asc"))
      .orderBy("items.id", descending ? "desc" : "asc")
      .limit(limit + 1)
      .execute(),
    matching.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => {
      const submitted = row.own_annotation_id !== null;
      // An annotator's unassigned item is listed only because they sit on its panel.
      const invitedToPanel = audience === "annotator" && row.assignment_id === null;
      const revealed =
        audience !== "annotator" ||
        invitedToPanel ||
        (submitted && REVEALED_STATUSES.includes(row.status));
      return {
        id: row.id,
        // As on `getItemForUser`: an annotator sees neither the client's id of an item nor when
        // it was imported (gold items often come in a batch of their own) until it is revealed.
        externalId: revealed ? row.external_id : null,
        domain: row.domain,
        preview: row.preview ?? "",
        createdAt: revealed ? row.created_at.toISOString() : null,
        ...(revealed
          ? {
              status: row.status,
              labelCount: row.label_count ?? 0,
              disputedFields: Array.isArray(row.outcome_fields)
                ? (row.outcome_fields as Array<{ fieldId: string; disputed: boolean }>)
                    .filter((field) => field.disputed)
                    .map((field) => field.fieldId)
                : [],
            }
          : {}),
        submittedByYou: submitted,
        invitedToPanel,
        // Leads see which items' latest published version the current rules would not let
        // through, to reopen them.
        ...(audience === "manager" ? { flagged: row.flagged === true } : {}),
      };
    }),
    total: Number(counted.total),
    // A number for the orders by id, as ever; an opaque string for the orders by time.
    nextCursor:
      rows.length > limit
        ? timeSorted
          ? encodeTimeCursor(last.sort_time, last.id)
          : last.id
        : null,
  };
}

interface PublishedVersionRow {
  published_by: number | null;
  panel: unknown;
  votes: unknown;
  minority: unknown;
  time_spent_ms: number | null;
  /** Each person's measured time on the room; null for a version from before it was measured. */
  person_time: PersonTime[] | null;
}

type PersonView = { id: number | null; name: string };

/**
 * Names everyone a version's provenance mentions, as the viewer may see them. Where names are
 * hidden (clients, unless the project says otherwise) nobody's user id is given, annotators
 * appear under their pseudonyms and only the project's leads by name.
 */
async function provenanceNames(
  db: Kysely<Database>,
  projectId: number,
  versions: ReadonlyArray<PublishedVersionRow>,
  hideNames: boolean,
  pseudonyms: Map<number, string>,
): Promise<(userId: number) => PersonView> {
  const ids = new Set<number>();
  for (const version of versions) {
    if (version.published_by !== null) ids.add(version.published_by);
    for (const id of version.panel as number[]) ids.add(Number(id));
    for (const id of Object.keys(version.votes as object)) ids.add(Number(id));
    for (const time of version.person_time ?? []) ids.add(time.userId);
  }
  const users =
    ids.size === 0
      ? []
      : await db
          .selectFrom("users")
          .leftJoin("project_members", (join) =>
            join
              .onRef("project_members.user_id", "=", "users.id")
              .on("project_members.project_id", "=", projectId),
          )
          .select(["users.id", "users.name", "project_members.role"])
          .where("users.id", "in", [...ids])
          .execute();
  const people = new Map(users.map((user) => [user.id, user]));
  return (userId) => {
    const person = people.get(userId);
    if (!hideNames) return { id: userId, name: person?.name ?? "Former member" };
    const pseudonym = pseudonyms.get(userId);
    if (pseudonym) return { id: null, name: pseudonym };
    return { id: null, name: person?.role === "lead" ? person.name : "Former member" };
  };
}

/** Who published a version, its panel, each member's final vote and the minority positions. */
function versionProvenance(version: PublishedVersionRow, person: (userId: number) => PersonView) {
  const minority = version.minority as Record<string, Array<{ member: string; value: unknown }>>;
  return {
    publishedBy: version.published_by === null ? null : person(version.published_by),
    panel: (version.panel as number[]).map((id) => person(Number(id))),
    votes: Object.entries(version.votes as Record<string, unknown>).map(([id, label]) => ({
      member: person(Number(id)),
      label,
    })),
    minority: Object.fromEntries(
      Object.entries(minority).map(([fieldId, positions]) => [
        fieldId,
        positions.map((position) => ({
          member: person(Number(position.member)),
          value: position.value,
        })),
      ]),
    ),
    timeSpentMs: version.time_spent_ms,
    personTime:
      version.person_time?.map((time) => ({
        member: person(time.userId),
        activeMs: time.activeMs,
      })) ?? null,
  };
}
