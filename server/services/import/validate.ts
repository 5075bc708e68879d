import { canonicalJson } from "../../../app/domain/canonical-json.ts";
import { findInvalidText, formatTextPath } from "../../../app/domain/clean-text.ts";
import { itemInputSchema, type ItemInput } from "../../../app/domain/item.ts";
import { labelSchemaFor, type Label, type Template } from "../../../app/domain/template.ts";
import { itemContentHash } from "../seed.ts";
import { isRecord, issuePath, type ImportRow, type RowError } from "./rows.ts";

export interface ValidItem {
  /** The item's first row: later rows with its externalId add their annotations to it. */
  row: number;
  item: ItemInput;
  contentHash: string;
  gold: Label | undefined;
  annotations: Array<{
    /** Where the annotation is in the file, for the errors found about it later. */
    row: number;
    position: number;
    annotator: string;
    label: Label;
    submittedAt?: string;
    durationMs?: number;
  }>;
}

export interface ValidatedRows {
  /** One per distinct externalId, in file order. */
  items: ValidItem[];
  /** Rows of an item already on an earlier row, merged into it: they create no item. */
  repeated: number;
  errors: RowError[];
}

/** The response an HH-RLHF row chose, as its metadata records it. */
export function chosenOf(metadata: unknown): string | null {
  if (!isRecord(metadata) || !("chosen" in metadata)) return null;
  return typeof metadata.chosen === "string" ? metadata.chosen : null;
}

const pairFieldTypes = new Set(["preference", "ranking"]);

/**
 * Checks every row against the item schema and the project's template, and every externalId
 * against the rest of the file, collecting all problems rather than stopping at the first.
 *
 * Rows with the same externalId are one item, taken as if each row were imported after the
 * earlier ones, so that one file and several give the same result: a later row must have the
 * same prompt and responses (and chosen response), adds the annotations of annotators the item
 * has none from, repeats the same label or is refused, and leaves the first row's metadata,
 * domain and gold label as they are.
 */
export function validateRows(
  rows: ReadonlyArray<ImportRow>,
  project: { id: number; template: Template },
  onRow?: (done: number) => void,
): ValidatedRows {
  const errors: RowError[] = [];
  const items: ValidItem[] = [];
  const byExternalId = new Map<
    string,
    { row: number; item: ItemInput; contentHash: string; valid: ValidItem | undefined }
  >();
  const pairField = project.template.fields.find((field) => pairFieldTypes.has(field.type));
  let repeated = 0;

  rows.forEach(({ row, value }, index) => {
    if (index % 1000 === 999) onRow?.(index + 1);
    const rowErrors: RowError[] = [];
    const fail = (field: string, message: string) => rowErrors.push({ row, field, message });
    let candidate = value;
    if (isRecord(value) && "projectId" in value) {
      if (value.projectId !== project.id) {
        fail(
          "projectId",
          `the item belongs to project ${String(value.projectId)}, not to project ${project.id} that it is being imported into; remove projectId to copy it`,
        );
      }
      const { projectId: _projectId, ...rest } = value;
      candidate = rest;
    }
    // Text the database cannot store, or that no one should find in an item, is named field by
    // field in every format, before the item's shape is checked.
    const invalidText = findInvalidText(candidate);
    if (invalidText.length > 0) {
      for (const problem of invalidText) fail(formatTextPath(problem.path), problem.message);
      errors.push(...rowErrors);
      return;
    }
    const parsed = itemInputSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) fail(issuePath("", issue.path), issue.message);
      errors.push(...rowErrors);
      return;
    }
    const item = parsed.data;
    if (pairField && item.responses.length < 2) {
      fail(
        "responses",
        `the template's ${pairField.type} field "${pairField.id}" compares responses: an item needs at least 2, this one has ${item.responses.length}`,
      );
    }

    let gold: Label | undefined;
    const annotations: ValidItem["annotations"] = [];
    if (item.gold || item.annotations) {
      const labelSchema = labelSchemaFor(project.template, item.responses);
      if (item.gold) {
        const checked = labelSchema.safeParse(item.gold.label);
        if (checked.success) gold = checked.data;
        for (const issue of checked.error?.issues ?? []) {
          fail(issuePath("gold.label", issue.path), issue.message);
        }
      }
      const annotators = new Set<string>();
      item.annotations?.forEach((annotation, position) => {
        if (annotators.has(annotation.annotator)) {
          fail(
            `annotations.${position}.annotator`,
            `${annotation.annotator} has another annotation on this item`,
          );
        }
        annotators.add(annotation.annotator);
        const checked = labelSchema.safeParse(annotation.label);
        if (checked.success) {
          annotations.push({ ...annotation, row, position, label: checked.data });
        }
        for (const issue of checked.error?.issues ?? []) {
          fail(issuePath(`annotations.${position}.label`, issue.path), issue.message);
        }
      });
    }

    const contentHash = itemContentHash(item.prompt, item.responses);
    const earlier = byExternalId.get(item.externalId);
    if (earlier) {
      // The checks an item already in the project gets (importItems), in the same order.
      const chosen = chosenOf(earlier.item.metadata);
      if (earlier.contentHash !== contentHash) {
        fail(
          "externalId",
          `"${item.externalId}" is also on row ${earlier.row} with different content`,
        );
      } else if (chosen !== null && chosen !== chosenOf(item.metadata)) {
        fail(
          "externalId",
          `the same pair as row ${earlier.row} with chosen and rejected the other way round: a conflicting preference`,
        );
      } else if (earlier.valid) {
        mergeAnnotations(earlier.valid, annotations, fail);
      }
      if (rowErrors.length > 0) errors.push(...rowErrors);
      else repeated += 1;
      return;
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      byExternalId.set(item.externalId, { row, item, contentHash, valid: undefined });
      return;
    }
    const valid: ValidItem = { row, item, contentHash, gold, annotations };
    byExternalId.set(item.externalId, { row, item, contentHash, valid });
    items.push(valid);
  });
  onRow?.(rows.length);
  return { items, repeated, errors };
}

/**
 * Adds a later row's annotations to its item: an annotator's first label stands, as a label
 * stored in the project does, and a different one on a later row is refused.
 */
function mergeAnnotations(
  into: ValidItem,
  annotations: ValidItem["annotations"],
  fail: (field: string, message: string) => void,
): void {
  for (const annotation of annotations) {
    const earlier = into.annotations.find((other) => other.annotator === annotation.annotator);
    if (!earlier) {
      into.annotations.push(annotation);
    } else if (canonicalJson(earlier.label) !== canonicalJson(annotation.label)) {
      fail(
        `annotations.${annotation.position}.label`,
        `${annotation.annotator} already has a different label on this item, on row ${earlier.row}`,
      );
    }
  }
}
