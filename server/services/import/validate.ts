import { canonicalJson } from "../../../app/domain/canonical-json.ts";
import { findInvalidText, formatTextPath } from "../../../app/domain/clean-text.ts";
import { itemInputSchema, type ItemInput } from "../../../app/domain/item.ts";
import { labelSchemaFor, type Label, type Template } from "../../../app/domain/template.ts";
import { itemContentHash } from "../seed.ts";
import { isRecord, issuePath, type ImportRow, type RowError } from "./rows.ts";

export interface ValidItem {
  row: number;
  item: ItemInput;
  contentHash: string;
  gold: Label | undefined;
  annotations: Array<{
    annotator: string;
    label: Label;
    submittedAt?: string;
    durationMs?: number;
  }>;
}

export interface ValidatedRows {
  /** One per distinct externalId, in file order. */
  items: ValidItem[];
  /** Rows repeating an earlier row exactly: imported once. */
  repeated: number;
  errors: RowError[];
}

const pairFieldTypes = new Set(["preference", "ranking"]);

/**
 * Checks every row against the item schema and the project's template, and every externalId
 * against the rest of the file, collecting all problems rather than stopping at the first.
 */
export function validateRows(
  rows: ReadonlyArray<ImportRow>,
  project: { id: number; template: Template },
  onRow?: (done: number) => void,
): ValidatedRows {
  const errors: RowError[] = [];
  const items: ValidItem[] = [];
  const byExternalId = new Map<string, { row: number; item: ItemInput }>();
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
        if (checked.success) annotations.push({ ...annotation, label: checked.data });
        for (const issue of checked.error?.issues ?? []) {
          fail(issuePath(`annotations.${position}.label`, issue.path), issue.message);
        }
      });
    }

    const earlier = byExternalId.get(item.externalId);
    if (earlier) {
      if (canonicalJson(earlier.item) === canonicalJson(item)) {
        repeated += 1;
        return;
      }
      fail(
        "externalId",
        swappedPair(earlier.item, item)
          ? `the same pair as row ${earlier.row} with chosen and rejected the other way round: a conflicting preference`
          : `"${item.externalId}" is also on row ${earlier.row} with different content`,
      );
    } else {
      byExternalId.set(item.externalId, { row, item });
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      return;
    }
    items.push({
      row,
      item,
      contentHash: itemContentHash(item.prompt, item.responses),
      gold,
      annotations,
    });
  });
  onRow?.(rows.length);
  return { items, repeated, errors };
}

/**
 * Whether two rows are one HH-RLHF pair with chosen and rejected swapped: the same prompt and
 * responses, their metadata the other way round.
 */
function swappedPair(earlier: ItemInput, later: ItemInput): boolean {
  const pairOf = (item: ItemInput) => {
    const metadata = isRecord(item.metadata) ? item.metadata : {};
    return { chosen: metadata.chosen, rejected: metadata.rejected, source: metadata.source };
  };
  const [first, second] = [pairOf(earlier), pairOf(later)];
  return (
    first.source === "hh-rlhf" &&
    second.source === "hh-rlhf" &&
    first.chosen === second.rejected &&
    first.rejected === second.chosen &&
    itemContentHash(earlier.prompt, earlier.responses) ===
      itemContentHash(later.prompt, later.responses)
  );
}
