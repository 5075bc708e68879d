import { useCallback, type MutableRefObject } from "react";
import {
  cursorPropsFor,
  FieldControl,
  RewriteDiff,
  type FieldCursors,
  type ResponseInfo,
} from "~/components/labeling/fields.tsx";
import {
  fieldOfError,
  labelForSubmission,
  readableError,
  spansValue,
  type DraftLabel,
} from "~/components/labeling/label-draft.ts";
import { canonicalJson } from "~/domain/canonical-json.ts";
import type { Keymap } from "~/domain/shortcuts.ts";
import {
  ownEntry,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "~/domain/template.ts";
import { selectedResponseSpan, selectionProblem } from "./response-selection.ts";

/**
 * The review page has no labeling shortcuts, so the fields show no key hints: an empty keymap
 * leaves every hint out.
 */
const noShortcuts: Keymap = {};

/**
 * A label as it would be submitted, so that a correction and the junior's stored label compare
 * alike: spans without their quoted text, empty critiques left out.
 */
export function comparableLabel(
  template: Template,
  label: DraftLabel,
  responses: ReadonlyArray<ResponseInfo>,
): DraftLabel {
  return labelForSubmission(template, label, responses[0]?.text ?? "");
}

/** The ids of the fields whose corrected value differs from the junior's. */
export function changedFieldIds(
  template: Template,
  original: DraftLabel,
  corrected: DraftLabel,
  responses: ReadonlyArray<ResponseInfo>,
): Set<string> {
  const before = comparableLabel(template, original, responses);
  const after = comparableLabel(template, corrected, responses);
  return new Set(
    template.fields
      .filter(
        (field) =>
          canonicalJson(ownEntry(before, field.id) ?? null) !==
          canonicalJson(ownEntry(after, field.id) ?? null),
      )
      .map((field) => field.id),
  );
}

/**
 * Errors the server found in a correction ("correctedLabel" messages such as "safety: Too big")
 * by the field they belong to; the rest stay with the form.
 */
export function correctionErrorsByField(
  template: Template,
  messages: ReadonlyArray<string>,
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const message of messages) {
    const match = /^([^:\s]+): (.*)$/s.exec(message);
    const fieldId = match ? fieldOfError(template, match[1]!) : null;
    if (fieldId && match) byField[fieldId] = ownEntry(byField, fieldId) ?? readableError(match[2]!);
    else general.push(message);
  }
  return { byField, general };
}

function describeValue(
  field: TemplateField,
  value: unknown,
  responses: ReadonlyArray<ResponseInfo>,
) {
  if (value === undefined || value === null || value === "") return "not given";
  const letterOf = (id: string) => responses.find((response) => response.id === id)?.letter ?? id;
  switch (field.type) {
    case "preference": {
      if (typeof value !== "number") return String(value);
      if (value === 0) return "tie";
      return `${value < 0 ? "A" : "B"} ${Math.abs(value) >= 2 ? "clearly " : ""}better (${value > 0 ? "+" : ""}${value})`;
    }
    case "ranking":
      return Array.isArray(value)
        ? value.map((id) => letterOf(String(id))).join(" › ")
        : String(value);
    case "choice":
      return Array.isArray(value) ? value.join(", ") || "none" : String(value);
    default:
      return String(value);
  }
}

const spanKey = (span: SpanAnnotation) =>
  canonicalJson({
    responseId: span.responseId,
    start: span.start,
    end: span.end,
    category: span.category,
    severity: span.severity,
    note: span.note?.trim() || null,
  });

function SpanLine({
  span,
  responses,
}: {
  span: SpanAnnotation;
  responses: ReadonlyArray<ResponseInfo>;
}) {
  const response = responses.find((candidate) => candidate.id === span.responseId);
  return (
    <>
      <span className="badge">{span.category}</span> <span className="badge">{span.severity}</span>{" "}
      <q className="span-excerpt">{response?.text.slice(span.start, span.end) ?? ""}</q>{" "}
      <span className="muted small">
        {response ? `Response ${response.letter}` : span.responseId}, offsets {span.start}–
        {span.end}
      </span>
      {span.note?.trim() ? <span className="span-note"> {span.note}</span> : null}
    </>
  );
}

/** What the correction changes in one field, against the junior's value. */
function FieldChange({
  field,
  original,
  corrected,
  responses,
  annotator,
}: {
  field: TemplateField;
  original: unknown;
  corrected: unknown;
  responses: ReadonlyArray<ResponseInfo>;
  annotator: string;
}) {
  if (field.type === "text" || field.type === "rewrite") {
    return (
      <RewriteDiff
        original={typeof original === "string" ? original : ""}
        rewritten={typeof corrected === "string" ? corrected : ""}
      />
    );
  }
  if (field.type === "spans") {
    const before = spansValue({ value: original }, "value");
    const after = spansValue({ value: corrected }, "value");
    const beforeKeys = new Set(before.map(spanKey));
    const afterKeys = new Set(after.map(spanKey));
    const removed = before.filter((span) => !afterKeys.has(spanKey(span)));
    const added = after.filter((span) => !beforeKeys.has(spanKey(span)));
    return (
      <ul className="correction-changes small">
        {removed.map((span, index) => (
          <li key={`removed-${index}`}>
            <del>Removed</del> <SpanLine span={span} responses={responses} />
          </li>
        ))}
        {added.map((span, index) => (
          <li key={`added-${index}`}>
            <ins>Added</ins> <SpanLine span={span} responses={responses} />
          </li>
        ))}
      </ul>
    );
  }
  return (
    <p className="correction-changes small">
      {annotator}: <del>{describeValue(field, original, responses)}</del> → correction:{" "}
      <ins>{describeValue(field, corrected, responses)}</ins>
    </p>
  );
}

interface CorrectionFieldsProps extends FieldCursors {
  template: Template;
  responses: ReadonlyArray<ResponseInfo>;
  annotator: string;
  /** The junior's label, which the correction starts from and is compared with. */
  original: DraftLabel;
  label: DraftLabel;
  errors: Record<string, string>;
  /** The response elements a selection is read from, in the order of `responses`. */
  readerRefs: MutableRefObject<Array<HTMLElement | null>>;
  onChange: (fieldId: string, value: unknown) => void;
  onAnnounce: (message: string) => void;
}

/**
 * The corrected label, edited with the labeling page's field controls, each field followed by
 * what the correction changes in it against the junior's label.
 */
export function CorrectionFields({
  template,
  responses,
  annotator,
  original,
  label,
  errors,
  rankCursor,
  onRankCursor,
  activeSpan,
  onActiveSpan,
  readerRefs,
  onChange,
  onAnnounce,
}: CorrectionFieldsProps) {
  const changed = changedFieldIds(template, original, label, responses);

  const markSelection = useCallback(
    (fieldId: string, category: string) => {
      const field = template.fields.find((candidate) => candidate.id === fieldId);
      if (field?.type !== "spans") return;
      const selection = window.getSelection();
      const selected = selectedResponseSpan(readerRefs.current, responses, selection);
      if (selected.kind !== "span") {
        onAnnounce(selectionProblem[selected.kind]);
        return;
      }
      const { responseId, start, end } = selected;
      const existing = spansValue(label, fieldId);
      const duplicate = existing.some(
        (span) =>
          span.responseId === responseId &&
          span.start === start &&
          span.end === end &&
          span.category === category,
      );
      if (!duplicate) {
        onChange(fieldId, [
          ...existing,
          { responseId, start, end, category, severity: field.severities[0] },
        ]);
      }
      selection?.collapseToEnd();
      const text = responses.find((response) => response.id === responseId)?.text ?? "";
      onAnnounce(`Marked “${text.slice(start, end)}” as ${category}.`);
    },
    [template.fields, readerRefs, responses, label, onChange, onAnnounce],
  );

  return (
    <div className="label-fields correction-fields">
      {template.fields.map((field) => (
        <div key={field.id} className="correction-field" data-correction-field={field.id}>
          <FieldControl
            field={field}
            label={label}
            keymap={noShortcuts}
            error={ownEntry(errors, field.id)}
            onChange={onChange}
            responses={[...responses]}
            {...cursorPropsFor(field.id, { rankCursor, onRankCursor, activeSpan, onActiveSpan })}
            onMarkSelection={(category) => markSelection(field.id, category)}
            spanOptions={{ instructions: "Select text in a response, then choose its category." }}
          />
          <div
            className="correction-diff"
            role="region"
            aria-label={`${field.label}: change against ${annotator}'s label`}
          >
            {changed.has(field.id) ? (
              <>
                <p className="small">
                  <strong>Changed</strong>
                </p>
                <FieldChange
                  field={field}
                  original={ownEntry(original, field.id)}
                  corrected={ownEntry(comparableLabel(template, label, responses), field.id)}
                  responses={responses}
                  annotator={annotator}
                />
              </>
            ) : (
              <p className="muted small">Same as {annotator}&apos;s label</p>
            )}
          </div>
        </div>
      ))}
    </div>
  );
}
