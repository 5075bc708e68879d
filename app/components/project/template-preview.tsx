import { useMemo, useState } from "react";
import {
  cursorPropsFor,
  FieldControl,
  useFieldCursors,
  type ResponseInfo,
} from "~/components/labeling/fields.tsx";
import type { DraftLabel } from "~/components/labeling/label-draft.ts";
import { mergeKeymap } from "~/domain/shortcuts.ts";
import { templateFieldSchema } from "~/domain/template.ts";

const sampleResponses: ResponseInfo[] = [
  { id: "a", letter: "A", text: "The first model response to the item's prompt." },
  { id: "b", letter: "B", text: "The second model response to the same prompt." },
];

/** A scale this long is a typo more often than not; the preview would draw every point. */
const MAX_PREVIEWED_POINTS = 101;

/**
 * The label form as annotators will see it, drawn by the labeling page's own field components
 * from the template being built. It is live: picking values here changes nothing stored. A
 * field that is not valid yet is left out, with its number.
 */
export function TemplatePreview({ fields }: { fields: ReadonlyArray<unknown> }) {
  const keymap = useMemo(() => mergeKeymap({}), []);
  const [label, setLabel] = useState<DraftLabel>({});
  const cursors = useFieldCursors();
  const setValue = (fieldId: string, value: unknown) =>
    setLabel((current) => ({ ...current, [fieldId]: value }));

  const parsed = fields.map((raw) => {
    const result = templateFieldSchema.safeParse(raw);
    if (!result.success) return null;
    const field = result.data;
    if (field.type === "rating" && field.max - field.min + 1 > MAX_PREVIEWED_POINTS) return null;
    return field;
  });
  const seen = new Set<string>();
  const shown = parsed.map((field) => {
    if (!field || seen.has(field.id)) return null;
    seen.add(field.id);
    return field;
  });

  return (
    <section className="template-preview card" aria-labelledby="template-preview-heading">
      <h2 id="template-preview-heading" className="section-label">
        Preview: what annotators see
      </h2>
      <p className="muted small">
        Each item shows its prompt and responses A and B above these fields. Try them: nothing here
        is stored.
      </p>
      <div className="label-fields" data-testid="template-preview">
        {shown.map((field, index) =>
          field ? (
            <FieldControl
              key={`${index}-${field.id}`}
              field={field}
              label={label}
              keymap={keymap}
              onChange={setValue}
              responses={sampleResponses}
              {...cursorPropsFor(field.id, cursors)}
              onMarkSelection={() => undefined}
            />
          ) : (
            <p key={`missing-${index}`} className="muted small template-preview-missing">
              Field {index + 1} appears here once it is complete.
            </p>
          ),
        )}
      </div>
    </section>
  );
}
