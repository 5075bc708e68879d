import type { ConversationTurn, ItemResponse, Prompt } from "./item.ts";
import {
  ownEntry,
  type Label,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "./template.ts";

/**
 * Exports of final labels as training data. The layouts are those of Hugging Face TRL's dataset
 * types, which is what labs feed preference data into:
 *
 * - `jsonl`: the complete record of each item, one per line, which Quorum's import reads back
 *   (server/services/import/quorum-items.ts).
 * - `dpo`: preference pairs `{ prompt, chosen, rejected }`.
 * - `reward`: the same pairs with an explicit prompt and a `margin`, which TRL's reward trainer
 *   adds to its loss, so that a clear preference weighs more than a slight one.
 * - `kto`: unpaired preferences `{ prompt, completion, label }`.
 * - `openai-dpo`: the same pairs in OpenAI's preference fine-tuning layout,
 *   `{ input: { messages }, preferred_output, non_preferred_output }`.
 * - `csv`: one flat row per item for spreadsheets.
 * - `label-studio`: one JSON array of Label Studio tasks with their annotations
 *   (label-studio-export.ts), which Label Studio and Quorum's own import read.
 *
 * A string prompt gives the standard form (strings); a conversation prompt gives the
 * conversational form, where `chosen`, `rejected` and `completion` are one assistant message.
 * `dpo`, `reward` and `kto` lines carry the item's `externalId`, which TRL keeps as a column and
 * its trainers ignore, so that a line can be joined back to its source row; `openai-dpo` lines
 * keep to OpenAI's three keys, since OpenAI's check of an uploaded file refuses keys it does not
 * expect. The preference formats take conversations of `chatRoles` only (`hasOnlyChatRoles`).
 * `dpo` and `reward` take a prompt style: `explicit` (the default) writes the prompt apart;
 * `implicit`, the layout older TRL versions need, writes no `prompt` and puts it at the start of
 * both `chosen` and `rejected` (a string prompt and a blank line before the reply, or the prompt's
 * turns before the assistant's message).
 */
export const exportFormats = [
  "jsonl",
  "dpo",
  "reward",
  "kto",
  "openai-dpo",
  "csv",
  "label-studio",
] as const;
export type ExportFormat = (typeof exportFormats)[number];

export function isExportFormat(value: string): value is ExportFormat {
  return (exportFormats as ReadonlyArray<string>).includes(value);
}

/** The formats that read a preference, ranking or rating field: pairs and judgements to train on. */
export const preferenceFormats = ["dpo", "reward", "kto", "openai-dpo"] as const;
export type PreferenceFormat = (typeof preferenceFormats)[number];

export function isPreferenceFormat(format: ExportFormat): format is PreferenceFormat {
  return (preferenceFormats as ReadonlyArray<string>).includes(format);
}

/**
 * The conversation roles that chat training takes: TRL's chat templates and OpenAI's fine-tuning
 * refuse or mishandle others, such as `tool` without its call, `human`, `gpt` or `User`.
 */
export const chatRoles = ["system", "user", "assistant"] as const;

/**
 * The export's response header giving how many items a preference format left out for their
 * conversation's roles (ExportSummary.itemsWithOtherRoles in server/services/export.ts).
 */
export const ITEMS_WITH_OTHER_ROLES_HEADER = "Quorum-Items-With-Other-Roles";

/**
 * Whether a prompt can go into the preference formats as it is: a string, or a conversation
 * whose every turn has one of `chatRoles`, exactly (roles are compared as stored, so `User` is
 * not `user`). Quorum does not guess what another role means; the item is left out of those
 * formats, counted, and stays in `jsonl`, `csv` and `label-studio`, which take any role.
 */
export function hasOnlyChatRoles(prompt: Prompt): boolean {
  return (
    typeof prompt === "string" ||
    prompt.every((turn) => (chatRoles as ReadonlyArray<string>).includes(turn.role))
  );
}

export const promptStyles = ["explicit", "implicit"] as const;
export type PromptStyle = (typeof promptStyles)[number];

/** An item with a final label, as the export sees it. */
export interface ExportItem {
  externalId: string;
  prompt: Prompt;
  responses: ReadonlyArray<ItemResponse>;
  /** The expertise area annotators are chosen by, when the item has one. */
  domain?: string;
  metadata: Record<string, unknown>;
  source: "published" | "consensus";
  label: Label;
  /** For published items: the latest version, its rationale and when it was published. */
  version?: number;
  rationale?: string | null;
  publishedAt?: string;
  /**
   * The independent labels that count, with the annotator as the viewer may see them, and their
   * level (junior, expert, or null when not set) where the viewer sees annotators' identities.
   * Where the viewer sees annotators' emails, each label has its submission time and its
   * working time when one was recorded, which an import of the export keeps.
   */
  annotations: ReadonlyArray<{
    annotator: string;
    level?: string | null;
    label: unknown;
    submittedAt?: string;
    durationMs?: number;
  }>;
}

/**
 * A final label as exported: the same shape whether it was published from a room or settled by
 * consensus. A room gives each span an id so that editors can address it; the id means nothing
 * outside the room, and a consensus span never has one, so it is left out. A room's text box
 * left empty holds "", where a consensus has no value at all: both are exported without one.
 */
export function exportedLabel(template: Template, label: Label): Label {
  const exported: Label = { ...label };
  for (const field of template.fields) {
    const value = ownEntry(exported, field.id);
    if ((field.type === "text" || field.type === "rewrite") && value === "") {
      delete exported[field.id];
    }
    if (field.type !== "spans" || !Array.isArray(value)) continue;
    exported[field.id] = (value as SpanAnnotation[]).map(({ id: _roomId, ...span }) => span);
  }
  return exported;
}

export type SignalField = Extract<TemplateField, { type: "preference" | "ranking" | "rating" }>;

/** Which field types each format draws its signal from, in order of preference. */
const signalTypes: Record<PreferenceFormat, ReadonlyArray<SignalField["type"]>> = {
  dpo: ["preference", "ranking"],
  reward: ["preference", "ranking"],
  "openai-dpo": ["preference", "ranking"],
  kto: ["preference", "ranking", "rating"],
};

export type SignalFieldChoice =
  { ok: true; field: SignalField | null } | { ok: false; message: string };

/**
 * The field a format reads: the one named, or by default the template's first field of the most
 * preferred type (the first preference field, else the first ranking field, else for kto the
 * first rating field). jsonl, csv and label-studio export whole labels and read none.
 */
export function signalFieldFor(
  template: Template,
  format: ExportFormat,
  fieldId?: string,
): SignalFieldChoice {
  if (format === "jsonl" || format === "csv" || format === "label-studio") {
    return { ok: true, field: null };
  }
  const types = signalTypes[format];
  const accepts = (field: TemplateField): field is SignalField =>
    (types as ReadonlyArray<string>).includes(field.type);
  const allowed = types.join(", ");
  if (fieldId !== undefined) {
    const field = template.fields.find((candidate) => candidate.id === fieldId);
    if (!field) return { ok: false, message: `the template has no field "${fieldId}"` };
    if (!accepts(field)) {
      return {
        ok: false,
        message: `"${fieldId}" is a ${field.type} field; ${format} reads a field of type ${allowed}`,
      };
    }
    return { ok: true, field };
  }
  for (const type of types) {
    const field = template.fields.find((candidate) => candidate.type === type);
    if (field && accepts(field)) return { ok: true, field };
  }
  return { ok: false, message: `the template has no field of type ${allowed} for ${format}` };
}

export interface PreferencePair {
  chosen: ItemResponse;
  rejected: ItemResponse;
  /** How strongly `chosen` is preferred: the preference's magnitude, or the ranks between. */
  margin: number;
}

/**
 * The pairs a final label states. A preference compares the item's first two responses:
 * negative prefers the first, positive the second, by `|value|` (1 slightly, 2 clearly); 0 is a
 * tie and states no pair. A ranking states every ordered pair, each higher-ranked response over
 * each lower-ranked one, with the difference of their positions as margin. Items with fewer than
 * two responses, or without a value, state none.
 */
export function preferencePairs(field: SignalField, item: ExportItem): PreferencePair[] {
  const value = ownEntry(item.label, field.id);
  if (field.type === "preference") {
    if (typeof value !== "number" || value === 0 || item.responses.length !== 2) return [];
    const [first, second] = item.responses as [ItemResponse, ItemResponse];
    return value < 0
      ? [{ chosen: first, rejected: second, margin: -value }]
      : [{ chosen: second, rejected: first, margin: value }];
  }
  if (field.type === "ranking") {
    if (!Array.isArray(value)) return [];
    const byId = new Map(item.responses.map((response) => [response.id, response]));
    const ranked = (value as unknown[])
      .map((id) => (typeof id === "string" ? byId.get(id) : undefined))
      .filter((response): response is ItemResponse => response !== undefined);
    const pairs: PreferencePair[] = [];
    for (let better = 0; better < ranked.length; better++) {
      for (let worse = better + 1; worse < ranked.length; worse++) {
        pairs.push({ chosen: ranked[better]!, rejected: ranked[worse]!, margin: worse - better });
      }
    }
    return pairs;
  }
  return [];
}

/**
 * Unpaired judgements for kto. From a preference or ranking, the preferred (top-ranked) response
 * is desirable and the other (bottom-ranked) one not; responses ranked in between and ties say
 * nothing. A rating judges the item as a whole, so it speaks for a response only when the item
 * has exactly one: desirable at or above the scale's midpoint, `(min + max) / 2`.
 */
export function unpairedJudgements(
  field: SignalField,
  item: ExportItem,
): Array<{ response: ItemResponse; desirable: boolean }> {
  if (field.type === "rating") {
    const value = ownEntry(item.label, field.id);
    if (typeof value !== "number" || item.responses.length !== 1) return [];
    return [{ response: item.responses[0]!, desirable: value >= (field.min + field.max) / 2 }];
  }
  const pairs = preferencePairs(field, item);
  if (pairs.length === 0) return [];
  const best = pairs[0]!.chosen;
  const worst = pairs[pairs.length - 1]!.rejected;
  return [
    { response: best, desirable: true },
    { response: worst, desirable: false },
  ];
}

function isConversation(prompt: Prompt): prompt is ConversationTurn[] {
  return Array.isArray(prompt);
}

/** A response as TRL pairs it with the prompt: text, or one assistant message. */
function completion(prompt: Prompt, response: ItemResponse): string | ConversationTurn[] {
  return isConversation(prompt) ? [{ role: "assistant", content: response.text }] : response.text;
}

/** The prompt as chat messages: a string prompt is one user message. */
function promptMessages(prompt: Prompt): ConversationTurn[] {
  return isConversation(prompt) ? prompt : [{ role: "user", content: prompt }];
}

/** A response with the prompt in front of it, for the implicit prompt style. */
function withPrompt(prompt: Prompt, response: ItemResponse): string | ConversationTurn[] {
  return isConversation(prompt)
    ? [...prompt, { role: "assistant", content: response.text }]
    : `${prompt}\n\n${response.text}`;
}

/**
 * The records of one item in a line format; csv is written by `csvHeader` and `csvRow`, and
 * label-studio by `labelStudioTask`. The preference formats give none for an item whose
 * conversation has a role outside `chatRoles`.
 */
export function exportRecords(
  format: Exclude<ExportFormat, "csv" | "label-studio">,
  field: SignalField | null,
  item: ExportItem,
  promptStyle: PromptStyle = "explicit",
): Array<Record<string, unknown>> {
  if (format === "jsonl") {
    return [
      {
        externalId: item.externalId,
        prompt: item.prompt,
        responses: item.responses,
        ...(item.domain === undefined ? {} : { domain: item.domain }),
        label: item.label,
        source: item.source,
        ...(item.version === undefined ? {} : { version: item.version }),
        ...(item.rationale === undefined || item.rationale === null
          ? {}
          : { rationale: item.rationale }),
        ...(item.publishedAt === undefined ? {} : { publishedAt: item.publishedAt }),
        annotations: item.annotations,
        metadata: item.metadata,
      },
    ];
  }
  if (!field || !hasOnlyChatRoles(item.prompt)) return [];
  switch (format) {
    case "dpo":
    case "reward":
      return preferencePairs(field, item).map((pair) => ({
        externalId: item.externalId,
        ...(promptStyle === "explicit"
          ? {
              prompt: item.prompt,
              chosen: completion(item.prompt, pair.chosen),
              rejected: completion(item.prompt, pair.rejected),
            }
          : {
              chosen: withPrompt(item.prompt, pair.chosen),
              rejected: withPrompt(item.prompt, pair.rejected),
            }),
        ...(format === "reward" ? { margin: pair.margin } : {}),
      }));
    case "openai-dpo":
      return preferencePairs(field, item).map((pair) => ({
        input: { messages: promptMessages(item.prompt) },
        preferred_output: [{ role: "assistant", content: pair.chosen.text }],
        non_preferred_output: [{ role: "assistant", content: pair.rejected.text }],
      }));
    case "kto":
      return unpairedJudgements(field, item).map((judgement) => ({
        externalId: item.externalId,
        prompt: item.prompt,
        completion: completion(item.prompt, judgement.response),
        label: judgement.desirable,
      }));
  }
}

/** One NDJSON line: JSON text never contains a raw newline, so each record is one line. */
/**
 * Line and paragraph separators a JSON string may hold raw, but that many line readers split a
 * line at (Python's `str.splitlines`, editors): written as escapes, which parse the same.
 */
const LINE_BREAKING = /[\u0085\u2028\u2029]/g;

export function ndjsonLine(record: unknown): string {
  const json = JSON.stringify(record).replace(
    LINE_BREAKING,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${json}\n`;
}

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list). A
 * text cell starting with one is written with a leading apostrophe, which spreadsheets show as
 * text and do not evaluate; numbers are written as they are, so `-2` stays a number. A text that
 * starts with an apostrophe of its own gets one too: spreadsheets would hide its first one, and
 * a reader could not tell it from an added one. Removing one leading apostrophe from any text
 * cell that has one gives the text back.
 */
const NEEDS_APOSTROPHE = /^[=+\-@\t\r']/;

function csvCell(value: unknown): string {
  const text =
    value === undefined || value === null
      ? ""
      : typeof value === "string"
        ? NEEDS_APOSTROPHE.test(value)
          ? `'${value}`
          : value
        : typeof value === "number" || typeof value === "boolean"
          ? String(value)
          : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(cells: ReadonlyArray<unknown>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** A prompt as a spreadsheet cell: the text, or a conversation's turns as `role: content`. */
function promptText(prompt: Prompt): string {
  return typeof prompt === "string"
    ? prompt
    : prompt.map((turn) => `${turn.role}: ${turn.content}`).join("\n\n");
}

/**
 * Label columns are prefixed so that a field called `source` or `version` cannot clash. The
 * content columns come first: `prompt`, then `responses` as JSON (`[{ id, text, model? }]`,
 * since items differ in how many they have), and the published version's `rationale`.
 */
export function csvHeader(template: Template): string {
  return csvLine([
    "externalId",
    "source",
    "version",
    "prompt",
    "responses",
    "rationale",
    ...template.fields.map((field) => `label.${field.id}`),
  ]);
}

/** Strings and numbers as they are, lists and spans as JSON, absent values empty. */
export function csvRow(template: Template, item: ExportItem): string {
  return csvLine([
    item.externalId,
    item.source,
    item.version,
    promptText(item.prompt),
    item.responses,
    item.rationale,
    ...template.fields.map((field) => ownEntry(item.label, field.id)),
  ]);
}

/** `<project-slug>-<format>.<jsonl|csv|json>`, the slug from the project's name. */
export function exportFileName(projectName: string, projectId: number, format: ExportFormat) {
  const slug = projectName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  const extension = format === "csv" ? "csv" : format === "label-studio" ? "json" : "jsonl";
  return `${slug || `project-${projectId}`}-${format}.${extension}`;
}
