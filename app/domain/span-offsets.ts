import {
  ownEntry,
  type Label,
  type ResponseRef,
  type SpanAnnotation,
  type Template,
} from "./template.ts";

/**
 * What span offsets mean, in one place. A span `[start, end)` indexes the text of its response
 * in UTF-16 code units, as JavaScript strings, browser selections, Java and C# count (Python
 * counts code points, which differ for every character beyond U+FFFF: emoji, CJK extension B,
 * mathematical letters); `end` is exclusive, and the span's `text` is exactly
 * `responseText.slice(start, end)`. A span never splits a character: neither offset may fall
 * between the two code units of a surrogate pair.
 */
export const OFFSET_UNIT = "UTF-16 code units";

/** The message that tells a client counting code points what went wrong. */
export const CODE_POINT_HINT = "offsets look like code points; Quorum counts UTF-16 code units";

/**
 * How much the spans of one label may quote in all, in UTF-16 code units, each overlap counted
 * again: `QUOTES_PER_CHARACTER` times the length of the item's responses together, at least
 * `MIN_QUOTE_LIMIT` and at most `MAX_QUOTE_LIMIT`. The server fills in every span's quote, so a
 * span costs its client some 80 bytes whatever it covers: without a limit, 1,000 spans over a
 * 50,000-character response, an 81 kB request, were stored as a 50 MB label, sent back, put into
 * the adjudication room and re-read by everyone who opened the item. Four times the responses is
 * far more than marking errors takes (a few dozen spans, some overlapping or nested); the floor
 * leaves room for many small spans on a short response; the ceiling, twice the longest response
 * an item may have (item.ts), bounds every label at 400,000 code units of quotes, at most 1.2 MB
 * as UTF-8 JSON (3 bytes per code unit, for CJK), whatever the item.
 */
export const QUOTES_PER_CHARACTER = 4;
export const MIN_QUOTE_LIMIT = 10_000;
export const MAX_QUOTE_LIMIT = 400_000;

/** The most the spans of a label on an item with these responses may quote in all. */
export function quoteLimit(responses: ReadonlyArray<{ text: string }>): number {
  const length = responses.reduce((total, response) => total + response.text.length, 0);
  return Math.min(MAX_QUOTE_LIMIT, Math.max(MIN_QUOTE_LIMIT, QUOTES_PER_CHARACTER * length));
}

/** How every message about a label whose spans quote too much starts. */
export const QUOTE_LIMIT_HINT = "the spans of a label may together quote at most";

function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** What is wrong with a label whose spans quote `quoted` code units, over `limit`. */
export function quoteLimitMessage(quoted: number, limit: number): string {
  return (
    `${QUOTE_LIMIT_HINT} ${count(limit)} characters (${OFFSET_UNIT}), each overlap counted again: ` +
    `${QUOTES_PER_CHARACTER} times the item's responses, at least ${count(MIN_QUOTE_LIMIT)} and at ` +
    `most ${count(MAX_QUOTE_LIMIT)}; these quote ${count(quoted)}`
  );
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Whether `offset` falls between the two code units of a surrogate pair in `text`. */
function splitsSurrogatePair(text: string, offset: number): boolean {
  return (
    offset > 0 &&
    offset < text.length &&
    isHighSurrogate(text.charCodeAt(offset - 1)) &&
    isLowSurrogate(text.charCodeAt(offset))
  );
}

/** Whether `offset` is a place between two characters of `text` (or at either end). */
export function isCharacterBoundary(text: string, offset: number): boolean {
  return (
    Number.isInteger(offset) &&
    offset >= 0 &&
    offset <= text.length &&
    !splitsSurrogatePair(text, offset)
  );
}

/**
 * The UTF-16 offset of every code point boundary of a text, so that offsets counted in code
 * points can be translated in constant time. Built once per response, on first need.
 */
export class CodePointOffsets {
  private readonly offsets: Uint32Array;

  constructor(text: string) {
    const offsets = new Uint32Array(text.length + 1);
    let count = 0;
    for (let index = 0; index < text.length; index++) {
      if (!splitsSurrogatePair(text, index)) offsets[count++] = index;
    }
    offsets[count++] = text.length;
    this.offsets = offsets.subarray(0, count);
  }

  /** The number of code points. */
  get length(): number {
    return this.offsets.length - 1;
  }

  /** The UTF-16 offset of code point offset `codePoint`, or undefined past the end. */
  codeUnitOffset(codePoint: number): number | undefined {
    return codePoint >= 0 && codePoint < this.offsets.length ? this.offsets[codePoint] : undefined;
  }
}

export interface SpanOffsetProblem {
  /** The key of the span the problem is in. */
  field: "start" | "end" | "text";
  message: string;
}

const EXCERPT_LENGTH = 60;

/** A piece of text to quote in a message: short, and never ending inside a character. */
function excerpt(text: string): string {
  if (text.length <= EXCERPT_LENGTH) return JSON.stringify(text);
  const cut = splitsSurrogatePair(text, EXCERPT_LENGTH) ? EXCERPT_LENGTH - 1 : EXCERPT_LENGTH;
  return `${JSON.stringify(text.slice(0, cut)).slice(0, -1)}…"`;
}

function pairSplitMessage(text: string, key: "start" | "end", offset: number): string {
  return (
    `${key} ${offset} falls inside the character ${JSON.stringify(text.slice(offset - 1, offset + 1))} ` +
    `(a surrogate pair, code units ${offset - 1}–${offset + 1}); offsets count ${OFFSET_UNIT} ` +
    `and a span may not split a character: use ${offset - 1} or ${offset + 1}`
  );
}

/**
 * What is wrong with a span's offsets, and its quoted `text` when it has one, against the text
 * of its response: an empty or reversed range, an offset outside the text or inside a surrogate
 * pair, a `text` other than the slice. When `text` is the slice at the offsets read as code
 * points, the one problem reported says so, with the offsets to use. `codePoints` is asked for
 * only then, so that a caller checking many spans of one response can build it once.
 */
export function spanOffsetProblems(
  responseText: string,
  span: { start: number; end: number; text?: string },
  codePoints: () => CodePointOffsets = () => new CodePointOffsets(responseText),
): SpanOffsetProblem[] {
  const { start, end, text } = span;
  const problems: SpanOffsetProblem[] = [];
  for (const [key, offset] of [
    ["start", start],
    ["end", end],
  ] as const) {
    if (!Number.isInteger(offset) || offset < 0) {
      problems.push({ field: key, message: `${key} must be a whole number, 0 or more` });
    }
  }
  if (problems.length > 0) return problems;
  if (start >= end) {
    problems.push({ field: "end", message: "start must be below end" });
  }
  if (end > responseText.length) {
    problems.push({
      field: "end",
      message: `end must not exceed the response length (${responseText.length}), counted in ${OFFSET_UNIT}`,
    });
  }
  for (const [key, offset] of [
    ["start", start],
    ["end", end],
  ] as const) {
    if (splitsSurrogatePair(responseText, offset)) {
      problems.push({ field: key, message: pairSplitMessage(responseText, key, offset) });
    }
  }
  if (text === undefined) return problems;
  const slice = problems.length === 0 ? responseText.slice(start, end) : undefined;
  if (slice === text) return problems;

  const asCodePoints = codePoints();
  const from = asCodePoints.codeUnitOffset(start);
  const to = asCodePoints.codeUnitOffset(end);
  if (
    from !== undefined &&
    to !== undefined &&
    from < to &&
    responseText.slice(from, to) === text
  ) {
    return [
      {
        field: "text",
        message: `${CODE_POINT_HINT}: ${excerpt(text)} is at start ${from}, end ${to}`,
      },
    ];
  }
  if (slice !== undefined) {
    problems.push({
      field: "text",
      message: `${excerpt(text)} is not the response text at ${start}–${end}, which reads ${excerpt(slice)}`,
    });
  }
  return problems;
}

/**
 * A span with its `text` quoted from the response: for spans stored before every span carried
 * one, and for positions no schema checked (room votes). Null when the offsets do not lie inside
 * the text, or (unless `widen`) split a character; with `widen`, offsets inside a surrogate pair
 * move out to the whole character, since half a character cannot be quoted.
 */
export function quoteSpan<Span extends { start: number; end: number }>(
  span: Span,
  responseText: string,
  widen: boolean,
): (Span & { text: string }) | null {
  const { start, end } = span;
  if (!Number.isInteger(start) || !Number.isInteger(end)) return null;
  if (start < 0 || start >= end || end > responseText.length) return null;
  const splitStart = splitsSurrogatePair(responseText, start);
  const splitEnd = splitsSurrogatePair(responseText, end);
  if ((splitStart || splitEnd) && !widen) return null;
  const from = splitStart ? start - 1 : start;
  const to = splitEnd ? end + 1 : end;
  return { ...span, start: from, end: to, text: responseText.slice(from, to) };
}

export interface QuotedLabel {
  label: Label;
  /** Spans whose `text` was added or corrected. */
  quoted: number;
  /** Of those, spans whose offsets split a character and were widened to it. */
  widened: number;
  /** Spans left without a correct `text`: unknown response, offsets outside it or splitting a character. */
  unquoted: number;
  /** Spans left as they were because their quotes would take the label's past `quoteLimit`. */
  overLimit: number;
}

function isSpanLike(value: unknown): value is SpanAnnotation & { text?: unknown } {
  if (typeof value !== "object" || value === null) return false;
  const span = value as Record<string, unknown>;
  return (
    typeof span.responseId === "string" &&
    typeof span.start === "number" &&
    typeof span.end === "number"
  );
}

/**
 * Every span of a label's `spans` fields with its quoted `text` (`quoteSpan`), in field and span
 * order until the quotes reach the label's `quoteLimit`; spans that cannot be quoted, those past
 * the limit and every other value are left as they are. So quoting a label that no schema
 * checked (a room vote, a label stored before spans carried their text) adds at most the limit.
 */
export function quoteLabelSpans(
  template: Template,
  label: Label,
  responses: ReadonlyArray<ResponseRef>,
  options: { widen: boolean },
): QuotedLabel {
  const texts = new Map(responses.map((response) => [response.id, response.text]));
  const result: Label = { ...label };
  let quoted = 0;
  let widened = 0;
  let unquoted = 0;
  let overLimit = 0;
  const limit = quoteLimit(responses);
  let quotedLength = 0;
  for (const field of template.fields) {
    const value = ownEntry(label, field.id);
    if (field.type !== "spans" || !Array.isArray(value)) continue;
    result[field.id] = (value as unknown[]).map((span) => {
      if (!isSpanLike(span)) return span;
      const text = texts.get(span.responseId);
      const quote = text === undefined ? null : quoteSpan(span, text, options.widen);
      if (!quote) {
        unquoted++;
        return span;
      }
      if (quotedLength + quote.text.length > limit) {
        overLimit++;
        return span;
      }
      quotedLength += quote.text.length;
      const moved = quote.start !== span.start || quote.end !== span.end;
      if (moved || quote.text !== span.text) quoted++;
      if (moved) widened++;
      return quote;
    }) as SpanAnnotation[];
  }
  return { label: result, quoted, widened, unquoted, overLimit };
}

/** The character (code point) at, or ending at, a UTF-16 offset of `text`. */
function codePointAt(text: string, offset: number): string {
  return String.fromCodePoint(text.codePointAt(offset)!);
}

function codePointBefore(text: string, offset: number): string {
  const start = splitsSurrogatePair(text, offset - 1) ? offset - 2 : offset - 1;
  return text.slice(start, offset);
}

const SPACE = /^[\s\u200b-\u200d\u2060\ufeff]$/u;
const TERMINAL = /^\p{Terminal_Punctuation}$/u;
/** Dashes other than the hyphen-minus, which starts options (`--force`) and numbers (`-5`). */
const DASH = /^(?!-)\p{Pd}$/u;
const OPENING = /^[\p{Ps}\p{Pi}\p{Pf}"']$/u;
const CLOSING = /^[\p{Pe}\p{Pi}\p{Pf}"']$/u;
const WORD = /^[\p{L}\p{N}]$/u;
const PUNCTUATION_ONLY = /^[\s\p{P}\u200b-\u200d\u2060\ufeff]*$/u;

/**
 * The span a selection `[start, end)` of `text` marks: without the whitespace and punctuation
 * around it, which selecting by word or by mouse picks up (" test is." marks "test is"), and
 * never splitting a character. Trimmed at either end: whitespace, dashes other than `-`,
 * sentence punctuation (`\p{Terminal_Punctuation}`: `. , ; : ! ?` and their counterparts in
 * other scripts) except a leading one stuck to the word after it (".5", ".env"), and quotes and
 * brackets with no partner inside the selection (`(word).` keeps its brackets, `word).` loses
 * both). Null when the selection holds nothing but whitespace and punctuation. Linear in the
 * selection's length.
 */
export function trimSelection(
  text: string,
  start: number,
  end: number,
): { start: number; end: number } | null {
  let from = Math.max(0, Math.min(text.length, Math.trunc(start)));
  let to = Math.max(0, Math.min(text.length, Math.trunc(end)));
  if (splitsSurrogatePair(text, from)) from--;
  if (splitsSurrogatePair(text, to)) to++;

  let lastClosing = -1;
  for (let index = from; index < to; index++) {
    if (CLOSING.test(text[index]!)) lastClosing = index;
  }
  while (from < to) {
    const character = codePointAt(text, from);
    const next = from + character.length < to ? codePointAt(text, from + character.length) : "";
    const drop =
      SPACE.test(character) ||
      DASH.test(character) ||
      (TERMINAL.test(character) && !WORD.test(next)) ||
      (CLOSING.test(character) && !OPENING.test(character)) ||
      (OPENING.test(character) && lastClosing <= from);
    if (!drop) break;
    from += character.length;
  }

  let firstOpening = to;
  for (let index = to - 1; index >= from; index--) {
    if (OPENING.test(text[index]!)) firstOpening = index;
  }
  while (to > from) {
    const character = codePointBefore(text, to);
    const at = to - character.length;
    const drop =
      SPACE.test(character) ||
      DASH.test(character) ||
      TERMINAL.test(character) ||
      (OPENING.test(character) && !CLOSING.test(character)) ||
      (CLOSING.test(character) && firstOpening >= at);
    if (!drop) break;
    to = at;
  }
  if (from >= to || PUNCTUATION_ONLY.test(text.slice(from, to))) return null;
  return { start: from, end: to };
}
