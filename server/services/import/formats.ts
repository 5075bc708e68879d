import type { Template } from "../../../app/domain/template.ts";
import { badRequest } from "../../errors.ts";
import { readCsv } from "./csv.ts";
import { isHhRlhfRecord, readHhRlhf } from "./hh-rlhf.ts";
import { readJsonArray, readJsonLines } from "./json.ts";
import { isLabelStudioTask, readLabelStudio } from "./label-studio.ts";
import type { ParsedImport } from "./rows.ts";

export const importFormats = ["json", "jsonl", "csv", "label-studio", "hh-rlhf"] as const;
export type ImportFormat = (typeof importFormats)[number];

export function isImportFormat(value: string): value is ImportFormat {
  return (importFormats as readonly string[]).includes(value);
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
 * Studio tasks; anything else is read as Quorum items. Structural problems (a file that is not
 * JSON or CSV) throw a 400 naming the line; problems with single records come back as row errors.
 */
export function readImport(text: string, format: ImportFormat, template: Template): ParsedImport {
  const content = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (content.trim().length === 0) {
    throw badRequest("The file is empty: expected items as a JSON array, NDJSON or CSV");
  }
  if (format === "csv") return readCsv(content);
  // Label Studio and HH-RLHF files come both as JSON arrays and as JSON Lines.
  const isArray = content.trimStart().startsWith("[");
  const records =
    format === "jsonl" || (format !== "json" && !isArray)
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
    ((format === "json" || format === "jsonl") && isLabelStudioTask(first))
  ) {
    return readLabelStudio(records, template);
  }
  return { rows: records, errors: [] };
}
