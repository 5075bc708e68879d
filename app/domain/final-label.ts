import { labelSchemaFor, type Label, type ResponseRef, type Template } from "./template.ts";

export interface FinalLabelIssue {
  path: PropertyKey[];
  message: string;
}

export type FinalLabelCheck =
  { valid: true; label: Label } | { valid: false; issues: FinalLabelIssue[] };

/**
 * The check every label passes before it becomes an item's final label: a version a lead
 * publishes, a consensus that settles an item, and a consensus published automatically. It is
 * the template's label schema with the item's responses (required fields present, values on the
 * scale, rankings over the responses, spans inside them), so that no path can store a label the
 * others would refuse. `label` is the parsed label, the one to store.
 */
export function validateFinalLabel(
  template: Template,
  responses: ReadonlyArray<ResponseRef> | undefined,
  label: unknown,
): FinalLabelCheck {
  const parsed = labelSchemaFor(template, responses).safeParse(label);
  if (parsed.success) return { valid: true, label: parsed.data };
  return {
    valid: false,
    issues: parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
  };
}
