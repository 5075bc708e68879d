import { z } from "zod";
import {
  isRecord,
  quoted,
  type AnnotatorMapping,
  type ImportRow,
  type ParsedImport,
  type RowError,
} from "./rows.ts";

/**
 * Quorum's own items, from JSON arrays and JSON Lines: the documented item shape, and the lines
 * of a project's `jsonl` export, so that a project's items and labels move to another project
 * or workspace by exporting them and importing the file.
 *
 * An export line also says how the item ended in its project: its final label and where that
 * came from (`source`; a published version's `version`, `rationale` and `publishedAt`), and each
 * annotator's `level`. None of it can be imported as such: the item settles again from the
 * imported labels (an adjudication is made in a room, and the final label taken as gold would
 * make the item an answer key, which never settles), and a level belongs to the user, not to a
 * label. These fields are dropped from export lines, which their `source` marks; any other row
 * is the item shape alone, whose unknown keys are refused, so that a label put where `gold` was
 * meant is not lost silently.
 */

const exportSources = new Set(["published", "consensus"]);
const outcomeFields = new Set(["label", "source", "version", "rationale", "publishedAt"]);
const annotatorOutcomeFields = new Set(["level"]);
const emailSchema = z.email();

/** A line of the `jsonl` export, by the `source` of its final label. */
function isExportRecord(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.source === "string" && exportSources.has(value.source);
}

/**
 * The items of the records, with the export's outcome fields left out and annotators mapped to
 * emails: by `userMap` first (a pseudonym or name, as exports for clients give them, or another
 * workspace's email), then the email the file gives, then the importer when asked to.
 */
export function readQuorumItems(
  records: ReadonlyArray<ImportRow>,
  annotators: AnnotatorMapping = {},
): ParsedImport {
  const errors: RowError[] = [];
  const rows = records.map(({ row, value }) => ({
    row,
    value: quorumItem(value, row, annotators, errors),
  }));
  return { rows, errors };
}

function quorumItem(
  value: unknown,
  row: number,
  annotators: AnnotatorMapping,
  errors: RowError[],
): unknown {
  if (!isRecord(value)) return value;
  const fromExport = isExportRecord(value);
  const item = fromExport ? withoutKeys(value, outcomeFields) : value;
  if (!Array.isArray(item.annotations)) return item;

  const unnamed: RowError[] = [];
  const annotations = item.annotations.map((annotation: unknown, position) => {
    if (!isRecord(annotation)) return annotation;
    const entry = fromExport ? withoutKeys(annotation, annotatorOutcomeFields) : annotation;
    if (typeof entry.annotator !== "string") return entry;
    const email = emailOf(entry.annotator, annotators);
    if (email === undefined) {
      unnamed.push({
        row,
        field: `annotations.${position}.annotator`,
        message: `${quoted(entry.annotator)} is not an email: map it to one with userMap {${quoted(entry.annotator)}: "<email>"} (CLI --user-map), or pass assignUnmapped=importer (CLI --assign-unmapped importer) to credit the importer`,
      });
    }
    return { ...entry, annotator: email ?? entry.annotator };
  });
  if (unnamed.length > 0) {
    // The rest of the item is still checked, so that its other problems are named too; the
    // errors above already refuse the file.
    errors.push(...unnamed);
    const { annotations: _unnamed, ...content } = item;
    return content;
  }
  return { ...item, annotations };
}

function emailOf(annotator: string, annotators: AnnotatorMapping): string | undefined {
  const key = annotator.trim().toLowerCase();
  const { userMap, unmappedAnnotator } = annotators;
  if (userMap && Object.hasOwn(userMap, key)) return userMap[key];
  if (emailSchema.safeParse(annotator).success) return annotator;
  return unmappedAnnotator;
}

/** A copy without the keys; every other key stays an own property, `__proto__` included. */
function withoutKeys(
  record: Record<string, unknown>,
  keys: ReadonlySet<string>,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.has(key)));
}
