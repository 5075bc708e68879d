import { findInvalidCharacter } from "./clean-text.ts";

/**
 * `text` without the characters Quorum does not accept as text (clean-text.ts: the C0 controls
 * other than tab, line feed and carriage return, and unpaired surrogates; PostgreSQL refuses
 * U+0000 in `text` and `jsonb`, and `jsonb` unpaired surrogates).
 *
 * The API refuses such text with a 422 naming the field; a room cannot: what a participant
 * typed is already in the shared document, which is binary and stores it as it is. So the room's
 * text is cleaned where it leaves the document for a `text` or `jsonb` column (publishing,
 * approving), and a label is never refused for a character nobody can see.
 */
export function stripInvalidCharacters(text: string): string {
  let invalid = findInvalidCharacter(text);
  if (invalid === null) return text;
  let kept = "";
  let rest = text;
  while (invalid !== null) {
    kept += rest.slice(0, invalid.index);
    rest = rest.slice(invalid.index + 1);
    invalid = findInvalidCharacter(rest);
  }
  return kept + rest;
}

/** A JSON value with `stripInvalidCharacters` applied to every string in it, keys included. */
export function stripInvalidText<T>(value: T): T {
  if (typeof value === "string") return stripInvalidCharacters(value) as T;
  if (Array.isArray(value)) return value.map((entry: unknown) => stripInvalidText(entry)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [
        stripInvalidCharacters(key),
        stripInvalidText(entry),
      ]),
    ) as T;
  }
  return value;
}
