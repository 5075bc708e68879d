import { forwardRef, type ReactNode } from "react";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import { CollaborativeText } from "~/collab/collaborative-text.tsx";
import type { Participant } from "~/collab/presence.ts";
import {
  cursorPropsFor,
  FieldControl,
  type FieldCursors,
  FieldShell,
  Kbd,
  RewriteDiff,
  type FieldOf,
  type ResponseInfo,
  type SpanOptions,
} from "~/components/labeling/fields.tsx";
import type { DraftLabel } from "~/components/labeling/label-draft.ts";
import type { Keymap } from "~/domain/shortcuts.ts";
import { labelText, removeSpan, updateSpan, type SpanChanges } from "~/domain/room.ts";
import {
  ownEntry,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "~/domain/template.ts";
import { anchorKey, type CommentAnchor } from "./discussion.tsx";
import { FieldPresence } from "./room-status.tsx";

interface DraftFieldsProps extends FieldCursors {
  doc: Y.Doc | undefined;
  awareness: Awareness | undefined;
  template: Template;
  label: DraftLabel;
  responses: ReadonlyArray<ResponseInfo>;
  keymap: Keymap;
  errors: Record<string, string>;
  readOnly: boolean;
  participants: ReadonlyArray<Participant>;
  openComments: Map<string, number>;
  onChange: (fieldId: string, value: unknown) => void;
  onMarkSelection: (fieldId: string, category: string) => void;
  onComment: (anchor: CommentAnchor) => void;
}

function CommentButton({
  count,
  onClick,
  label,
}: {
  count: number;
  onClick: () => void;
  label: string;
}) {
  return (
    <button
      type="button"
      tabIndex={-1}
      className="button button-quiet button-small comment-button"
      onClick={onClick}
      aria-label={count > 0 ? `${label}: ${count} open` : label}
    >
      Comment{count > 0 ? <span className="comment-count">{count}</span> : null}
    </button>
  );
}

/**
 * The draft label, every field editable by the whole panel at once: choices through the
 * labeling page's controls (each change is one shared value), spans one by one so that
 * concurrent edits of different spans survive, free text in shared editors. Observers and
 * everyone in a published room get the same fields, disabled.
 */
export const DraftFields = forwardRef<HTMLFieldSetElement, DraftFieldsProps>(function DraftFields(
  {
    doc,
    awareness,
    template,
    label,
    responses,
    keymap,
    errors,
    readOnly,
    participants,
    openComments,
    rankCursor,
    onRankCursor,
    activeSpan,
    onActiveSpan,
    onChange,
    onMarkSelection,
    onComment,
  },
  ref,
) {
  const spanIdAt = (fieldId: string, index: number) =>
    (ownEntry(label, fieldId) as SpanAnnotation[] | undefined)?.[index]?.id;

  const spanOptions = (field: TemplateField): SpanOptions => ({
    severityKey: true,
    onUpdateSpan: (index, changes) => {
      const spanId = spanIdAt(field.id, index);
      if (doc && spanId && !readOnly) updateSpan(doc, field.id, spanId, changes as SpanChanges);
    },
    onRemoveSpan: (index) => {
      const spanId = spanIdAt(field.id, index);
      if (doc && spanId && !readOnly) removeSpan(doc, field.id, spanId);
    },
    spanActions: (span) =>
      span.id && !readOnly ? (
        <CommentButton
          label="Comment on this span"
          count={openComments.get(anchorKey({ spanId: span.id })) ?? 0}
          onClick={() => onComment({ fieldId: field.id, spanId: span.id })}
        />
      ) : null,
  });

  const control = (field: TemplateField): ReactNode => (
    <FieldControl
      field={field}
      label={label}
      keymap={keymap}
      error={ownEntry(errors, field.id)}
      onChange={onChange}
      responses={[...responses]}
      {...cursorPropsFor(field.id, { rankCursor, onRankCursor, activeSpan, onActiveSpan })}
      onMarkSelection={(category) => onMarkSelection(field.id, category)}
      spanOptions={spanOptions(field)}
      textControl={(textField) => (
        <SharedTextField
          field={textField}
          doc={doc}
          awareness={awareness}
          keymap={keymap}
          error={errors[textField.id]}
          readOnly={readOnly}
          original={textField.type === "rewrite" ? responses[0] : undefined}
        />
      )}
    />
  );

  return (
    <fieldset ref={ref} className="room-fields label-fields" disabled={readOnly}>
      <legend className="visually-hidden">Draft label</legend>
      {template.fields.map((field) => (
        <div key={field.id} className="room-field" data-room-field={field.id}>
          <div className="room-field-tools">
            <FieldPresence participants={participants} fieldId={field.id} />
            {readOnly ? null : (
              <CommentButton
                label={`Comment on ${field.label}`}
                count={openComments.get(anchorKey({ fieldId: field.id })) ?? 0}
                onClick={() => onComment({ fieldId: field.id })}
              />
            )}
          </div>
          {control(field)}
        </div>
      ))}
    </fieldset>
  );
});

/** A critique or rewrite: one shared text that the panel writes together. */
function SharedTextField({
  field,
  doc,
  awareness,
  keymap,
  error,
  readOnly,
  original,
}: {
  field: FieldOf<"text"> | FieldOf<"rewrite">;
  doc: Y.Doc | undefined;
  awareness: Awareness | undefined;
  keymap: Keymap;
  error?: string;
  readOnly: boolean;
  original?: ResponseInfo;
}) {
  const text = doc ? labelText(doc, field.id) : undefined;
  const shared = text?.toString() ?? "";
  return (
    <FieldShell
      field={field}
      error={error}
      hint={
        <span className="muted small">
          {original ? `Rewriting response ${original.letter} ` : null}
          <Kbd keymap={keymap} action={field.type === "text" ? "focusText" : "focusRewrite"} />
        </span>
      }
    >
      {({ labelId, describedBy }) =>
        text && awareness ? (
          <div className={original ? "rewrite" : undefined}>
            <div>
              <CollaborativeText
                text={text}
                awareness={awareness}
                readOnly={readOnly}
                labelledBy={labelId}
                describedBy={describedBy}
                invalid={Boolean(error)}
                placeholder={readOnly ? undefined : "Write together…"}
              />
              {original && shared === "" && !readOnly ? (
                <button
                  type="button"
                  className="button button-quiet button-small"
                  onClick={() => text.insert(0, original.text)}
                >
                  Start from response {original.letter}
                </button>
              ) : null}
            </div>
            {original ? <RewriteDiff original={original.text} rewritten={shared} /> : null}
          </div>
        ) : (
          <p className="empty-inline small">
            {doc ? "This room has no shared text for this field yet." : "Loading…"}
          </p>
        )
      }
    </FieldShell>
  );
}
