import type { z } from "zod";

/**
 * What Quorum accepts as text, in every input: any Unicode scalar value except the C0 control
 * characters other than tab, line feed and carriage return, which is the character set of
 * XML 1.0. PostgreSQL refuses U+0000 in `text` and `jsonb`; an unpaired surrogate is not a
 * character at all and would be stored as U+FFFD or refused by `jsonb`; the other C0 controls
 * are invisible, cannot be typed, and break the exports and terminals that text ends up in.
 * DEL and the C1 controls (U+007F–U+009F) stay allowed: PostgreSQL stores them, and they occur
 * in real text decoded with the wrong legacy encoding, which is better kept than refused.
 */
export interface InvalidCharacter {
  /** Offset of the character in UTF-16 code units, from 0. */
  index: number;
  /** The code unit: a control character or an unpaired surrogate. */
  codeUnit: number;
}

/** A place in a JSON value: object keys and array positions from the root. */
export type TextPath = ReadonlyArray<string | number>;

export interface InvalidText {
  path: TextPath;
  /** The problem is in the object key at the end of `path`, not in its value. */
  inKey: boolean;
  message: string;
}

/** At most this many problems are reported for one value: enough to act on, bounded in size. */
export const MAX_REPORTED_INVALID_TEXT = 20;

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const HIGH_SURROGATE_FIRST = 0xd800;
const HIGH_SURROGATE_LAST = 0xdbff;
const LOW_SURROGATE_FIRST = 0xdc00;
const LOW_SURROGATE_LAST = 0xdfff;

function isLowSurrogate(unit: number): boolean {
  return unit >= LOW_SURROGATE_FIRST && unit <= LOW_SURROGATE_LAST;
}

// eslint-disable-next-line no-control-regex -- control characters are what this rule is about
const refusedControl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** `String.prototype.isWellFormed` (ES2024): in Node 20, and in browsers since 2023. */
interface MaybeWellFormed {
  isWellFormed?: () => boolean;
}

/**
 * The fast path: the regular expression and the engine's own well-formedness check are several
 * times quicker than a loop in JavaScript, which matters for imports of millions of characters.
 */
function isPlainlyClean(text: string): boolean {
  return !refusedControl.test(text) && (text as MaybeWellFormed).isWellFormed?.() === true;
}

/** The first character of `text` that Quorum does not accept, or null when all are fine. */
export function findInvalidCharacter(text: string): InvalidCharacter | null {
  if (isPlainlyClean(text)) return null;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x20) {
      if (unit !== TAB && unit !== LINE_FEED && unit !== CARRIAGE_RETURN) {
        return { index, codeUnit: unit };
      }
    } else if (unit >= HIGH_SURROGATE_FIRST && unit <= LOW_SURROGATE_LAST) {
      if (unit <= HIGH_SURROGATE_LAST && isLowSurrogate(text.charCodeAt(index + 1))) {
        index += 1;
      } else {
        return { index, codeUnit: unit };
      }
    }
  }
  return null;
}

export function isCleanText(text: string): boolean {
  return findInvalidCharacter(text) === null;
}

function hex(unit: number): string {
  return `U+${unit.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why the character cannot be accepted, for an error message about one field. */
export function describeInvalidCharacter({ index, codeUnit }: InvalidCharacter): string {
  return codeUnit < 0x20
    ? `contains the control character ${hex(codeUnit)} at index ${index}; text may contain no control characters other than tab, line feed and carriage return`
    : `contains an unpaired surrogate ${hex(codeUnit)} at index ${index}; text must be valid Unicode`;
}

/** A value met on the walk, with the way back to the root (paths are built only when needed). */
interface Visit {
  value: unknown;
  parent: Visit | null;
  step: string | number | null;
  /** Set when the key `step` itself is refused: the value under it is not looked at. */
  invalidKey?: InvalidCharacter;
}

function pathOf(visit: Visit): TextPath {
  const path: Array<string | number> = [];
  for (let at: Visit | null = visit; at && at.step !== null; at = at.parent) path.push(at.step);
  return path.reverse();
}

/**
 * Every string in a JSON-like value (object keys included) that holds a character Quorum does
 * not accept, in document order, up to `limit`. The walk keeps its own stack, so a deeply
 * nested value can neither overflow the call stack nor cost more than its size.
 */
export function findInvalidText(
  value: unknown,
  limit: number = MAX_REPORTED_INVALID_TEXT,
): InvalidText[] {
  const found: InvalidText[] = [];
  const pending: Visit[] = [{ value, parent: null, step: null }];
  while (pending.length > 0 && found.length < limit) {
    const visit = pending.pop()!;
    const current = visit.value;
    if (visit.invalidKey) {
      found.push({
        path: pathOf(visit),
        inKey: true,
        message: `the key ${describeInvalidCharacter(visit.invalidKey)}`,
      });
    } else if (typeof current === "string") {
      const invalid = findInvalidCharacter(current);
      if (invalid) {
        found.push({
          path: pathOf(visit),
          inKey: false,
          message: describeInvalidCharacter(invalid),
        });
      }
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        pending.push({ value: current[index], parent: visit, step: index });
      }
    } else if (current !== null && typeof current === "object") {
      const keys = Object.keys(current);
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index];
        const invalidKey = findInvalidCharacter(key) ?? undefined;
        const child = (current as Record<string, unknown>)[key];
        pending.push({ value: child, parent: visit, step: key, invalidKey });
      }
    }
  }
  return found;
}

/**
 * A path as the error details name fields: dot-separated, "(root)" for the value itself. The
 * refused characters themselves are written as `\uXXXX`, so that the name can be shown and
 * stored anywhere.
 */
export function formatTextPath(path: TextPath, prefix = ""): string {
  const parts = [prefix, ...path.map((part) => escapeInvalidCharacters(String(part)))].filter(
    (part) => part.length > 0,
  );
  return parts.length === 0 ? "(root)" : parts.join(".");
}

/** `text` with each character Quorum does not accept written as a `\uXXXX` escape. */
export function escapeInvalidCharacters(text: string): string {
  let escaped = "";
  let rest = text;
  for (let invalid = findInvalidCharacter(rest); invalid; invalid = findInvalidCharacter(rest)) {
    escaped += `${rest.slice(0, invalid.index)}\\u${invalid.codeUnit.toString(16).padStart(4, "0")}`;
    rest = rest.slice(invalid.index + 1);
  }
  return escaped + rest;
}

/**
 * Adds the clean-text rule to a zod schema: every string in the parsed value, keys included,
 * must be clean, and each one that is not becomes an issue at its own path.
 */
export function withCleanText<Schema extends z.ZodType>(schema: Schema): Schema {
  return schema.superRefine((value, context) => {
    for (const problem of findInvalidText(value)) {
      context.addIssue({ code: "custom", path: [...problem.path], message: problem.message });
    }
  }) as unknown as Schema;
}
