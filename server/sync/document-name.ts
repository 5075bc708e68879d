import { z } from "zod";
import { badRequest } from "../errors.ts";

/**
 * What a sync document is, decided by its name: an item's adjudication room (`item:<itemId>`)
 * or a lead's review of an annotation (`review:<annotationId>`). Nothing else exists: every
 * document belongs to a project, whose members alone may open it and whose roles decide who
 * writes what (docs/decisions/016-participant-keys.md).
 */
export type DocumentName =
  | { kind: "item"; name: string; itemId: number }
  | { kind: "review"; name: string; annotationId: number };

/** Row ids are PostgreSQL `integer`s; a larger id could only fail in the query. */
const rowId = z.coerce.number().int().positive().max(2_147_483_647);
const documentName = /^(item|review):([1-9][0-9]{0,9})$/;

/** Parses the `<docName>` of `/sync/<docName>` (still percent-encoded). Throws a 400. */
export function parseDocumentName(encoded: string): DocumentName {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw badRequest("The document name is not valid percent-encoding");
  }
  const match = documentName.exec(name);
  const id = rowId.safeParse(match?.[2]);
  if (!match || !id.success) {
    throw badRequest(
      "A sync document is named 'item:<itemId>' or 'review:<annotationId>', with a numeric id",
    );
  }
  return match[1] === "item"
    ? { kind: "item", name, itemId: id.data }
    : { kind: "review", name, annotationId: id.data };
}

/** The item id of an item room's name as parsed above (`item:42`); null for any other name. */
export function itemIdOf(name: string): number | null {
  const match = documentName.exec(name);
  return match?.[1] === "item" ? Number(match[2]) : null;
}
