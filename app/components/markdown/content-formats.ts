import type { LimitExceeded } from "./limits.ts";

/**
 * Why a field is shown as plain text: over a limit, or not formatted in time for this page (the
 * server's markdown workers were busy or the field is still being formatted).
 */
export type PlainReason = LimitExceeded | "not-ready";

export type ContentFormat = "markdown" | PlainReason;

/** What the server made of one field for the page it renders. */
export type PreparedContent = { format: "markdown"; html: string } | { format: PlainReason };

/**
 * What the browser learns from a page's loader: the format of each field, by contentDigest of
 * its text. A field not listed is shown as plain text, so the browser never parses text the
 * server did not format.
 */
export type ContentFormats = Record<string, ContentFormat>;

export const plainTextNotices: Record<PlainReason, string> = {
  "too-large": "Shown as plain text: too large to format.",
  "too-complex": "Shown as plain text: too complex to format.",
  "not-ready": "Shown as plain text: formatting is not ready yet.",
};

/**
 * A short digest of a text (cyrb53, 53 bits) that the server and the browser compute alike,
 * synchronously. It is not collision-resistant; adding formats with addContentFormat keeps a
 * collision harmless: the two texts are shown as plain text.
 */
export function contentDigest(text: string): string {
  let first = 0xdeadbeef ^ text.length;
  let second = 0x41c6ce57 ^ text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 2654435761);
    second = Math.imul(second ^ code, 1597334677);
  }
  first = Math.imul(first ^ (first >>> 16), 2246822507);
  first ^= Math.imul(second ^ (second >>> 13), 3266489909);
  second = Math.imul(second ^ (second >>> 16), 2246822507);
  second ^= Math.imul(first ^ (first >>> 13), 3266489909);
  return (4294967296 * (2097151 & second) + (first >>> 0)).toString(36);
}

/** Records a field's format; when two texts share a digest, plain text wins. */
export function addContentFormat(formats: ContentFormats, text: string, format: ContentFormat) {
  const digest = contentDigest(text);
  const known = formats[digest];
  formats[digest] =
    known === undefined || known === format || format !== "markdown" ? format : known;
}
