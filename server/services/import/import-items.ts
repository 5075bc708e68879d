import { sql, type Kysely } from "kysely";
import { canonicalJson } from "../../../app/domain/canonical-json.ts";
import { SUBMITTED_AT_RANGE } from "../../../app/domain/item.ts";
import type { Database, User } from "../../../db/schema.ts";
import { badRequest, conflict, validationFailed } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import { projectItemCount } from "../items.ts";
import { latestProjectEventId, recordProjectEvent } from "../project-events.ts";
import {
  loadProjectFor,
  loadProjectModel,
  lockProjectForLabels,
  type ProjectModel,
} from "../project-model.ts";
import { AHEAD_ITEMS } from "../quality-ahead.ts";
import type { FingerprintParts } from "../quality-economics.ts";
import { MOST_PATCHED_ITEMS } from "../quality-rows.ts";
import {
  confirmFiguresOfWrite,
  holdsCurrentFigures,
  patchFiguresAfterWrite,
  storeFiguresWithWrite,
} from "../quality.ts";
import { settleItems } from "../settle.ts";
import type { ImportFormat } from "./formats.ts";
import type { ImportRow, RowError } from "./rows.ts";
import { chosenOf, validateRows, type ValidItem } from "./validate.ts";

export interface ImportProgress {
  phase: "validating" | "inserting" | "quality";
  done: number;
  total: number;
}

export interface ImportItemsInput {
  projectId: number;
  /** Who imports, for the audit log; null when the workspace itself does (the CLI). */
  actor: User | null;
  rows: ReadonlyArray<ImportRow>;
  /** Problems already found while reading the file: reported together with validation's. */
  readErrors?: ReadonlyArray<RowError>;
  format?: ImportFormat;
  onProgress?: (progress: ImportProgress) => void;
  /**
   * Whether the import keeps a large project's stored quality figures those of the data it
   * commits (decision 032): on PostgreSQL. It computes them from nothing and stores them in its
   * transaction, unless this process holds the figures of the data before it and it touches at
   * most `MOST_PATCHED_ITEMS` items: then it patches those right after its commit. PGlite has a
   * single connection, which the computation would hold from every other request for its whole
   * length; there the server computes them right after the import (`QualityAhead`).
   */
  qualityInTransaction?: boolean;
  /**
   * Told when the quality figures could not be computed or stored with the import: the import
   * is stored all the same, and the next request computes them.
   */
  onQualityError?: (error: unknown) => void;
}

export interface ImportSummary {
  created: number;
  unchanged: number;
  annotations: number;
  /** The ids of the file's items, created or already there, in file order. */
  itemIds: number[];
}

/** At most this many problems are listed in a 422, so that the answer stays readable. */
export const MAX_REPORTED_ERRORS = 1000;

// Rows go to the database as one JSON parameter per batch, expanded by jsonb_to_recordset: one
// round trip and one parameter per batch, whatever the number of rows and columns.
const BATCH_ROWS = 2000;
const BATCH_BYTES = 8 * 1024 * 1024;
const LOOKUP_CHUNK = 10_000;
const SETTLE_CHUNK = 500;

/**
 * Imports items into a project, all or nothing: every row is checked first (the schema, labels
 * against the template, annotator emails, externalIds against the file and the project), and any
 * problem rejects the whole file with a list of them. Rows identical to items already in the
 * project are left alone, so importing a file twice changes nothing. Items that arrive with
 * annotations move on in the lifecycle as if those labels had been submitted here.
 */
export async function importItems(
  db: Kysely<Database>,
  input: ImportItemsInput,
): Promise<ImportSummary> {
  const project = await loadProjectModel(db, input.projectId);
  const total = input.rows.length + (input.readErrors?.length ?? 0);
  if (total === 0) throw badRequest("The file holds no items");
  const progress = input.onProgress ?? (() => {});
  const validated = validateRows(input.rows, project, (done) =>
    progress({ phase: "validating", done, total: input.rows.length }),
  );
  const errors = [...(input.readErrors ?? []), ...validated.errors];

  let figuresStored: FingerprintParts | null = null;
  let patchedAfterCommit: number | null = null;
  const summary = await db.transaction().execute(async (trx) => {
    // One import per project at a time: the externalId checks below then hold until commit.
    await sql`select pg_advisory_xact_lock(hashtext(${`quorum:import:${project.id}`}))`.execute(
      trx,
    );
    // The rows were checked against the template read before the transaction, outside it so
    // that checking a large file holds no lock. Under the project's lock that template must
    // still be the project's: a change since would let labels in that it refuses.
    const current = await lockProjectForLabels(trx, project.id);
    if (canonicalJson(current.template) !== canonicalJson(project.template)) {
      throw conflict(
        "The project's template changed while the file was being checked; send it again",
      );
    }
    // Whoever imports may have been removed while the file was read and checked: their role is
    // read again under the lock member changes take (decision 040).
    if (input.actor) await loadProjectFor(trx, input.actor, project.id, "project.import");
    const eventsBefore = await latestProjectEventId(trx, project.id);
    const heldBefore =
      input.qualityInTransaction === true && (await holdsCurrentFigures(db, trx, project.id));
    const existing = await existingItems(trx, project.id, validated.items);
    const userIds = await annotatorIds(trx, validated.items);
    const storedLabels = await storedAnnotationLabels(trx, validated.items, existing);
    for (const { row, item, contentHash, annotations } of validated.items) {
      const found = existing.get(item.externalId);
      if (found && found.contentHash !== contentHash) {
        errors.push({
          row,
          field: "externalId",
          message: `"${item.externalId}" is already in the project with a different prompt or responses`,
        });
      } else if (found && found.chosen !== null && found.chosen !== chosenOf(item.metadata)) {
        errors.push({
          row,
          field: "chosen",
          message: `the same pair is already in the project as "${item.externalId}" with chosen and rejected the other way round: a conflicting preference`,
        });
      }
      // An annotation names its own row: later rows of the item add theirs to the first.
      for (const { row: annotationRow, position, annotator, label } of annotations) {
        const userId = userIds.get(annotator);
        if (userId === undefined) {
          errors.push({
            row: annotationRow,
            field: `annotations.${position}.annotator`,
            message: `no user with email ${annotator}: create the account before importing their annotations`,
          });
          continue;
        }
        const stored = found && storedLabels.get(`${found.id}:${userId}`);
        if (stored !== undefined && stored !== canonicalJson(label)) {
          errors.push({
            row: annotationRow,
            field: `annotations.${position}.label`,
            message: `${annotator} already has a different label on this item`,
          });
        }
      }
    }
    if (errors.length > 0) rejectImport(errors);

    const fresh = validated.items.filter(({ item }) => !existing.has(item.externalId));
    const idByExternalId = new Map<string, number>();
    for (const [externalId, { id }] of existing) idByExternalId.set(externalId, id);
    let inserted = 0;
    for (const batch of batches(fresh, itemRecord)) {
      const rows = await sql<{ id: number; external_id: string }>`
        insert into items (project_id, external_id, prompt, responses, domain, metadata, gold_label, content_hash)
        select ${project.id}, r.external_id, r.prompt, r.responses, r.domain,
               coalesce(r.metadata, '{}'::jsonb), r.gold_label, r.content_hash
        from jsonb_to_recordset(${batch.json}::jsonb) as r(
          external_id text, prompt jsonb, responses jsonb, domain text, metadata jsonb,
          gold_label jsonb, content_hash text)
        returning id, external_id`.execute(trx);
      for (const row of rows.rows) idByExternalId.set(row.external_id, row.id);
      inserted += batch.size;
      progress({ phase: "inserting", done: inserted, total: fresh.length });
    }
    progress({ phase: "inserting", done: fresh.length, total: fresh.length });

    const annotated = await insertAnnotations(trx, project, validated.items, {
      idByExternalId,
      userIds,
      storedLabels,
    });
    for (let start = 0; start < annotated.itemIds.length; start += SETTLE_CHUNK) {
      await settleItems(trx, current, annotated.itemIds.slice(start, start + SETTLE_CHUNK));
    }

    const summary: ImportSummary = {
      created: fresh.length,
      unchanged: validated.items.length - fresh.length + validated.repeated,
      annotations: annotated.count,
      itemIds: validated.items.map(({ item }) => idByExternalId.get(item.externalId)!),
    };
    await recordAudit(trx, {
      actorId: input.actor?.id ?? null,
      action: "items.import",
      projectId: project.id,
      subjectType: "project",
      subjectId: project.id,
      details: {
        format: input.format ?? null,
        rows: input.rows.length,
        created: summary.created,
        unchanged: summary.unchanged,
        annotations: summary.annotations,
      },
    });
    await recordProjectEvent(trx, project.id, {
      type: "import.completed",
      created: summary.created,
      unchanged: summary.unchanged,
      annotations: summary.annotations,
    });
    if (input.qualityInTransaction) {
      // Last, once the import's every write is made: the figures are those of the data it commits.
      const items = await projectItemCount(trx, project.id);
      if (items >= AHEAD_ITEMS) {
        progress({ phase: "quality", done: 0, total: items });
        if (heldBefore && summary.created + annotated.itemIds.length <= MOST_PATCHED_ITEMS) {
          patchedAfterCommit = items;
        } else {
          // The figures are kept current by the import, not a condition of it: should their
          // computation fail, the import commits without them.
          await sql`savepoint quality_figures`.execute(trx);
          try {
            figuresStored = await storeFiguresWithWrite(trx, project.id, eventsBefore);
            await sql`release savepoint quality_figures`.execute(trx);
          } catch (error) {
            await sql`rollback to savepoint quality_figures`.execute(trx);
            input.onQualityError?.(error);
          }
          progress({ phase: "quality", done: items, total: items });
        }
      }
    }
    return summary;
  });
  if (figuresStored) {
    // The import is committed, whatever happens here: should the check fail (the database gone
    // since), the figures stay unconfirmed and the project is computed as without them.
    await confirmFiguresOfWrite(db, project.id, figuresStored).catch((error: unknown) => {
      input.onQualityError?.(error);
    });
  }
  if (patchedAfterCommit !== null) {
    // Committed likewise: should the patch fail, the next request computes the figures.
    await patchFiguresAfterWrite(db, project.id).catch((error: unknown) => {
      input.onQualityError?.(error);
    });
    progress({ phase: "quality", done: patchedAfterCommit, total: patchedAfterCommit });
  }
  return summary;
}

function rejectImport(errors: RowError[]): never {
  const sorted = [...errors].sort((left, right) => left.row - right.row);
  const rows = new Set(sorted.map((error) => error.row)).size;
  const listed =
    sorted.length > MAX_REPORTED_ERRORS ? `; the first ${MAX_REPORTED_ERRORS} are listed` : "";
  throw validationFailed(
    `${sorted.length} problem(s) in ${rows} row(s); nothing was imported${listed}`,
    sorted.slice(0, MAX_REPORTED_ERRORS),
  );
}

function itemRecord({ item, contentHash, gold }: ValidItem) {
  return {
    external_id: item.externalId,
    prompt: item.prompt,
    responses: item.responses,
    domain: item.domain ?? null,
    metadata: item.metadata ?? {},
    gold_label: gold ?? null,
    content_hash: contentHash,
  };
}

/** Groups records into JSON arrays of bounded row count and size. */
function* batches<T>(
  values: ReadonlyArray<T>,
  toRecord: (value: T) => unknown,
): Generator<{ json: string; size: number }> {
  let parts: string[] = [];
  let bytes = 0;
  for (const value of values) {
    const part = JSON.stringify(toRecord(value));
    parts.push(part);
    bytes += part.length;
    if (parts.length >= BATCH_ROWS || bytes >= BATCH_BYTES) {
      yield { json: `[${parts.join(",")}]`, size: parts.length };
      parts = [];
      bytes = 0;
    }
  }
  if (parts.length > 0) yield { json: `[${parts.join(",")}]`, size: parts.length };
}

interface ExistingItem {
  id: number;
  contentHash: string;
  /** Which response an HH-RLHF pair chose, from its metadata; null for other items. */
  chosen: string | null;
}

async function existingItems(
  trx: Kysely<Database>,
  projectId: number,
  items: ReadonlyArray<ValidItem>,
): Promise<Map<string, ExistingItem>> {
  const found = new Map<string, ExistingItem>();
  for (let start = 0; start < items.length; start += LOOKUP_CHUNK) {
    const externalIds = items.slice(start, start + LOOKUP_CHUNK).map(({ item }) => item.externalId);
    const rows = await sql<{
      id: number;
      external_id: string;
      content_hash: string;
      chosen: string | null;
    }>`
      select id, external_id, content_hash, metadata->>'chosen' as chosen from items
      where project_id = ${projectId}
        and external_id in (select jsonb_array_elements_text(${JSON.stringify(externalIds)}::jsonb))`.execute(
      trx,
    );
    for (const row of rows.rows) {
      found.set(row.external_id, {
        id: row.id,
        contentHash: row.content_hash,
        chosen: row.chosen,
      });
    }
  }
  return found;
}

async function annotatorIds(
  trx: Kysely<Database>,
  items: ReadonlyArray<ValidItem>,
): Promise<Map<string, number>> {
  const emails = [
    ...new Set(items.flatMap(({ annotations }) => annotations.map((a) => a.annotator))),
  ];
  if (emails.length === 0) return new Map();
  const rows = await sql<{ id: number; email: string }>`
    select id, lower(email) as email from users
    where lower(email) in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`.execute(
    trx,
  );
  return new Map(rows.rows.map((row) => [row.email, row.id]));
}

/** The labels already stored on items of the file that exist, by `itemId:userId`, canonical. */
async function storedAnnotationLabels(
  trx: Kysely<Database>,
  items: ReadonlyArray<ValidItem>,
  existing: ReadonlyMap<string, { id: number }>,
): Promise<Map<string, string>> {
  const itemIds = items
    .filter(({ item, annotations }) => annotations.length > 0 && existing.has(item.externalId))
    .map(({ item }) => existing.get(item.externalId)!.id);
  const stored = new Map<string, string>();
  for (let start = 0; start < itemIds.length; start += LOOKUP_CHUNK) {
    const chunk = itemIds.slice(start, start + LOOKUP_CHUNK);
    const rows = await sql<{ item_id: number; user_id: number; label: unknown }>`
      select item_id, user_id, label from annotations
      where item_id in (select (jsonb_array_elements_text(${JSON.stringify(chunk)}::jsonb))::int)`.execute(
      trx,
    );
    for (const row of rows.rows) {
      stored.set(`${row.item_id}:${row.user_id}`, canonicalJson(row.label));
    }
  }
  return stored;
}

/**
 * Stores imported annotations as submitted work of their annotators (who become annotators of
 * the project if they were not members). Annotations already stored, with the same label, are
 * skipped: a re-import adds only what is new and never overwrites a label.
 */
async function insertAnnotations(
  trx: Kysely<Database>,
  project: ProjectModel,
  items: ReadonlyArray<ValidItem>,
  known: {
    idByExternalId: ReadonlyMap<string, number>;
    userIds: ReadonlyMap<string, number>;
    storedLabels: ReadonlyMap<string, string>;
  },
): Promise<{ count: number; itemIds: number[] }> {
  const now = new Date();
  const fresh = items
    .flatMap(({ item, annotations }) =>
      annotations.map((annotation) => ({
        itemId: known.idByExternalId.get(item.externalId)!,
        userId: known.userIds.get(annotation.annotator)!,
        annotation,
      })),
    )
    .filter(({ itemId, userId }) => !known.storedLabels.has(`${itemId}:${userId}`));
  if (fresh.length === 0) return { count: 0, itemIds: [] };

  const members = [...new Set(fresh.map((entry) => entry.userId))];
  await trx
    .insertInto("project_members")
    .values(
      members.map((userId) => ({
        project_id: project.id,
        user_id: userId,
        role: "annotator" as const,
      })),
    )
    .onConflict((conflict) => conflict.columns(["project_id", "user_id"]).doNothing())
    .execute();

  const reservationMs = project.settings.reservationMinutes * 60_000;
  for (const batch of batches(fresh, ({ itemId, userId, annotation }) => {
    const submittedAt = annotation.submittedAt ? new Date(annotation.submittedAt) : now;
    const reservedAt = new Date(submittedAt.getTime() - (annotation.durationMs ?? 0));
    return {
      item_id: itemId,
      user_id: userId,
      label: annotation.label,
      duration_ms: annotation.durationMs ?? null,
      submitted_at: submittedAt.toISOString(),
      reserved_at: reservedAt.toISOString(),
      // Past the last instant a submittedAt may name, the ISO text would need a six-digit year,
      // which PostgreSQL does not read; the reservation of a submitted label is over anyway.
      expires_at: new Date(
        Math.min(reservedAt.getTime() + reservationMs, SUBMITTED_AT_RANGE.latest),
      ).toISOString(),
    };
  })) {
    await sql`
      insert into annotations (item_id, user_id, label, duration_ms, source, submitted_at)
      select r.item_id, r.user_id, r.label, r.duration_ms, 'import', r.submitted_at
      from jsonb_to_recordset(${batch.json}::jsonb) as r(
        item_id int, user_id int, label jsonb, duration_ms int, submitted_at timestamptz)`.execute(
      trx,
    );
    await sql`
      insert into assignments (item_id, user_id, status, reserved_at, expires_at, completed_at)
      select r.item_id, r.user_id, 'submitted', r.reserved_at, r.expires_at, r.submitted_at
      from jsonb_to_recordset(${batch.json}::jsonb) as r(
        item_id int, user_id int, reserved_at timestamptz, expires_at timestamptz,
        submitted_at timestamptz)
      on conflict (item_id, user_id) do update
        set status = 'submitted', completed_at = excluded.completed_at`.execute(trx);
  }
  return { count: fresh.length, itemIds: [...new Set(fresh.map((entry) => entry.itemId))] };
}
