import { sql, type Kysely } from "kysely";
import { z } from "zod";
import {
  csvHeader,
  csvRow,
  exportFileName,
  exportFormats,
  exportRecords,
  chatRoles,
  exportedLabel,
  isExportFormat,
  isPreferenceFormat,
  ndjsonLine,
  promptStyles,
  signalFieldFor,
  type ExportFormat,
  type ExportItem,
  type PromptStyle,
  type SignalField,
} from "../../app/domain/export.ts";
import type { ItemResponse, Prompt } from "../../app/domain/item.ts";
import { labelStudioTask } from "../../app/domain/label-studio-export.ts";
import type { Label } from "../../app/domain/template.ts";
import type { Database, User } from "../../db/schema.ts";
import { badRequest, fieldErrors, validationFailed } from "../errors.ts";
import { latestVersionFlagged, pseudonymsFor, UNNAMED_ANNOTATOR } from "./items.ts";
import { loadProjectFor, loadProjectModel, type ProjectModel } from "./project-model.ts";
import { latestVersionByItem } from "./latest-versions.ts";
import { ExportSpool } from "./export-spool.ts";

/** Items read per query at most: enough to amortise the round trips. */
const PAGE_SIZE = 500;
/**
 * Bytes of content (prompt, responses, metadata as JSON text) read per query at most, beyond
 * the first item: a page of 500 long-context items with ten responses each held hundreds of
 * megabytes at once, and a few exports at a time a server's whole heap.
 */
const PAGE_BYTES = 4 * 1024 * 1024;

export interface ExportOptions {
  format: ExportFormat;
  /** The preference, ranking or rating field the pair and kto formats read. */
  field?: string;
  /** Whether dpo and reward write the prompt apart (explicit, the default) or inside each reply. */
  promptStyle?: PromptStyle;
}

export const exportQuerySchema = z.object({
  format: z.string().default("jsonl"),
  field: z.string().min(1).max(63).optional(),
  promptStyle: z.enum(promptStyles).optional(),
});

/** `?format=&field=&promptStyle=`; 400 naming the formats when the format is not one of them. */
export function parseExportQuery(query: unknown): ExportOptions {
  const parsed = exportQuerySchema.safeParse(query);
  if (!parsed.success) throw badRequest("Invalid query", fieldErrors(parsed.error.issues));
  const { format, field, promptStyle } = parsed.data;
  if (!isExportFormat(format)) {
    const formats = `use one of ${exportFormats.join(", ")}`;
    throw badRequest(`Unknown export format "${format}": ${formats}`, [
      { field: "format", message: formats },
    ]);
  }
  return {
    format,
    ...(field === undefined ? {} : { field }),
    ...(promptStyle === undefined ? {} : { promptStyle }),
  };
}

/**
 * How annotators are named: leads, admins and the operator see emails, as imports name them;
 * clients see names, or pseudonyms where the project hides names from them, as on item pages.
 */
type AnnotatorIdentity = "email" | "name" | "pseudonym";

/** What an export says about itself before its first byte, read from its snapshot. */
export interface ExportSummary {
  /**
   * For the preference formats (dpo, reward, kto, openai-dpo): how many items with a final
   * label they leave out because the item's conversation has a role other than system, user and
   * assistant (`hasOnlyChatRoles`); null for the other formats, which leave none out for that.
   */
  itemsWithOtherRoles: number | null;
}

export interface RunningExport {
  /**
   * Resolves once the export's snapshot is taken and it can no longer be refused; rejects with
   * the AppError that refuses it (the project or the field gone since `prepareExport`).
   */
  summary: Promise<ExportSummary>;
  /** The export's text, in the chunks it was written in (an item's lines, a csv row, a task). */
  chunks(): AsyncGenerator<string>;
  /** Stops the reading if it still runs and lets go of what it holds; `chunks` ends with it. */
  close(): Promise<void>;
}

export interface PreparedExport {
  fileName: string;
  contentType: string;
  /**
   * Starts the export: every read happens in one read-only snapshot of the database, a page at
   * a time, written ahead into a spool (memory, then a temporary file) from which `chunks` reads
   * at the client's pace. `signal` stops it early, once the client has gone.
   */
  start(signal?: AbortSignal): RunningExport;
  /** `start()`'s text from first chunk to last. */
  chunks(): AsyncGenerator<string>;
}

/**
 * Checks that the export can be made and returns how to make it. `viewer` null is the workspace
 * operator (the CLI), who sees what a lead sees. Leads, clients and admins may export (404 for
 * outsiders, 403 for annotators); clients see annotators under pseudonyms unless the project
 * says otherwise. A named field that does not exist or cannot give the format's signal is a 422.
 */
export async function prepareExport(
  db: Kysely<Database>,
  viewer: User | null,
  projectId: number,
  options: ExportOptions,
): Promise<PreparedExport> {
  let project: ProjectModel;
  let asClient = false;
  if (viewer) {
    const loaded = await loadProjectFor(db, viewer, projectId, "project.export");
    project = loaded.project;
    asClient = !loaded.subject.isAdmin && loaded.subject.role === "client";
  } else {
    project = await loadProjectModel(db, projectId);
  }

  const { format } = options;
  signalField(project, options);
  const promptStyle = options.promptStyle ?? "explicit";
  if (promptStyle === "implicit" && format !== "dpo" && format !== "reward") {
    const message = "promptStyle=implicit applies to the dpo and reward formats only";
    throw validationFailed(`Cannot export ${format}: ${message}`, [
      { field: "promptStyle", message },
    ]);
  }

  /**
   * The export read from `trx`, a snapshot: the project again, so that its template, settings
   * and labels are of one moment, then its pages.
   */
  async function* exportText(
    trx: Kysely<Database>,
    summarise: (summary: ExportSummary) => void,
  ): AsyncGenerator<string> {
    const current = await loadProjectModel(trx, project.id);
    const field = signalField(current, options);
    const template = current.template;
    const identity: AnnotatorIdentity = !asClient
      ? "email"
      : current.settings.pseudonymiseForClients
        ? "pseudonym"
        : "name";
    const pseudonyms =
      identity === "pseudonym" ? await pseudonymsFor(trx, current.id) : new Map<number, string>();
    summarise({
      itemsWithOtherRoles: isPreferenceFormat(format)
        ? await countItemsWithOtherRoles(trx, current.id)
        : null,
    });
    const annotator = (userId: number, email: string, name: string, role: string | null) =>
      identity === "email"
        ? email
        : identity === "name"
          ? name
          : (pseudonyms.get(userId) ?? (role === "lead" ? name : UNNAMED_ANNOTATOR));
    if (format === "csv") yield csvHeader(template);
    // label-studio is one JSON array, written a task at a time: "[", tasks between commas, "]".
    let tasks = 0;
    if (format === "label-studio") yield "[";
    const shown = {
      levels: identity !== "pseudonym",
      // Times go to those who see emails, whose exports are the ones imported back: next to
      // names or pseudonyms they would tell a client when each person worked and, where costs
      // are shown, each one's rate.
      workTimes: identity === "email",
    };
    for await (const page of finalItemPages(trx, current, annotator, shown)) {
      // An item at a time: a page's text joined in one string passed V8's limit on a string's
      // length (ranking pairs repeat a long prompt for every pair of responses).
      for (const item of page) {
        if (format === "csv") yield csvRow(template, item);
        else if (format === "label-studio") {
          yield `${tasks++ === 0 ? "\n" : ",\n"}${JSON.stringify(labelStudioTask(template, item))}`;
        } else {
          yield exportRecords(format, field, item, promptStyle).map(ndjsonLine).join("");
        }
      }
    }
    if (format === "label-studio") yield tasks === 0 ? "]\n" : "\n]\n";
  }

  function start(signal?: AbortSignal): RunningExport {
    const spool = new ExportSpool();
    const stop = new AbortController();
    const stopped = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    let summarised!: (summary: ExportSummary) => void;
    let refused!: (error: unknown) => void;
    const summary = new Promise<ExportSummary>((resolve, reject) => {
      summarised = resolve;
      refused = reject;
    });
    // A caller that reads only the chunks gets a refusal from them.
    summary.catch(() => undefined);
    const reading = (async () => {
      try {
        // REPEATABLE READ: every statement sees the database as the first one did, so no item
        // is read in one state and its labels or versions in another; READ ONLY, since an
        // export writes nothing. On PGlite the transaction holds the one connection, which
        // serialises the same way: no write lands between its reads.
        await db
          .transaction()
          .setIsolationLevel("repeatable read")
          .setAccessMode("read only")
          .execute(async (trx) => {
            for await (const chunk of exportText(trx, summarised)) {
              if (stopped.aborted) return;
              await spool.write(chunk);
            }
          });
        spool.end();
      } catch (error) {
        refused(error);
        spool.fail(error);
      }
    })();
    let closing: Promise<void> | null = null;
    const close = () => {
      closing ??= (async () => {
        stop.abort();
        await reading;
        await spool.dispose();
      })();
      return closing;
    };
    return {
      summary,
      async *chunks() {
        try {
          yield* spool.read(stopped);
        } finally {
          await close();
        }
      },
      close,
    };
  }

  return {
    fileName: exportFileName(project.row.name, project.id, format),
    contentType:
      format === "csv"
        ? "text/csv; charset=utf-8"
        : format === "label-studio"
          ? "application/json; charset=utf-8"
          : "application/x-ndjson; charset=utf-8",
    start,
    chunks: () => start().chunks(),
  };
}

/** The field the format reads in the project's template; a 422 when there is none it can read. */
function signalField(project: ProjectModel, options: ExportOptions): SignalField | null {
  const choice = signalFieldFor(project.template, options.format, options.field);
  if (!choice.ok) {
    throw validationFailed(`Cannot export ${options.format}: ${choice.message}`, [
      { field: "field", message: choice.message },
    ]);
  }
  return choice.field;
}

/**
 * The items an export takes: those with a final label, published or consensus. Gold items are
 * answer keys, not training data; a published version the current rules would not let through
 * (flagged `invalid` or `consensus_changed`) waits for a lead to reopen the item.
 */
function finalItems(db: Kysely<Database>, projectId: number) {
  return db
    .selectFrom("items")
    .where("project_id", "=", projectId)
    .where("status", "in", ["published", "consensus"])
    .where("gold_label", "is", null)
    .where((eb) => eb.not(latestVersionFlagged(eb)));
}

/**
 * How many of the project's final items have a conversation with a role outside `chatRoles`:
 * the SQL form of `hasOnlyChatRoles`, so that the count is known before the first line.
 */
async function countItemsWithOtherRoles(db: Kysely<Database>, projectId: number): Promise<number> {
  const row = await finalItems(db, projectId)
    // CASE, not AND: jsonb_array_elements fails on a string prompt, and SQL does not promise to
    // evaluate an AND's operands in order.
    .where(
      sql<boolean>`case when jsonb_typeof(items.prompt) = 'array' then exists (
        select from jsonb_array_elements(items.prompt) as turn
        where turn ->> 'role' not in (${sql.join([...chatRoles])})
      ) else false end`,
    )
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * The project's items with a final label, by id, a page at a time: published items with their
 * latest version, consensus items with the label they settled on (their outcome's aggregate,
 * which the dispute check validated; see `checkAgreement`). Gold items are
 * answer keys, not training data, and items still being labelled or adjudicated have no final
 * label; neither is exported, nor is an item whose latest version is flagged for reopening.
 */
async function* finalItemPages(
  db: Kysely<Database>,
  project: ProjectModel,
  annotator: (userId: number, email: string, name: string, role: string | null) => string,
  shown: { levels: boolean; workTimes: boolean },
): AsyncGenerator<ExportItem[]> {
  let cursor = 0;
  for (;;) {
    // The next items up to PAGE_SIZE, and as many of them as fit in PAGE_BYTES (one at least),
    // measured by the database before their content is read.
    const next = await finalItems(db, project.id)
      .select([
        "id",
        sql<string>`sum(octet_length(prompt::text) + octet_length(responses::text)
          + octet_length(coalesce(metadata, '{}'::jsonb)::text)) over (order by id)`.as("bytes"),
      ])
      .where("id", ">", cursor)
      .orderBy("id")
      .limit(PAGE_SIZE)
      .execute();
    if (next.length === 0) return;
    const fitting = next.filter((row, index) => index === 0 || Number(row.bytes) <= PAGE_BYTES);
    const ids = fitting.map((row) => row.id);
    const items = await db
      .selectFrom("items")
      .select(["id", "external_id", "prompt", "responses", "domain", "metadata", "status"])
      .where("id", "in", ids)
      .where("status", "in", ["published", "consensus"])
      .orderBy("id")
      .execute();

    const annotations = await db
      .selectFrom("annotations")
      .innerJoin("users", "users.id", "annotations.user_id")
      .leftJoin("project_members", (join) =>
        join
          .onRef("project_members.user_id", "=", "annotations.user_id")
          .on("project_members.project_id", "=", project.id),
      )
      .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
      .select([
        "annotations.item_id",
        "annotations.user_id",
        "annotations.label",
        "reviews.verdict",
        "reviews.corrected_label",
        "annotations.submitted_at",
        "annotations.duration_ms",
        "users.email",
        "users.name",
        "users.level",
        "project_members.role",
      ])
      .where("annotations.item_id", "in", ids)
      .where("annotations.rejected_at", "is", null)
      .orderBy("annotations.id")
      .execute();
    const annotationsByItem = new Map<number, typeof annotations>();
    for (const annotation of annotations) {
      const list = annotationsByItem.get(annotation.item_id) ?? [];
      list.push(annotation);
      annotationsByItem.set(annotation.item_id, list);
    }

    const publishedIds = items.filter((item) => item.status === "published").map((item) => item.id);
    const versionByItem = await latestVersionByItem(db, publishedIds);
    const consensusIds = items.filter((item) => item.status === "consensus").map((item) => item.id);
    const outcomes =
      consensusIds.length === 0
        ? []
        : await db
            .selectFrom("item_outcomes")
            .select(["item_id", "aggregated_label"])
            .where("item_id", "in", consensusIds)
            .where("disputed", "=", false)
            .execute();
    const settledLabelByItem = new Map(
      outcomes.map((outcome) => [outcome.item_id, outcome.aggregated_label as Label]),
    );

    const page: ExportItem[] = [];
    for (const item of items) {
      const labels = annotationsByItem.get(item.id) ?? [];
      const common = {
        externalId: item.external_id,
        prompt: item.prompt as Prompt,
        responses: item.responses as ItemResponse[],
        ...(item.domain === null ? {} : { domain: item.domain }),
        metadata: (item.metadata ?? {}) as Record<string, unknown>,
        annotations: labels.map((annotation) => ({
          annotator: annotator(
            annotation.user_id,
            annotation.email,
            annotation.name,
            annotation.role,
          ),
          // Under pseudonyms the level stays out: next to the member list it would narrow
          // down who is behind each pseudonym.
          ...(shown.levels ? { level: annotation.level } : {}),
          // The label that counts, as `countedLabels` settles the item on: a lead's correction
          // in review replaces the annotator's label, so that the export imports back to the
          // same outcome.
          label:
            annotation.verdict === "corrected" && annotation.corrected_label !== null
              ? annotation.corrected_label
              : annotation.label,
          ...(shown.workTimes
            ? {
                submittedAt: annotation.submitted_at.toISOString(),
                ...(annotation.duration_ms === null ? {} : { durationMs: annotation.duration_ms }),
              }
            : {}),
        })),
      };
      if (item.status === "published") {
        const version = versionByItem.get(item.id);
        // A published item always has a version; one without is skipped, not guessed at.
        if (!version) continue;
        page.push({
          ...common,
          source: "published",
          label: exportedLabel(project.template, version.label as Label),
          version: version.version,
          rationale: version.rationale,
          publishedAt: version.published_at.toISOString(),
        });
      } else {
        const label = settledLabelByItem.get(item.id);
        // A consensus item always has its outcome; one without is skipped, not guessed at.
        if (!label) continue;
        page.push({
          ...common,
          source: "consensus",
          label: exportedLabel(project.template, label),
        });
      }
    }
    yield page;
    if (next.length < PAGE_SIZE && fitting.length === next.length) return;
    cursor = ids[ids.length - 1]!;
  }
}
