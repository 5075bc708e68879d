import { diffWords } from "diff";
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { ownEntry, type SpanAnnotation, type TemplateField } from "~/domain/template.ts";
import { describeChord, type Keymap } from "~/domain/shortcuts.ts";
import {
  numberValue,
  spansValue,
  stringListValue,
  stringValue,
  type DraftLabel,
} from "./label-draft.ts";

export type FieldOf<Type extends TemplateField["type"]> = Extract<TemplateField, { type: Type }>;

export interface ResponseInfo {
  id: string;
  text: string;
  /** "A", "B" …: responses are named by position, never by model, to keep labels unbiased. */
  letter: string;
}

export function responseLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

interface FieldShellProps {
  field: TemplateField;
  error?: string;
  children: (ids: { labelId: string; describedBy: string | undefined }) => ReactNode;
  hint?: ReactNode;
}

/** A field's frame: its label, description and error, and the element focus lands on. */
export function FieldShell({ field, error, children, hint }: FieldShellProps) {
  const id = useId();
  const labelId = `${id}-label`;
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const describedBy =
    [field.description ? descriptionId : null, error ? errorId : null].filter(Boolean).join(" ") ||
    undefined;
  const focusable = field.type !== "text" && field.type !== "rewrite";
  return (
    <section
      className={error ? "label-field label-field-invalid" : "label-field"}
      data-field-id={field.id}
      data-field-type={field.type}
      tabIndex={focusable ? 0 : -1}
      role="group"
      aria-labelledby={labelId}
      aria-describedby={describedBy}
    >
      <div className="label-field-head">
        <h3 id={labelId} className="label-field-title">
          {field.label}
          {field.required ? (
            <span className="required-mark" aria-label="required">
              *
            </span>
          ) : null}
        </h3>
        {hint ? <div className="label-field-hint">{hint}</div> : null}
      </div>
      {field.description ? (
        <p id={descriptionId} className="label-field-description">
          {field.description}
        </p>
      ) : null}
      {children({ labelId, describedBy })}
      {error ? (
        <p id={errorId} className="label-field-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

export function Kbd({ keymap, action }: { keymap: Keymap; action: string }) {
  const chord = keymap[action]?.[0];
  return chord ? <kbd className="kbd">{describeChord(chord)}</kbd> : null;
}

/**
 * The keys that type a number in a numbered scope ("rating", "choice", "category"), as the user
 * has mapped the digits, or null when a digit is unbound or the number is negative.
 */
export function numberKeys(keymap: Keymap, prefix: string, number: number): string | null {
  if (number < 0) return null;
  const keys = [...String(number)].map((digit) => keymap[`${prefix}${digit}`]?.[0]);
  if (keys.some((key) => key === undefined)) return null;
  const shown = keys.map((key) => describeChord(key!));
  return shown.every((key) => key.length === 1) ? shown.join("") : shown.join(" ");
}

/** The keys of a numbered button, left out where they are what the button already shows. */
function NumberKbd({
  keymap,
  prefix,
  number,
  shown,
}: {
  keymap: Keymap;
  prefix: string;
  number: number;
  shown?: string;
}) {
  const keys = numberKeys(keymap, prefix, number);
  return keys !== null && keys !== shown ? <kbd className="kbd">{keys}</kbd> : null;
}

interface FieldControlProps<Field extends TemplateField> {
  field: Field;
  label: DraftLabel;
  keymap: Keymap;
  error?: string;
  onChange: (fieldId: string, value: unknown) => void;
}

export function RatingField({
  field,
  label,
  keymap,
  error,
  onChange,
}: FieldControlProps<FieldOf<"rating">>) {
  const value = numberValue(label, field.id);
  const points = Array.from({ length: field.max - field.min + 1 }, (_, index) => field.min + index);
  return (
    <FieldShell field={field} error={error}>
      {({ labelId }) => (
        <div role="radiogroup" aria-labelledby={labelId} className="choice-row">
          {points.map((point) => (
            <button
              key={point}
              type="button"
              role="radio"
              aria-checked={value === point}
              tabIndex={-1}
              className="choice-button"
              onClick={() => onChange(field.id, point)}
            >
              <span className="choice-value">{point}</span>
              <NumberKbd keymap={keymap} prefix="rating" number={point} shown={String(point)} />
            </button>
          ))}
        </div>
      )}
    </FieldShell>
  );
}

const preferenceOptions = (scale: 1 | 2) =>
  scale === 2
    ? [
        { value: -2, text: "A is clearly better", action: "preferFirstClearly" },
        { value: -1, text: "A is better", action: "preferFirst" },
        { value: 0, text: "Tie", action: "preferTie" },
        { value: 1, text: "B is better", action: "preferSecond" },
        { value: 2, text: "B is clearly better", action: "preferSecondClearly" },
      ]
    : [
        { value: -1, text: "A is better", action: "preferFirst" },
        { value: 0, text: "Tie", action: "preferTie" },
        { value: 1, text: "B is better", action: "preferSecond" },
      ];

export function preferenceValueFor(action: string, scale: 1 | 2): number | null {
  const values: Record<string, number> = {
    preferFirstClearly: -scale,
    preferFirst: -1,
    preferTie: 0,
    preferSecond: 1,
    preferSecondClearly: scale,
  };
  return values[action] ?? null;
}

export function PreferenceField({
  field,
  label,
  keymap,
  error,
  onChange,
}: FieldControlProps<FieldOf<"preference">>) {
  const value = numberValue(label, field.id);
  return (
    <FieldShell field={field} error={error}>
      {({ labelId }) => (
        <div role="radiogroup" aria-labelledby={labelId} className="choice-row preference-row">
          {preferenceOptions(field.scale).map((option) => (
            <button
              key={option.value}
              type="button"
              role="radio"
              aria-checked={value === option.value}
              tabIndex={-1}
              className="choice-button"
              onClick={() => onChange(field.id, option.value)}
            >
              <span className="choice-value">{option.text}</span>
              <Kbd keymap={keymap} action={option.action} />
            </button>
          ))}
        </div>
      )}
    </FieldShell>
  );
}

export function RankingField({
  field,
  label,
  keymap,
  error,
  onChange,
  responses,
  cursor,
  onCursor,
}: FieldControlProps<FieldOf<"ranking">> & {
  responses: ResponseInfo[];
  cursor: number;
  onCursor: (index: number) => void;
}) {
  const ranking = stringListValue(label, field.id);
  const order = ranking ?? responses.map((response) => response.id);
  const byId = new Map(responses.map((response) => [response.id, response]));
  const move = (index: number, by: number) => {
    const target = index + by;
    if (target < 0 || target >= order.length) return;
    const next = [...order];
    [next[index], next[target]] = [next[target], next[index]];
    onChange(field.id, next);
    onCursor(target);
  };
  return (
    <FieldShell
      field={field}
      error={error}
      hint={
        <span className="muted small">
          {ranking ? "Order set" : "Not ranked yet"} · <Kbd keymap={keymap} action="rankMoveUp" />{" "}
          <Kbd keymap={keymap} action="rankMoveDown" /> move ·{" "}
          <Kbd keymap={keymap} action="rankConfirm" /> accept
        </span>
      }
    >
      {({ labelId }) => (
        <ol className="ranking-list" aria-labelledby={labelId}>
          {order.map((id, index) => {
            const response = byId.get(id);
            return (
              <li
                key={id}
                className={index === cursor ? "ranking-item ranking-item-current" : "ranking-item"}
                aria-current={index === cursor || undefined}
              >
                <span className="ranking-position">{index + 1}</span>
                <span className="ranking-name">Response {response?.letter ?? id}</span>
                <span className="ranking-preview">{response?.text.slice(0, 90)}</span>
                <span className="ranking-actions">
                  <button
                    type="button"
                    tabIndex={-1}
                    className="button button-quiet"
                    aria-label={`Move response ${response?.letter ?? id} up`}
                    onClick={() => move(index, -1)}
                    disabled={index === 0}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    tabIndex={-1}
                    className="button button-quiet"
                    aria-label={`Move response ${response?.letter ?? id} down`}
                    onClick={() => move(index, 1)}
                    disabled={index === order.length - 1}
                  >
                    ↓
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </FieldShell>
  );
}

export function ChoiceField({
  field,
  label,
  keymap,
  error,
  onChange,
}: FieldControlProps<FieldOf<"choice">>) {
  const selected = field.multiple
    ? (stringListValue(label, field.id) ?? [])
    : [stringValue(label, field.id)];
  const toggle = (option: string) => {
    if (!field.multiple) return onChange(field.id, option);
    const current = stringListValue(label, field.id) ?? [];
    onChange(
      field.id,
      current.includes(option) ? current.filter((entry) => entry !== option) : [...current, option],
    );
  };
  return (
    <FieldShell field={field} error={error}>
      {({ labelId }) => (
        <div
          role={field.multiple ? "group" : "radiogroup"}
          aria-labelledby={labelId}
          className="choice-row"
        >
          {field.options.map((option, index) => (
            <button
              key={option}
              type="button"
              role={field.multiple ? "checkbox" : "radio"}
              aria-checked={selected.includes(option)}
              tabIndex={-1}
              className="choice-button"
              onClick={() => toggle(option)}
            >
              <span className="choice-value">{option}</span>
              <NumberKbd keymap={keymap} prefix="choice" number={index + 1} />
            </button>
          ))}
        </div>
      )}
    </FieldShell>
  );
}

/**
 * React keys for span rows that survive the removal of another span: a row keyed by position
 * would be remounted when someone deletes a span above it, taking the focus from whoever is
 * typing in it. Room spans have ids; the labeling page's spans are told apart by the text they
 * mark (not the category, which the row's own select changes), and those marking the same text
 * by their order among themselves.
 */
function spanKeys(spans: SpanAnnotation[]): string[] {
  const seen = new Map<string, number>();
  return spans.map((span) => {
    if (span.id) return `id:${span.id}`;
    const mark = `${span.responseId}:${span.start}:${span.end}`;
    const occurrence = seen.get(mark) ?? 0;
    seen.set(mark, occurrence + 1);
    return `mark:${mark}:${occurrence}`;
  });
}

/** How long a shared note waits after the last keystroke before it is written to the draft. */
const NOTE_WRITE_DELAY_MS = 400;

/**
 * A span's note. A note is one plain value in the shared draft, so two people typing in it at
 * once cannot be merged: while the input has focus it shows the typist's own text, which
 * remote changes do not overwrite (they would move the caret and interleave the two texts),
 * and where the draft is shared the text is written a moment after typing stops and on blur.
 * The last complete note written wins.
 */
function SpanNoteInput({
  note,
  shared,
  onCommit,
}: {
  note: string;
  shared: boolean;
  onCommit: (note: string) => void;
}) {
  const [typed, setTyped] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pending = useRef<string | null>(null);
  // The latest callback: the span's position may have changed since the keystroke.
  const commit = useRef(onCommit);
  commit.current = onCommit;
  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (pending.current === null) return;
    const text = pending.current;
    pending.current = null;
    commit.current(text);
  }, []);
  // Typing cut short by leaving the page or by the span's removal is still written.
  useEffect(() => flush, [flush]);
  return (
    <input
      type="text"
      value={typed ?? note}
      maxLength={5_000}
      onFocus={() => setTyped(note)}
      onChange={(event) => {
        const text = event.target.value;
        setTyped(text);
        if (!shared) return onCommit(text);
        pending.current = text;
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(flush, NOTE_WRITE_DELAY_MS);
      }}
      onBlur={() => {
        flush();
        setTyped(null);
      }}
    />
  );
}

/** How a spans field behaves beyond its value: per-page choices. */
export interface SpanOptions {
  /**
   * Where spans are shared with others (the adjudication room), each span is changed or
   * removed on its own, so that concurrent edits of other spans survive; without these the
   * whole list is replaced through `onChange`.
   */
  onUpdateSpan?: (index: number, change: Partial<SpanAnnotation>) => void;
  onRemoveSpan?: (index: number) => void;
  /** Extra controls shown with each span. */
  spanActions?: (span: SpanAnnotation, index: number) => ReactNode;
  /** Whether the page sets a marked span's severity with the severity key and a number. */
  severityKey?: boolean;
  /** How to mark a span, on a page without the labeling page's reader keys. */
  instructions?: ReactNode;
}

export function SpansField({
  field,
  label,
  keymap,
  error,
  onChange,
  responses,
  activeSpan,
  onActiveSpan,
  onMarkSelection,
  onUpdateSpan,
  onRemoveSpan,
  spanActions,
  severityKey = false,
  instructions,
}: FieldControlProps<FieldOf<"spans">> &
  SpanOptions & {
    responses: ResponseInfo[];
    activeSpan: number | null;
    onActiveSpan: (index: number | null) => void;
    onMarkSelection: (category: string) => void;
  }) {
  const spans = spansValue(label, field.id);
  const keys = spanKeys(spans);
  const byId = new Map(responses.map((response) => [response.id, response]));
  const update = (index: number, change: Partial<SpanAnnotation>) =>
    onUpdateSpan
      ? onUpdateSpan(index, change)
      : onChange(
          field.id,
          spans.map((span, position) => (position === index ? { ...span, ...change } : span)),
        );
  const remove = (index: number) => {
    if (onRemoveSpan) onRemoveSpan(index);
    else
      onChange(
        field.id,
        spans.filter((_, position) => position !== index),
      );
    onActiveSpan(null);
  };
  return (
    <FieldShell field={field} error={error}>
      {() => (
        <>
          {instructions ? (
            <p className="muted small spans-instructions">{instructions}</p>
          ) : (
            <p className="muted small spans-instructions">
              Select text in a response (
              {responses.slice(0, 2).map((response, index) => (
                <span key={response.id}>
                  {index > 0 ? " or " : null}
                  <Kbd keymap={keymap} action={`focusResponse${index + 1}`} />
                </span>
              ))}{" "}
              to read it, <Kbd keymap={keymap} action="extendWordForward" /> to select), then press
              a category key.
              {severityKey ? (
                <>
                  {" "}
                  <Kbd keymap={keymap} action="severity" /> then a number sets the severity of the
                  span just marked:{" "}
                  {field.severities.map((severity, index) => (
                    <span key={severity}>
                      {index > 0 ? ", " : null}
                      <NumberKbd keymap={keymap} prefix="category" number={index + 1} /> {severity}
                    </span>
                  ))}
                  .
                </>
              ) : null}
            </p>
          )}
          <div className="category-row" aria-label="Categories">
            {field.categories.map((category, index) => (
              <button
                key={category}
                type="button"
                tabIndex={-1}
                className="category-button"
                // Keeps the text selection that the click is meant to mark.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => onMarkSelection(category)}
              >
                <NumberKbd keymap={keymap} prefix="category" number={index + 1} />
                <span className={`category-swatch md-tone-${index % 6}`} aria-hidden="true" />
                {category}
              </button>
            ))}
          </div>
          {spans.length === 0 ? (
            <p className="empty-inline small">No spans marked.</p>
          ) : (
            <ol className="span-list" aria-label={`${field.label}: marked spans`}>
              {spans.map((span, index) => {
                const response = byId.get(span.responseId);
                const quote = response?.text.slice(span.start, span.end) ?? "";
                return (
                  <li
                    key={keys[index]}
                    className={activeSpan === index ? "span-item span-item-active" : "span-item"}
                    onFocus={() => onActiveSpan(index)}
                    onMouseEnter={() => onActiveSpan(index)}
                  >
                    <div className="span-quote" dir="auto">
                      <span className="badge">
                        {response ? `Response ${response.letter}` : span.responseId}
                      </span>{" "}
                      <q>{quote.length > 160 ? `${quote.slice(0, 160)}…` : quote}</q>
                    </div>
                    <div className="span-controls">
                      <label className="compact-field">
                        <span>Category</span>
                        <select
                          value={span.category}
                          onChange={(event) => update(index, { category: event.target.value })}
                        >
                          {field.categories.map((category) => (
                            <option key={category}>{category}</option>
                          ))}
                        </select>
                      </label>
                      <label className="compact-field">
                        <span>Severity</span>
                        <select
                          value={span.severity}
                          onChange={(event) => update(index, { severity: event.target.value })}
                        >
                          {field.severities.map((severity) => (
                            <option key={severity}>{severity}</option>
                          ))}
                        </select>
                      </label>
                      <label className="compact-field compact-field-wide">
                        <span>Note</span>
                        <SpanNoteInput
                          note={span.note ?? ""}
                          shared={onUpdateSpan !== undefined}
                          onCommit={(note) => update(index, { note })}
                        />
                      </label>
                      <button
                        type="button"
                        className="button button-quiet button-danger-quiet"
                        onClick={() => remove(index)}
                      >
                        Delete<span className="visually-hidden"> span {index + 1}</span>
                      </button>
                      {spanActions?.(span, index)}
                    </div>
                  </li>
                );
              })}
            </ol>
          )}
        </>
      )}
    </FieldShell>
  );
}

export function TextField({
  field,
  label,
  keymap,
  error,
  onChange,
}: FieldControlProps<FieldOf<"text">>) {
  return (
    <FieldShell field={field} error={error} hint={<Kbd keymap={keymap} action="focusText" />}>
      {({ labelId, describedBy }) => (
        <textarea
          className="label-textarea"
          aria-labelledby={labelId}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          dir="auto"
          rows={5}
          maxLength={100_000}
          value={stringValue(label, field.id) ?? ""}
          onChange={(event) => onChange(field.id, event.target.value)}
        />
      )}
    </FieldShell>
  );
}

export function RewriteField({
  field,
  label,
  keymap,
  error,
  onChange,
  original,
}: FieldControlProps<FieldOf<"rewrite">> & { original: ResponseInfo }) {
  const value = stringValue(label, field.id) ?? original.text;
  return (
    <FieldShell
      field={field}
      error={error}
      hint={
        <span className="muted small">
          Rewriting response {original.letter} <Kbd keymap={keymap} action="focusRewrite" />
        </span>
      }
    >
      {({ labelId, describedBy }) => (
        <div className="rewrite">
          <textarea
            className="label-textarea rewrite-textarea"
            aria-labelledby={labelId}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            dir="auto"
            rows={10}
            maxLength={100_000}
            value={value}
            onChange={(event) => onChange(field.id, event.target.value)}
          />
          <RewriteDiff original={original.text} rewritten={value} />
        </div>
      )}
    </FieldShell>
  );
}

/** A rewrite's word-level changes against the response it corrects. */
export function RewriteDiff({ original, rewritten }: { original: string; rewritten: string }) {
  const changes = diffWords(original, rewritten);
  const changed = changes.some((change) => change.added || change.removed);
  return (
    <div className="rewrite-diff" aria-label="Changes against the original" role="region">
      <p className="muted small">Changes against the original</p>
      {changed ? (
        <p className="diff" dir="auto">
          {changes.map((change, index) =>
            change.added ? (
              <ins key={index}>{change.value}</ins>
            ) : change.removed ? (
              <del key={index}>{change.value}</del>
            ) : (
              <span key={index}>{change.value}</span>
            ),
          )}
        </p>
      ) : (
        <p className="empty-inline small">No changes yet.</p>
      )}
    </div>
  );
}

/** The span being worked on: its field and its index in that field's spans. */
export type ActiveSpan = { fieldId: string; index: number } | null;

/** A page's cursors over all its fields: the ranking cursor per field and the active span. */
export interface FieldCursors {
  rankCursor: Readonly<Record<string, number>>;
  onRankCursor: (fieldId: string, index: number) => void;
  activeSpan: ActiveSpan;
  onActiveSpan: (span: ActiveSpan) => void;
}

/** The cursors of a page that edits one label, starting on no span and every ranking's top. */
export function useFieldCursors(): FieldCursors {
  const [rankCursor, setRankCursor] = useState<Record<string, number>>({});
  const [activeSpan, setActiveSpan] = useState<ActiveSpan>(null);
  const onRankCursor = useCallback(
    (fieldId: string, index: number) =>
      setRankCursor((current) => ({ ...current, [fieldId]: index })),
    [],
  );
  return { rankCursor, onRankCursor, activeSpan, onActiveSpan: setActiveSpan };
}

/** One field's share of the page's cursors, as `FieldControl` takes them. */
export function cursorPropsFor(fieldId: string, cursors: FieldCursors) {
  const { rankCursor, onRankCursor, activeSpan, onActiveSpan } = cursors;
  return {
    rankCursor: ownEntry(rankCursor, fieldId) ?? 0,
    onRankCursor: (index: number) => onRankCursor(fieldId, index),
    activeSpan: activeSpan?.fieldId === fieldId ? activeSpan.index : null,
    onActiveSpan: (index: number | null) =>
      onActiveSpan(index === null ? null : { fieldId, index }),
  };
}

/**
 * The control for one field of a template, as every page that edits a label shows it. Pages
 * differ only in what they pass: the room edits free text in shared documents (`textControl`) and
 * spans one by one (`spanOptions`).
 */
export function FieldControl({
  field,
  label,
  keymap,
  error,
  onChange,
  responses,
  rankCursor,
  onRankCursor,
  activeSpan,
  onActiveSpan,
  onMarkSelection,
  spanOptions,
  textControl,
}: FieldControlProps<TemplateField> & {
  responses: ResponseInfo[];
  rankCursor: number;
  onRankCursor: (index: number) => void;
  /** The index of the field's span being worked on, if any. */
  activeSpan: number | null;
  onActiveSpan: (index: number | null) => void;
  onMarkSelection: (category: string) => void;
  spanOptions?: SpanOptions;
  textControl?: (field: FieldOf<"text" | "rewrite">) => ReactNode;
}) {
  const common = { label, keymap, error, onChange };
  switch (field.type) {
    case "rating":
      return <RatingField field={field} {...common} />;
    case "preference":
      return <PreferenceField field={field} {...common} />;
    case "choice":
      return <ChoiceField field={field} {...common} />;
    case "ranking":
      return (
        <RankingField
          field={field}
          {...common}
          responses={responses}
          cursor={rankCursor}
          onCursor={onRankCursor}
        />
      );
    case "spans":
      return (
        <SpansField
          field={field}
          {...common}
          {...spanOptions}
          responses={responses}
          activeSpan={activeSpan}
          onActiveSpan={onActiveSpan}
          onMarkSelection={onMarkSelection}
        />
      );
    case "text":
    case "rewrite":
      if (textControl) return textControl(field);
      if (field.type === "text") return <TextField field={field} {...common} />;
      return responses[0] ? (
        <RewriteField field={field} {...common} original={responses[0]} />
      ) : null;
  }
}
