import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { Label } from "../../app/domain/template.ts";
import type { Database } from "../../db/schema.ts";
import { can, type Subject } from "../permissions.ts";
import { pseudonymsFor, UNNAMED_ANNOTATOR } from "./items.ts";
import { seesPseudonymisedProgress } from "./progress.ts";
import type { ProjectModel } from "./project-model.ts";

/**
 * What a project's event log records (docs/decisions/012), as the services write it. Item events
 * also store the item's external id. A submission records which fields the label filled, never
 * what it says.
 */
export type ProjectEventInput =
  | { type: "item.disputed"; itemId: number }
  | { type: "item.published"; itemId: number; version: number; label: Label }
  | { type: "item.reopened"; itemId: number; publishedVersion: number }
  | {
      type: "annotation.submitted";
      itemId: number;
      annotationId: number;
      annotatorId: number;
      fields: string[];
    }
  | {
      type: "review.decided";
      itemId: number;
      reviewId: number;
      decision: "accepted" | "corrected" | "rejected";
    }
  | { type: "import.completed"; created: number; unchanged: number; annotations: number };

/**
 * Appends an event to the project's log inside the transaction of the change it records, so
 * that the event exists if and only if the change was committed. Its id is taken at commit
 * (the migration's trigger), so ids grow in commit order within the project.
 */
export async function recordProjectEvent(
  trx: Kysely<Database>,
  projectId: number,
  event: ProjectEventInput,
): Promise<void> {
  if (!trx.isTransaction) {
    throw new Error("A project event is recorded in the transaction of the change it records");
  }
  const { type, ...payload } = event;
  const itemId = "itemId" in event ? event.itemId : null;
  const json = JSON.stringify(payload);
  await trx
    .insertInto("project_events")
    .values({
      project_id: projectId,
      type,
      item_id: itemId,
      payload:
        itemId === null
          ? json
          : sql<string>`${json}::jsonb || jsonb_build_object('externalId',
              (select external_id from items where id = ${itemId}))`,
    })
    .execute();
}

/** The id of the project's latest event; 0 before its first. */
export async function latestProjectEventId(
  db: Kysely<Database>,
  projectId: number,
): Promise<number> {
  const row = await db
    .selectFrom("project_events")
    .select((eb) => eb.fn.max<number | null>("id").as("id"))
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return row?.id ?? 0;
}

export interface ProjectEvent {
  id: number;
  type: string;
  itemId: number | null;
  payload: unknown;
  createdAt: Date;
}

/** The project's events after `afterId`, oldest first, at most `limit` of them. */
export async function readProjectEvents(
  db: Kysely<Database>,
  projectId: number,
  afterId: number,
  limit: number,
): Promise<ProjectEvent[]> {
  const rows = await db
    .selectFrom("project_events")
    .select(["id", "type", "item_id", "payload", "created_at"])
    .where("project_id", "=", projectId)
    .where("id", ">", afterId)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    itemId: row.item_id,
    payload: row.payload,
    createdAt: row.created_at,
  }));
}

/** What of an event a viewer may see. */
export interface EventAudience {
  /** Annotators under pseudonyms, without ids (clients, unless the project says otherwise). */
  pseudonymised: boolean;
  /** Published labels' content: whoever may export them. */
  labels: boolean;
}

/**
 * The audience of a subject who may watch the project's stream. Everyone who may (leads,
 * clients, admins) sees every item's labels elsewhere too: nobody watching is blind on an item,
 * since annotators may not open the stream (`project.viewQuality`).
 */
export function eventAudienceOf(subject: Subject, project: ProjectModel): EventAudience {
  return {
    pseudonymised: seesPseudonymisedProgress(subject, project),
    labels: can(subject, "project.export"),
  };
}

const itemEvent = { itemId: z.number(), externalId: z.string().nullable() };
const storedPayloads = {
  "item.disputed": z.object(itemEvent),
  "item.published": z.object({
    ...itemEvent,
    version: z.number(),
    label: z.record(z.string(), z.unknown()),
  }),
  "item.reopened": z.object({ ...itemEvent, publishedVersion: z.number() }),
  "annotation.submitted": z.object({
    ...itemEvent,
    annotationId: z.number(),
    annotatorId: z.number(),
    fields: z.array(z.string()),
  }),
  "review.decided": z.object({
    ...itemEvent,
    reviewId: z.number(),
    decision: z.enum(["accepted", "corrected", "rejected"]),
  }),
  "import.completed": z.object({
    created: z.number(),
    unchanged: z.number(),
    annotations: z.number(),
  }),
};

type StoredEvent = {
  [Type in keyof typeof storedPayloads]: {
    type: Type;
    payload: z.output<(typeof storedPayloads)[Type]>;
  };
}[keyof typeof storedPayloads];

/** The event as its type says it should be stored; null for a type or shape unknown here. */
function parseStored(event: ProjectEvent): StoredEvent | null {
  if (!Object.hasOwn(storedPayloads, event.type)) return null;
  const schema: z.ZodType = storedPayloads[event.type as keyof typeof storedPayloads];
  const parsed = schema.safeParse(event.payload);
  return parsed.success ? ({ type: event.type, payload: parsed.data } as StoredEvent) : null;
}

/** An annotator as an event names them: by id and name, or by pseudonym alone. */
export interface EventPerson {
  id: number | null;
  name: string;
}

/** The annotators the events name, as each audience sees them. */
export interface EventPeople {
  named: Map<number, EventPerson>;
  pseudonymised: Map<number, EventPerson>;
}

/**
 * Looks up the annotators the events name, for the audiences that will be asked for: names in
 * one query, pseudonyms (as the progress gives them: leads by name) in the pseudonyms' two.
 */
export async function eventPeople(
  db: Kysely<Database>,
  projectId: number,
  events: ReadonlyArray<ProjectEvent>,
  audiences: { pseudonymised: boolean },
): Promise<EventPeople> {
  const people: EventPeople = { named: new Map(), pseudonymised: new Map() };
  const ids = new Set<number>();
  for (const event of events) {
    const stored = parseStored(event);
    if (stored?.type === "annotation.submitted") ids.add(stored.payload.annotatorId);
  }
  if (ids.size === 0) return people;
  const [rows, pseudonyms] = await Promise.all([
    db
      .selectFrom("users")
      .leftJoin("project_members", (join) =>
        join
          .onRef("project_members.user_id", "=", "users.id")
          .on("project_members.project_id", "=", projectId),
      )
      .select(["users.id", "users.name", "project_members.role"])
      .where("users.id", "in", [...ids])
      .execute(),
    audiences.pseudonymised ? pseudonymsFor(db, projectId) : new Map<number, string>(),
  ]);
  for (const row of rows) {
    people.named.set(row.id, { id: row.id, name: row.name });
    people.pseudonymised.set(row.id, {
      id: null,
      name: pseudonyms.get(row.id) ?? (row.role === "lead" ? row.name : UNNAMED_ANNOTATOR),
    });
  }
  return people;
}

/**
 * An event as the audience may see it. Pseudonymised audiences get annotators by pseudonym, and
 * no review's item (junior review says which annotators are juniors, which pseudonyms hide);
 * published labels go only to those who may see them. An event of a type or shape this version
 * does not know (written by a newer one) is cut to its id, type and item.
 */
export function projectEventView(
  event: ProjectEvent,
  audience: EventAudience,
  people: EventPeople,
): Record<string, unknown> {
  const base = { id: event.id, type: event.type, createdAt: event.createdAt.toISOString() };
  const stored = parseStored(event);
  if (!stored) return { ...base, itemId: event.itemId };
  switch (stored.type) {
    case "item.disputed":
    case "item.reopened":
    case "import.completed":
      return { ...base, ...stored.payload };
    case "item.published": {
      const { label, ...rest } = stored.payload;
      return { ...base, ...rest, ...(audience.labels ? { label } : {}) };
    }
    case "annotation.submitted": {
      const { annotatorId, ...rest } = stored.payload;
      const person = audience.pseudonymised
        ? (people.pseudonymised.get(annotatorId) ?? { id: null, name: UNNAMED_ANNOTATOR })
        : (people.named.get(annotatorId) ?? { id: annotatorId, name: UNNAMED_ANNOTATOR });
      return { ...base, ...rest, annotator: person };
    }
    case "review.decided":
      return audience.pseudonymised
        ? { ...base, decision: stored.payload.decision }
        : { ...base, ...stored.payload };
  }
}
