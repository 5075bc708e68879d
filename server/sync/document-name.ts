import { z } from "zod";
import { badRequest } from "../errors.ts";

/**
 * What a sync document is, decided by its name: an item's adjudication room (`item:<itemId>`),
 * a lead's review of an annotation (`review:<annotationId>`), or a free-form document.
 */
export type DocumentName =
  | { kind: "item"; name: string; itemId: number }
  | { kind: "review"; name: string; annotationId: number }
  | { kind: "generic"; name: string };

/** Row ids are PostgreSQL `integer`s; a larger id could only fail in the query. */
const rowId = z.coerce.number().int().positive().max(2_147_483_647);
const genericName = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const reservedPrefixes = new Set(["item", "review"]);

/** Parses the `<docName>` of `/sync/<docName>` (still percent-encoded). Throws a 400. */
export function parseDocumentName(encoded: string): DocumentName {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw badRequest("The document name is not valid percent-encoding");
  }
  if (!genericName.test(name)) {
    throw badRequest(
      "A document name is 1 to 200 characters of letters, digits, '.', '_', ':' and '-'",
    );
  }
  const [prefix, id, ...rest] = name.split(":");
  if (!reservedPrefixes.has(prefix)) return { kind: "generic", name };
  const parsedId = rowId.safeParse(id);
  if (rest.length > 0 || !/^[1-9][0-9]*$/.test(id ?? "") || !parsedId.success) {
    throw badRequest(`A '${prefix}:' document is named '${prefix}:<id>' with a numeric id`);
  }
  return prefix === "item"
    ? { kind: "item", name, itemId: parsedId.data }
    : { kind: "review", name, annotationId: parsedId.data };
}
