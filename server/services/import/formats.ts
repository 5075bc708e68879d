import { z } from "zod";
import type { Template } from "../../../app/domain/template.ts";
import { badRequest, fieldErrors } from "../../errors.ts";
import { readCsv } from "./csv.ts";
import { isHhRlhfRecord, readHhRlhf } from "./hh-rlhf.ts";
import { readJsonArray, readJsonLines } from "./json.ts";
import { isLabelStudioMinRecord, isLabelStudioTask, readLabelStudio } from "./label-studio.ts";
import { readQuorumItems } from "./quorum-items.ts";
import { isRecord, type AnnotatorMapping, type ImportRow, type ParsedImport } from "./rows.ts";
import { emailSchema } from "../users.ts";

export const importFormats = ["json", "jsonl", "csv", "label-studio", "hh-rlhf"] as const;
export type ImportFormat = (typeof importFormats)[number];

export function isImportFormat(value: string): value is ImportFormat {
  return (importFormats as readonly string[]).includes(value);
}

/**
 * Label Studio user ids, or the names, pseudonyms and emails a Quorum export names annotators
 * by, to the emails of Quorum users: `{"3": "ada@lab.test"}`.
 */
export const userMapSchema = z.record(z.string().trim().min(1).max(320), emailSchema);

/**
 * Reads a user map given as JSON text (the `userMap` query parameter, the CLI's `--user-map`
 * file); `source` names it in the 400 that a malformed map gets.
 */
export function parseUserMap(text: string, source: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(`${source} is not JSON: expected an object such as {"3": "ada@lab.test"}`);
  }
  const checked = userMapSchema.safeParse(parsed);
  if (!checked.success) {
    throw badRequest(
      `${source} must map Label Studio user ids to emails, such as {"3": "ada@lab.test"}`,
      fieldErrors(checked.error.issues),
    );
  }
  return Object.fromEntries(
    Object.entries(checked.data).map(([key, email]) => [key.toLowerCase(), email]),
  );
}

/**
 * The query parameters of an import that say who annotations are by: for Label Studio files,
 * and for Quorum items whose annotators are named otherwise than by email (a client's export).
 */
export const labelStudioImportQuerySchema = z.object({
  userMap: z
    .string()
    .max(4_000)
    .optional()
    .describe(
      'A JSON object from Label Studio user ids (as `completed_by` holds them), or from the names, pseudonyms or emails of a Quorum export\'s annotators, to Quorum emails, e.g. `{"3":"ada@lab.test"}`, URL-encoded',
    ),
  assignUnmapped: z
    .enum(["importer"])
    .optional()
    .describe(
      "Credit annotations whose annotator neither the file (by email) nor userMap names to the importing user, rather than refusing the file",
    ),
});

/** `?userMap=&assignUnmapped=` as how the readers map annotators; 400 when malformed. */
export function parseLabelStudioImportQuery(
  query: unknown,
  importerEmail: string | undefined,
): AnnotatorMapping {
  const parsed = labelStudioImportQuerySchema.safeParse(
    isRecord(query) ? { userMap: query.userMap, assignUnmapped: query.assignUnmapped } : {},
  );
  if (!parsed.success) throw badRequest("Invalid query", fieldErrors(parsed.error.issues));
  const { userMap, assignUnmapped } = parsed.data;
  return {
    ...(userMap === undefined ? {} : { userMap: parseUserMap(userMap, "userMap") }),
    ...(assignUnmapped === "importer" && importerEmail !== undefined
      ? { unmappedAnnotator: importerEmail.toLowerCase() }
      : {}),
  };
}

const formatsByMediaType: Record<string, ImportFormat> = {
  "application/json": "json",
  "application/x-ndjson": "jsonl",
  "application/ndjson": "jsonl",
  "application/jsonl": "jsonl",
  "application/x-jsonlines": "jsonl",
  "application/jsonlines": "jsonl",
  "text/csv": "csv",
};

export const acceptedMediaTypes = Object.keys(formatsByMediaType);

export function formatOfMediaType(contentType: string | undefined): ImportFormat | undefined {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  return mediaType === undefined ? undefined : formatsByMediaType[mediaType];
}

const formatsByExtension: Record<string, ImportFormat> = {
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".csv": "csv",
};

/** The format a file name suggests (`.gz` aside), or undefined. */
export function formatOfFileName(fileName: string): ImportFormat | undefined {
  const name = fileName.toLowerCase().replace(/\.gz$/, "");
  const extension = name.slice(name.lastIndexOf("."));
  return formatsByExtension[extension];
}

/**
 * Reads an import file into item-shaped rows. JSON and JSON Lines files are recognised by their
 * first record: `{chosen, rejected}` pairs are HH-RLHF, records with a `data` object are Label
 * Studio tasks; anything else is read as Quorum items, the lines of Quorum's `jsonl` export
 * among them. Structural problems (a file that is not JSON or CSV) throw a 400 naming the line;
 * problems with single records come back as row errors.
 */
export function readImport(
  text: string,
  format: ImportFormat,
  template: Template,
  annotators: AnnotatorMapping = {},
): ParsedImport {
  const content = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (content.trim().length === 0) {
    throw badRequest("The file is empty: expected items as a JSON array, NDJSON or CSV");
  }
  if (format === "csv") return readCsv(content);
  // Label Studio and HH-RLHF files come both as JSON arrays and as JSON Lines.
  const isArray = content.trimStart().startsWith("[");
  const records =
    format === "label-studio" && !isArray
      ? labelStudioObjectOrLines(content)
      : format === "jsonl" || (format !== "json" && !isArray)
        ? readJsonLines(content)
        : readJsonArray(content);
  const first = records[0]?.value;
  if (
    format === "hh-rlhf" ||
    ((format === "json" || format === "jsonl") && isHhRlhfRecord(first))
  ) {
    return readHhRlhf(records);
  }
  if (
    format === "label-studio" ||
    ((format === "json" || format === "jsonl") &&
      (isLabelStudioTask(first) || isLabelStudioMinRecord(first)))
  ) {
    return readLabelStudio(records, template, annotators);
  }
  return readQuorumItems(records, annotators);
}

/**
 * A Label Studio file that is not an array: one task as an object (cloud storage writes a file
 * per task, pretty-printed), or JSON Lines.
 */
function labelStudioObjectOrLines(content: string): ImportRow[] {
  try {
    const parsed: unknown = JSON.parse(content);
    if (isRecord(parsed)) return [{ row: 1, value: parsed }];
  } catch {
    // Not one JSON value: JSON Lines, whose reader says which line is broken.
  }
  return readJsonLines(content);
}
