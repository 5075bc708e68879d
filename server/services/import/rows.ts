/** One record of an import file, numbered from 1 in file order (a CSV header is not a row). */
export interface ImportRow {
  row: number;
  value: unknown;
}

/** What is wrong with one row: `field` is a dot path into the item (or the source record). */
export interface RowError {
  row: number;
  field: string;
  message: string;
}

/** The records of a file in the shape of an item, and the problems found while reading them. */
export interface ParsedImport {
  rows: ImportRow[];
  errors: RowError[];
}

/**
 * Who the annotations of a file are by, where the file does not name them by a Quorum user's
 * email: Label Studio user ids, or the names and pseudonyms of an export made for a client.
 */
export interface AnnotatorMapping {
  /** Ids, names or emails (lower case) to the emails of Quorum users. */
  userMap?: Readonly<Record<string, string>>;
  /** Who is credited with annotations whose annotator neither the file nor the map names. */
  unmappedAnnotator?: string;
}

export function issuePath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  const parts = [prefix, ...path.map(String)].filter((part) => part.length > 0);
  return parts.length === 0 ? "(root)" : parts.join(".");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The most characters of a value an import error quotes. */
export const MOST_QUOTED_CHARACTERS = 200;

/**
 * A value from the file as an error quotes it: as JSON, cut to `MOST_QUOTED_CHARACTERS` with
 * how much was left out. An error may be listed for each of a thousand rows, and a value may be
 * as long as a response (200,000 characters): quoted whole, a 422 could run to hundreds of
 * megabytes.
 */
export function quoted(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  if (json.length <= MOST_QUOTED_CHARACTERS) return json;
  const omitted = json.length - MOST_QUOTED_CHARACTERS;
  return `${json.slice(0, MOST_QUOTED_CHARACTERS)}… (${omitted} more characters)`;
}
