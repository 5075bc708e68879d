import { badRequest } from "../../errors.ts";
import type { ImportRow } from "./rows.ts";

/**
 * Reads a JSON array of records. The whole text goes through the native parser, which is fast;
 * only when it fails is the text scanned element by element, to say which row and line is broken.
 */
export function readJsonArray(text: string): ImportRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The file is not valid JSON: ${locateJsonArrayError(text, error)}`);
  }
  if (!Array.isArray(parsed)) {
    throw badRequest(
      "Expected a JSON array of items (or send NDJSON with Content-Type application/x-ndjson)",
    );
  }
  return parsed.map((value: unknown, index) => ({ row: index + 1, value }));
}

/** Reads NDJSON (JSON Lines): one record per line; blank lines are skipped. */
export function readJsonLines(text: string): ImportRow[] {
  const rows: ImportRow[] = [];
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    lineNumber += 1;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line.length === 0) continue;
    try {
      rows.push({ row: rows.length + 1, value: JSON.parse(line) });
    } catch (error) {
      throw badRequest(
        `Line ${lineNumber} (row ${rows.length + 1}) is not valid JSON: ${messageOf(error)}`,
      );
    }
  }
  return rows;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === NEWLINE || code === 0x0d;
}

/** Finds the first element of a top-level array that does not parse, with its line. */
function locateJsonArrayError(text: string, error: unknown): string {
  let line = 1;
  let index = 0;
  const skipWhitespace = () => {
    while (index < text.length && isWhitespace(text.charCodeAt(index))) {
      if (text.charCodeAt(index) === NEWLINE) line += 1;
      index += 1;
    }
  };
  skipWhitespace();
  if (text.charCodeAt(index) !== OPEN_BRACKET) return `line ${line}: ${messageOf(error)}`;
  index += 1;
  for (let row = 1; ; row += 1) {
    skipWhitespace();
    if (index >= text.length) return `line ${line}: the array is not closed with ]`;
    if (row === 1 && text.charCodeAt(index) === CLOSE_BRACKET) break;
    const startLine = line;
    const start = index;
    let depth = 0;
    let inString = false;
    for (; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code === NEWLINE) line += 1;
      if (inString) {
        if (code === BACKSLASH) index += 1;
        else if (code === QUOTE) inString = false;
      } else if (code === QUOTE) inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (depth === 0) break;
        depth -= 1;
      } else if (code === COMMA && depth === 0) break;
    }
    try {
      JSON.parse(text.slice(start, index));
    } catch (elementError) {
      return `row ${row} (line ${startLine}): ${messageOf(elementError)}`;
    }
    if (index >= text.length) return `line ${line}: the array is not closed with ]`;
    if (text.charCodeAt(index) === CLOSE_BRACKET) break;
    index += 1;
  }
  index += 1;
  skipWhitespace();
  return index < text.length
    ? `line ${line}: unexpected text after the closing ]`
    : messageOf(error);
}
