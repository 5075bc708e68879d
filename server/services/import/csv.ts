import { parse } from "csv-parse/sync";
import { badRequest } from "../../errors.ts";
import type { ImportRow, ParsedImport, RowError } from "./rows.ts";

/**
 * The CSV column mapping: one item per row, columns by header name.
 *
 * | column | becomes |
 * |---|---|
 * | `external_id` | `externalId` (required) |
 * | `prompt` | `prompt`: the text, or a conversation when the cell is a JSON array of `{role, content}` |
 * | `response_<id>` | a response with id `<id>`, in column order; an empty cell means no such response |
 * | `model_<id>` | that response's `model` |
 * | `domain` | `domain` |
 * | `metadata.<key>` | `metadata[<key>]`, as text; empty cells are left out |
 * | `gold` | `gold.label`, a JSON object such as `{"preference": 2}` |
 */
export const csvColumnMapping = {
  externalId: "external_id",
  prompt: "prompt",
  responsePrefix: "response_",
  modelPrefix: "model_",
  domain: "domain",
  metadataPrefix: "metadata.",
  gold: "gold",
} as const;

interface CsvLayout {
  externalId: number;
  prompt: number;
  responses: Array<{ id: string; text: number; model: number | undefined }>;
  domain: number | undefined;
  metadata: Array<{ key: string; column: number }>;
  gold: number | undefined;
}

export function readCsv(text: string): ParsedImport {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_quotes: false });
  } catch (error) {
    throw badRequest(
      `The CSV is malformed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const [header, ...body] = records;
  if (!header) throw badRequest("The CSV is empty: expected a header row and one row per item");
  const layout = csvLayout(header);
  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  body.forEach((record, index) => {
    const row = index + 1;
    rows.push({ row, value: csvRecordToItem(layout, record, row, errors) });
  });
  return { rows, errors };
}

function csvLayout(header: string[]): CsvLayout {
  const names = header.map((name) => name.trim());
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) problems.push(`column "${name}" appears twice`);
    seen.add(name);
  }
  const columnOf = (name: string) => {
    const index = names.indexOf(name);
    return index === -1 ? undefined : index;
  };
  const responses: CsvLayout["responses"] = [];
  const metadata: CsvLayout["metadata"] = [];
  names.forEach((name, column) => {
    if (name.startsWith(csvColumnMapping.responsePrefix)) {
      const id = name.slice(csvColumnMapping.responsePrefix.length);
      if (id.length === 0) problems.push(`column "${name}" needs a response id after response_`);
      responses.push({ id, text: column, model: columnOf(`${csvColumnMapping.modelPrefix}${id}`) });
    } else if (name.startsWith(csvColumnMapping.modelPrefix)) {
      const id = name.slice(csvColumnMapping.modelPrefix.length);
      if (columnOf(`${csvColumnMapping.responsePrefix}${id}`) === undefined) {
        problems.push(`column "${name}" has no matching column "response_${id}"`);
      }
    } else if (name.startsWith(csvColumnMapping.metadataPrefix)) {
      const key = name.slice(csvColumnMapping.metadataPrefix.length);
      if (key.length === 0) problems.push(`column "${name}" needs a key after metadata.`);
      metadata.push({ key, column });
    } else if (
      ![
        csvColumnMapping.externalId,
        csvColumnMapping.prompt,
        csvColumnMapping.domain,
        csvColumnMapping.gold,
      ].includes(name as "prompt")
    ) {
      problems.push(
        `unknown column "${name}" (put extra information in a "metadata.${name}" column)`,
      );
    }
  });
  const externalId = columnOf(csvColumnMapping.externalId);
  const prompt = columnOf(csvColumnMapping.prompt);
  if (externalId === undefined) problems.push('the column "external_id" is missing');
  if (prompt === undefined) problems.push('the column "prompt" is missing');
  if (responses.length === 0) {
    problems.push('no response columns: name them "response_<id>", e.g. response_a, response_b');
  }
  if (problems.length > 0 || externalId === undefined || prompt === undefined) {
    throw badRequest(
      `The CSV header does not follow the column mapping: ${problems.join("; ")}. Expected columns: external_id, prompt, response_<id>, and optionally model_<id>, domain, metadata.<key>, gold`,
      problems.map((message) => ({ row: 0, field: "(header)", message })),
    );
  }
  return {
    externalId,
    prompt,
    responses,
    domain: columnOf(csvColumnMapping.domain),
    metadata,
    gold: columnOf(csvColumnMapping.gold),
  };
}

function csvRecordToItem(
  layout: CsvLayout,
  record: string[],
  row: number,
  errors: RowError[],
): Record<string, unknown> {
  const cell = (column: number) => record[column] ?? "";
  const item: Record<string, unknown> = {
    externalId: cell(layout.externalId),
    prompt: promptFromCell(cell(layout.prompt)),
    responses: layout.responses
      .filter((response) => cell(response.text).length > 0)
      .map((response) => {
        const model = response.model === undefined ? "" : cell(response.model);
        return {
          id: response.id,
          text: cell(response.text),
          ...(model.length > 0 ? { model } : {}),
        };
      }),
  };
  if (layout.domain !== undefined && cell(layout.domain).length > 0) {
    item.domain = cell(layout.domain);
  }
  const metadata = Object.fromEntries(
    layout.metadata
      .filter(({ column }) => cell(column).length > 0)
      .map(({ key, column }) => [key, cell(column)]),
  );
  if (Object.keys(metadata).length > 0) item.metadata = metadata;
  if (layout.gold !== undefined && cell(layout.gold).trim().length > 0) {
    try {
      item.gold = { label: JSON.parse(cell(layout.gold)) as unknown };
    } catch {
      errors.push({
        row,
        field: "gold",
        message: 'must be a JSON label such as {"preference": 2}',
      });
    }
  }
  return item;
}

/** A cell holding a JSON array of turns is a conversation; anything else is the prompt's text. */
function promptFromCell(text: string): unknown {
  if (!text.trimStart().startsWith("[")) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    const isConversation =
      Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every((turn) => typeof turn === "object" && turn !== null && "role" in turn);
    return isConversation ? parsed : text;
  } catch {
    return text;
  }
}
