import type { ReactNode } from "react";
import type { ItemResponse } from "~/domain/item.ts";
import type { SpanAnnotation, Template, TemplateField } from "~/domain/template.ts";
import { responseName } from "./response-name.ts";

export type LabelRecord = Record<string, unknown>;

function isSpan(value: unknown): value is SpanAnnotation {
  return (
    typeof value === "object" &&
    value !== null &&
    "responseId" in value &&
    "start" in value &&
    "end" in value
  );
}

function describePreference(value: number, responses: ItemResponse[]): string {
  if (value === 0) return "Tie";
  const preferred = value < 0 ? 0 : 1;
  const name = responses[preferred]
    ? `Response ${responseName(preferred)}`
    : `Response ${preferred + 1}`;
  const strength = Math.abs(value) >= 2 ? "clearly" : "slightly";
  return `${name} ${strength} better (${value > 0 ? "+" : ""}${value})`;
}

export function spanExcerpt(span: SpanAnnotation, responses: ItemResponse[]): string | null {
  const response = responses.find((candidate) => candidate.id === span.responseId);
  return response ? response.text.slice(span.start, span.end) : null;
}

/**
 * Where a span is: its response and offsets. Offsets count UTF-16 code units, not characters
 * (an emoji is two), so they are named offsets; the quoted text beside them says what they mark.
 */
export function describeSpanPosition(
  span: Pick<SpanAnnotation, "responseId" | "start" | "end">,
  responses: ItemResponse[],
): string {
  const index = responses.findIndex((response) => response.id === span.responseId);
  const name = index === -1 ? span.responseId : `Response ${responseName(index)}`;
  return `${name}, offsets ${span.start}–${span.end}`;
}

function FieldValue({
  field,
  value,
  responses,
  spanAction,
}: {
  field: TemplateField;
  value: unknown;
  responses: ItemResponse[];
  spanAction?: (span: SpanAnnotation) => ReactNode;
}) {
  if (value === undefined || value === null || (typeof value === "string" && value === "")) {
    return <span className="muted">Not given</span>;
  }
  switch (field.type) {
    case "rating":
      return (
        <span>
          <strong>{String(value)}</strong> <span className="muted">of {field.max}</span>
        </span>
      );
    case "preference":
      return (
        <span>
          {typeof value === "number" ? describePreference(value, responses) : String(value)}
        </span>
      );
    case "ranking":
      return <span>{Array.isArray(value) ? value.join(" › ") : String(value)}</span>;
    case "choice":
      return <span>{Array.isArray(value) ? value.join(", ") || "None" : String(value)}</span>;
    case "spans": {
      const spans = Array.isArray(value) ? value.filter(isSpan) : [];
      if (spans.length === 0) return <span className="muted">None marked</span>;
      return (
        <ul className="span-list">
          {spans.map((span, index) => {
            const excerpt = spanExcerpt(span, responses);
            return (
              <li key={`${span.responseId}-${span.start}-${span.end}-${index}`}>
                <span className="badges">
                  <span className="badge">{span.category}</span>
                  <span className={`badge severity-${span.severity}`}>{span.severity}</span>
                </span>{" "}
                {excerpt !== null ? <q className="span-excerpt">{excerpt}</q> : null}{" "}
                <span className="muted small">{describeSpanPosition(span, responses)}</span>
                {span.note ? <span className="span-note">{span.note}</span> : null}
                {spanAction ? <span className="span-action">{spanAction(span)}</span> : null}
              </li>
            );
          })}
        </ul>
      );
    }
    case "text":
    case "rewrite":
      return <pre className="plain-text">{String(value)}</pre>;
  }
}

/** A label, field by field, in the template's order and words. */
export function LabelView({
  template,
  label,
  responses,
  spanAction,
}: {
  template: Template;
  label: LabelRecord;
  responses: ItemResponse[];
  spanAction?: (span: SpanAnnotation, fieldId: string) => ReactNode;
}) {
  return (
    <dl className="label-view">
      {template.fields.map((field) => (
        <div key={field.id} className="label-view-field" data-field={field.id}>
          <dt>{field.label}</dt>
          <dd>
            <FieldValue
              field={field}
              value={label[field.id]}
              responses={responses}
              spanAction={spanAction ? (span) => spanAction(span, field.id) : undefined}
            />
          </dd>
        </div>
      ))}
    </dl>
  );
}
