import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "@remix-run/react";
import { sourceRangeOfSelection, placeCaretInside } from "~/components/markdown/selection.ts";
import type { MarkdownHighlight } from "~/components/markdown/render.tsx";
import { FormAlert } from "~/components/field.tsx";
import type { Prompt } from "~/domain/item.ts";
import {
  chordFromKeyPress,
  describeChord,
  resolveShortcut,
  type Keymap,
  type ShortcutScope,
} from "~/domain/shortcuts.ts";
import { trimSelection } from "~/domain/span-offsets.ts";
import {
  ownEntry,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "~/domain/template.ts";
import {
  cursorPropsFor,
  FieldControl,
  useFieldCursors,
  Kbd,
  responseLetter,
  type ResponseInfo,
} from "./fields.tsx";
import {
  fieldOfError,
  labelForSubmission,
  missingAnswers,
  readableError,
  spansValue,
  type DraftLabel,
} from "./label-draft.ts";
import {
  NUMBER_ENTRY_PAUSE_MS,
  chooseNumber,
  digitOfAction,
  enterDigit,
  numberTargetOf,
  resolveFieldShortcut,
  type NumberInProgress,
  type NumberTarget,
} from "./field-shortcuts.ts";
import { PromptView, ResponseReaders } from "./prompt-view.tsx";
import { ShortcutLegend } from "./shortcut-legend.tsx";
import { FlagDialog, SkipDialog } from "./skip-dialog.tsx";
import { GuidelinesPanel } from "./guidelines.tsx";
import { formatDuration, useActiveTime } from "./use-active-time.ts";
import { useDraftAutosave, type SaveStatus } from "./use-draft-autosave.ts";
import { useActivityHeartbeat } from "~/utils/activity.ts";

export interface LabelingTask {
  itemId: number;
  prompt: Prompt;
  responses: Array<{ id: string; text: string }>;
  template: Template;
  draft: { label: Record<string, unknown>; elapsedMs: number; savedAt: string } | null;
}

/** The annotator's own counts in the project, as `GET …/queue/mine` gives them. */
export interface OwnProgress {
  doneToday: number;
  doneTotal: number;
  remaining: number;
}

export interface SubmissionProblem {
  message: string;
  fieldErrors: Array<{ field: string; message: string }>;
  /** The request never reached the server: sending it again may work. */
  retry?: boolean;
}

interface WorkspaceProps {
  projectName: string;
  userId: number;
  draftUrl: string;
  keymap: Keymap;
  task: LabelingTask;
  problem: SubmissionProblem | null;
  busy: boolean;
  progress: OwnProgress;
  guidelines: { version: number; body: string } | null;
  /**
   * Changing a label already submitted rather than labelling a held item: no drafts, no working
   * time, no skipping or flagging; submitting saves the change.
   */
  revising?: boolean;
  /** Where "previous" leads: the page for changing the last label, when there is one to change. */
  previousUrl?: string | null;
  onSubmit: (label: DraftLabel, durationMs: number) => void;
  onSkip: (reason: string) => void;
  onFlag: (note: string) => void;
}

const scopeOfField: Partial<Record<TemplateField["type"], ShortcutScope>> = {
  rating: "rating",
  preference: "preference",
  ranking: "ranking",
  choice: "choice",
};

const saveStatusText: Record<Exclude<SaveStatus, "signedOut">, string> = {
  idle: "Changes save automatically",
  saving: "Saving…",
  saved: "Saved",
  unsaved: "Not saved: kept on this device, retrying",
  notHeld: "Not saved: this item is no longer held for you; your changes are kept on this device",
};

/** A number being typed that could still grow (1 among twelve options), until its pause ends. */
interface NumberEntry extends NumberInProgress {
  timer: number;
}

export type SelectionMove = [
  alter: "move" | "extend",
  direction: "forward" | "backward",
  granularity: string,
];

/** Reader shortcuts that move the caret or the selection, as Selection.modify takes them. */
export const caretMoves: Record<string, SelectionMove> = {
  caretWordForward: ["move", "forward", "word"],
  caretWordBackward: ["move", "backward", "word"],
  caretLineDown: ["move", "forward", "line"],
  caretLineUp: ["move", "backward", "line"],
  extendWordForward: ["extend", "forward", "word"],
  extendWordBackward: ["extend", "backward", "word"],
  extendCharacterForward: ["extend", "forward", "character"],
  extendCharacterBackward: ["extend", "backward", "character"],
  extendLineDown: ["extend", "forward", "line"],
  extendLineUp: ["extend", "backward", "line"],
};

export function isTextInput(element: Element): boolean {
  return element.matches("input, textarea, select, [contenteditable=''], [contenteditable='true']");
}

/**
 * Caret and selection moves inside a response being read (`reader`): word and line steps,
 * extending the selection, and selecting the sentence around the caret. Returns whether the
 * action was one of them.
 */
export function moveInReader(action: string, reader: HTMLElement | null): boolean {
  if (action !== "selectSentence" && !(action in caretMoves)) return false;
  const selection = window.getSelection();
  if (!reader || !selection) return true;
  placeCaretInside(reader);
  if (action === "selectSentence") {
    selection.collapseToStart();
    selection.modify("move", "backward", "sentenceboundary");
    selection.modify("extend", "forward", "sentenceboundary");
  } else {
    const [alter, direction, granularity] = caretMoves[action];
    selection.modify(alter, direction, granularity);
  }
  return true;
}

/**
 * The labeling page's working area: one item, its fields, and the keyboard handling that lets
 * an expert label without the mouse. It is keyed by item, so each item starts afresh.
 */
export function LabelingWorkspace({
  projectName,
  userId,
  draftUrl,
  keymap,
  task,
  problem,
  busy,
  progress,
  guidelines,
  revising = false,
  previousUrl = null,
  onSubmit,
  onSkip,
  onFlag,
}: WorkspaceProps) {
  const { template } = task;
  const responses: ResponseInfo[] = useMemo(
    () => task.responses.map((response, index) => ({ ...response, letter: responseLetter(index) })),
    [task.responses],
  );
  const [label, setLabel] = useState<DraftLabel>(() => task.draft?.label ?? {});
  // By field id in maps: a field may be named `constructor`, which every plain object answers.
  const [clientErrors, setClientErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const [legendOpen, setLegendOpen] = useState(true);
  const [skipOpen, setSkipOpen] = useState(false);
  const [flagOpen, setFlagOpen] = useState(false);
  const [guidelinesOpen, setGuidelinesOpen] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const cursors = useFieldCursors();
  const { rankCursor, activeSpan, onRankCursor } = cursors;
  const numberEntry = useRef<NumberEntry | null>(null);
  // After the severity key, the next number is a severity for the span marked last.
  const severityNext = useRef(false);
  const lastMarked = useRef<Omit<SpanAnnotation, "severity"> | null>(null);
  const fieldsRef = useRef<HTMLDivElement>(null);
  const readerRefs = useRef<Array<HTMLDivElement | null>>([]);
  const time = useActiveTime(task.draft?.elapsedMs ?? 0);
  // The server measures the working time from these heartbeats and the draft saves. Once the
  // item is being submitted (or skipped, or flagged) it is no longer held, and a heartbeat for it
  // would be refused; one that fails comes back with the item still held.
  useActivityHeartbeat(revising || busy ? null : `/api/v1/items/${task.itemId}/heartbeat`);
  const navigate = useNavigate();
  const location = useLocation();

  const restoreLocal = useCallback(
    (restored: DraftLabel, elapsedMs: number) => {
      setLabel(restored);
      time.restore(elapsedMs);
      setAnnouncement("Restored changes kept on this device.");
    },
    [time],
  );
  const autosave = useDraftAutosave({
    draftUrl,
    userId,
    itemId: task.itemId,
    label,
    readElapsed: time.read,
    serverDraft: task.draft,
    onRestoreLocal: restoreLocal,
    enabled: !revising,
  });

  const setValue = useCallback((fieldId: string, value: unknown) => {
    setLabel((current) => ({ ...current, [fieldId]: value }));
    setClientErrors((current) => {
      if (!current.has(fieldId)) return current;
      const rest = new Map(current);
      rest.delete(fieldId);
      return rest;
    });
  }, []);

  const fieldElements = useCallback(
    () => [...(fieldsRef.current?.querySelectorAll<HTMLElement>("[data-field-id]") ?? [])],
    [],
  );

  const focusField = useCallback(
    (index: number) => {
      const element = fieldElements()[index];
      if (!element) return;
      const textarea = element.querySelector("textarea");
      if (textarea) {
        textarea.focus();
        // Coming back to a text is to go on writing it.
        textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      } else {
        element.focus();
      }
      element.scrollIntoView({ block: "nearest" });
    },
    [fieldElements],
  );

  const focusFieldById = useCallback(
    (fieldId: string) => focusField(template.fields.findIndex((field) => field.id === fieldId)),
    [focusField, template.fields],
  );

  useEffect(() => {
    focusField(0);
  }, [focusField]);

  const serverErrors = useMemo(() => {
    const byField = new Map<string, string>();
    const general: string[] = [];
    for (const error of problem?.fieldErrors ?? []) {
      const fieldId = fieldOfError(template, error.field);
      const message = readableError(error.message);
      if (!fieldId) general.push(`${error.field}: ${message}`);
      else if (!byField.has(fieldId)) byField.set(fieldId, message);
    }
    return { byField, general };
  }, [problem, template]);

  const problemRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = template.fields.find((field) => serverErrors.byField.has(field.id));
    if (first) focusFieldById(first.id);
    // A problem with no field to point at is read first; the skip and flag dialogs show theirs.
    else if (problem && !skipOpen && !flagOpen) problemRef.current?.focus();
    // Only a new answer from the server moves the focus, not a dialog closing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serverErrors, template.fields, focusFieldById]);

  // The chord pressed twice before the page has re-rendered as busy would send the label twice.
  const submitting = useRef(false);
  useEffect(() => {
    if (!busy) submitting.current = false;
  }, [busy]);

  const submit = useCallback(() => {
    if (busy || submitting.current) return;
    const missing = missingAnswers(template, label);
    setClientErrors(missing);
    const firstMissing = template.fields.find((field) => missing.has(field.id));
    if (firstMissing) {
      focusFieldById(firstMissing.id);
      setAnnouncement(`${firstMissing.label} is required.`);
      return;
    }
    submitting.current = true;
    onSubmit(labelForSubmission(template, label, responses[0]?.text ?? ""), time.read());
  }, [busy, template, label, focusFieldById, onSubmit, responses, time]);

  const spansField = template.fields.find(
    (field): field is Extract<TemplateField, { type: "spans" }> => field.type === "spans",
  );

  const markSelection = useCallback(
    (category: string) => {
      if (!spansField) return;
      const selection = window.getSelection();
      let marked: { responseId: string; start: number; end: number } | null = null;
      readerRefs.current.forEach((reader, index) => {
        if (!reader || marked) return;
        const range = sourceRangeOfSelection(reader, selection);
        if (range) marked = { responseId: responses[index].id, ...range };
      });
      if (!marked) {
        setAnnouncement("Select some text in a response first.");
        return;
      }
      const { responseId, start: selectedStart, end: selectedEnd } = marked;
      const text = responses.find((response) => response.id === responseId)?.text ?? "";
      const trimmed = trimSelection(text, selectedStart, selectedEnd);
      if (!trimmed) {
        setAnnouncement("Only spaces and punctuation are selected: select the words to mark.");
        return;
      }
      const { start, end } = trimmed;
      const existing = spansValue(label, spansField.id);
      const duplicate = existing.some(
        (span) =>
          span.responseId === responseId &&
          span.start === start &&
          span.end === end &&
          span.category === category,
      );
      lastMarked.current = { responseId, start, end, category };
      if (!duplicate) {
        const span: SpanAnnotation = {
          responseId,
          start,
          end,
          category,
          severity: spansField.severities[0],
        };
        setValue(spansField.id, [...existing, span]);
      }
      selection?.collapseToEnd();
      setAnnouncement(`Marked “${text.slice(start, end)}” as ${category}.`);
    },
    [spansField, label, responses, setValue],
  );

  const setLastMarkedSeverity = useCallback(
    (severity: string) => {
      const marked = lastMarked.current;
      const spans = spansField ? spansValue(label, spansField.id) : [];
      const index = spans.findIndex(
        (span) =>
          marked !== null &&
          span.responseId === marked.responseId &&
          span.start === marked.start &&
          span.end === marked.end &&
          span.category === marked.category,
      );
      if (!spansField || index < 0) {
        setAnnouncement("Mark a span first, then set its severity.");
        return;
      }
      setValue(
        spansField.id,
        spans.map((span, position) => (position === index ? { ...span, severity } : span)),
      );
      setAnnouncement(`Severity ${severity}.`);
    },
    [spansField, label, setValue],
  );

  // A typed number is taken after a pause, so what it does must see the page as it is by then.
  const latest = useRef({ label, markSelection, setLastMarkedSeverity, focusField });
  latest.current = { label, markSelection, setLastMarkedSeverity, focusField };

  const applyNumber = useCallback(
    /** `fieldIndex` is the field to move on from, or null to stay. */
    (target: NumberTarget, number: number, fieldIndex: number | null) => {
      const current = latest.current;
      const outcome = chooseNumber(target, number, current.label);
      if (outcome?.kind === "value") {
        setValue(outcome.fieldId, outcome.value);
        // A second number in the same moment (a multiple choice) builds on this one.
        current.label = { ...current.label, [outcome.fieldId]: outcome.value };
        if (outcome.advance && fieldIndex !== null) current.focusField(fieldIndex + 1);
      } else if (outcome?.kind === "category") {
        current.markSelection(outcome.category);
      } else if (outcome?.kind === "severity") {
        current.setLastMarkedSeverity(outcome.severity);
      }
    },
    [setValue],
  );

  /** Takes the number being typed now, without moving on: another key has been pressed. */
  const flushNumber = useCallback(() => {
    const entry = numberEntry.current;
    if (!entry) return;
    window.clearTimeout(entry.timer);
    numberEntry.current = null;
    if (entry.number !== null) applyNumber(entry.target, entry.number, null);
  }, [applyNumber]);

  useEffect(() => () => window.clearTimeout(numberEntry.current?.timer), []);

  const typeNumber = useCallback(
    (target: NumberTarget, digit: string, fieldIndex: number) => {
      const entry = numberEntry.current;
      if (entry) window.clearTimeout(entry.timer);
      numberEntry.current = null;
      const effect = enterDigit(entry, target, digit);
      // A digit that starts a new number leaves the one before it standing.
      if (effect.flushed) applyNumber(effect.flushed.target, effect.flushed.number, null);
      if (effect.complete) {
        applyNumber(effect.complete.target, effect.complete.number, fieldIndex);
        return;
      }
      const pending = effect.pending;
      if (!pending) {
        setAnnouncement(`Nothing here has the number ${digit}.`);
        return;
      }
      const timer = window.setTimeout(() => {
        numberEntry.current = null;
        if (pending.number !== null) applyNumber(pending.target, pending.number, fieldIndex);
      }, NUMBER_ENTRY_PAUSE_MS);
      numberEntry.current = { ...pending, timer };
      setAnnouncement(`${pending.typed}…`);
    },
    [applyNumber],
  );

  const handleKey = useCallback(
    (event: KeyboardEvent) => {
      const target = event.target instanceof Element ? event.target : document.body;
      if (target.closest("dialog") || event.defaultPrevented) return;
      const chord = chordFromKeyPress(event);
      if (!chord) return;
      const inTextInput = isTextInput(target);
      const fieldElement = target.closest<HTMLElement>("[data-field-id]");
      const fieldIndex = fieldElement ? fieldElements().indexOf(fieldElement) : -1;
      const field = fieldIndex >= 0 ? template.fields[fieldIndex] : undefined;
      const reader = target.closest<HTMLElement>("[data-reader]");

      if (chord === "Escape" && inTextInput && fieldElement && target.tagName === "TEXTAREA") {
        event.preventDefault();
        fieldElement.focus();
        return;
      }
      const scope: ShortcutScope | null = reader
        ? "reader"
        : field && !inTextInput
          ? (scopeOfField[field.type] ?? null)
          : null;
      const action = resolveShortcut(keymap, chord, { scope, inTextInput });
      if (!action) return;
      event.preventDefault();

      const advance = () => focusField(fieldIndex + 1);
      const digit = digitOfAction(action);
      if (digit !== null) {
        const target = numberTargetOf(action, field, spansField, severityNext.current);
        severityNext.current = false;
        if (target) typeNumber(target, digit, fieldIndex);
        else flushNumber();
        return;
      }
      flushNumber();
      severityNext.current = action === "severity";
      if (severityNext.current) {
        setAnnouncement("Severity: type its number.");
        return;
      }

      if (moveInReader(action, reader)) return;

      switch (action) {
        case "submit":
          submit();
          return;
        case "skip":
          if (!revising) setSkipOpen(true);
          return;
        case "flag":
          if (!revising) setFlagOpen(true);
          return;
        case "previous":
          if (previousUrl) navigate(previousUrl);
          return;
        case "toggleGuidelines":
          if (guidelines) setGuidelinesOpen((open) => !open);
          return;
        case "toggleLegend":
          setLegendOpen((open) => !open);
          return;
        case "nextField":
          focusField(fieldIndex + 1);
          return;
        case "previousField":
          focusField(Math.max(0, fieldIndex - 1));
          return;
        case "focusText":
        case "focusRewrite": {
          const wanted = action === "focusText" ? "text" : "rewrite";
          const target = template.fields.find((candidate) => candidate.type === wanted);
          if (target) focusFieldById(target.id);
          return;
        }
        case "focusResponse1":
        case "focusResponse2": {
          const readerElement = readerRefs.current[action === "focusResponse1" ? 0 : 1];
          if (!readerElement) return;
          readerElement.focus();
          placeCaretInside(readerElement);
          return;
        }
        case "leaveReader": {
          window.getSelection()?.collapseToEnd();
          if (spansField) focusFieldById(spansField.id);
          else focusField(0);
          return;
        }
      }

      const change = resolveFieldShortcut(
        action,
        field,
        label,
        responses.map((response) => response.id),
        field ? ownEntry(rankCursor, field.id) : undefined,
      );
      if (!change) return;
      if (change.value !== undefined) setValue(change.fieldId, change.value);
      if (change.cursor !== undefined) onRankCursor(change.fieldId, change.cursor);
      if (change.advance) advance();
    },
    [
      fieldElements,
      template.fields,
      keymap,
      focusField,
      setValue,
      label,
      spansField,
      typeNumber,
      flushNumber,
      submit,
      focusFieldById,
      responses,
      rankCursor,
      onRankCursor,
      guidelines,
      revising,
      previousUrl,
      navigate,
    ],
  );

  useEffect(() => {
    document.addEventListener("keydown", handleKey);
    return () => document.removeEventListener("keydown", handleKey);
  }, [handleKey]);

  const highlightsByResponse = useMemo(() => {
    const byResponse = new Map<string, MarkdownHighlight[]>();
    for (const field of template.fields) {
      if (field.type !== "spans") continue;
      spansValue(label, field.id).forEach((span, index) => {
        const list = byResponse.get(span.responseId) ?? [];
        list.push({
          start: span.start,
          end: span.end,
          label: `${span.category} (${span.severity})`,
          tone: Math.max(0, field.categories.indexOf(span.category)),
          active: activeSpan?.fieldId === field.id && activeSpan.index === index,
        });
        byResponse.set(span.responseId, list);
      });
    }
    return byResponse;
  }, [template.fields, label, activeSpan]);

  const handleFormSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  const errorFor = (fieldId: string) =>
    clientErrors.get(fieldId) ?? serverErrors.byField.get(fieldId);
  const formErrors = [
    ...(problem && (problem.fieldErrors.length === 0 || serverErrors.general.length > 0)
      ? [problem.message]
      : []),
    ...serverErrors.general,
  ];

  return (
    <div className="labeling">
      <div className="labeling-bar">
        <div className="labeling-title">
          <p className="muted small">{projectName}</p>
          <h1>{revising ? "Change your last label" : "Label this item"}</h1>
          <p className="labeling-progress small" aria-label="Your progress">
            <span>{progress.doneToday} today</span> · <span>{progress.doneTotal} in all</span> ·{" "}
            <span>{progress.remaining} left for you</span>
          </p>
        </div>
        <div className="labeling-status">
          {revising ? (
            <Link to=".." relative="path" className="button">
              Back to labelling
            </Link>
          ) : (
            <>
              <span className="time-on-item" title="Time on this item while the page is in front">
                <span className="visually-hidden">Time on item </span>
                {formatDuration(time.shownMs)}
              </span>
              <span role="status" className={`save-status save-status-${autosave.status}`}>
                {autosave.status === "signedOut" ? (
                  <>
                    Signed out: your changes are kept on this device.{" "}
                    <Link
                      to={`/login?${new URLSearchParams({
                        redirectTo: `${location.pathname}${location.search}`,
                        session: "ended",
                      })}`}
                    >
                      Sign in again
                    </Link>
                  </>
                ) : (
                  saveStatusText[autosave.status]
                )}
              </span>
              {previousUrl ? (
                <Link to={previousUrl} className="button button-quiet">
                  Previous <Kbd keymap={keymap} action="previous" />
                </Link>
              ) : null}
              <button type="button" className="button" onClick={() => setSkipOpen(true)}>
                Skip <Kbd keymap={keymap} action="skip" />
              </button>
              <button type="button" className="button" onClick={() => setFlagOpen(true)}>
                Flag for lead <Kbd keymap={keymap} action="flag" />
              </button>
            </>
          )}
          {guidelines ? (
            <button
              type="button"
              className="button button-quiet"
              aria-expanded={guidelinesOpen}
              aria-controls="labeling-guidelines"
              onClick={() => setGuidelinesOpen((open) => !open)}
            >
              Guidelines <Kbd keymap={keymap} action="toggleGuidelines" />
            </button>
          ) : null}
          <button
            type="button"
            className="button button-quiet"
            aria-expanded={legendOpen}
            onClick={() => setLegendOpen((open) => !open)}
          >
            Shortcuts <Kbd keymap={keymap} action="toggleLegend" />
          </button>
        </div>
      </div>

      <div className={legendOpen ? "labeling-body with-legend" : "labeling-body"}>
        <div className="labeling-main">
          {guidelines && guidelinesOpen ? (
            <GuidelinesPanel
              id="labeling-guidelines"
              guidelines={guidelines}
              onClose={() => setGuidelinesOpen(false)}
            />
          ) : null}
          <PromptView prompt={task.prompt} />
          <ResponseReaders
            responses={responses}
            highlightsByResponse={highlightsByResponse}
            readerRefs={readerRefs}
            keymap={keymap}
          />

          <form
            className="label-form card"
            onSubmit={handleFormSubmit}
            noValidate
            aria-label="Label"
          >
            <div ref={problemRef} tabIndex={-1} className="submission-problem">
              <FormAlert errors={formErrors.length > 0 ? formErrors : undefined} />
              {problem?.retry ? (
                <button type="button" className="button" onClick={submit} disabled={busy}>
                  Try again <Kbd keymap={keymap} action="submit" />
                </button>
              ) : null}
            </div>
            <div ref={fieldsRef} className="label-fields">
              {template.fields.map((field) => (
                <FieldControl
                  key={field.id}
                  field={field}
                  label={label}
                  keymap={keymap}
                  error={errorFor(field.id)}
                  onChange={setValue}
                  responses={responses}
                  {...cursorPropsFor(field.id, cursors)}
                  onMarkSelection={markSelection}
                  spanOptions={{ severityKey: true }}
                />
              ))}
            </div>
            <div className="submit-bar">
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? "Submitting…" : revising ? "Save changes" : "Submit and next"}
              </button>
              <span className="muted small">
                or press{" "}
                <kbd className="kbd">{describeChord(keymap.submit?.[0] ?? "Mod+Enter")}</kbd>
              </span>
            </div>
          </form>
        </div>
        {legendOpen ? (
          <ShortcutLegend
            keymap={keymap}
            fields={template.fields}
            responseCount={responses.length}
            descriptions={revising ? { skip: null } : undefined}
            features={{
              guidelines: guidelines !== null,
              flag: !revising,
              severityKey: true,
              previous: previousUrl !== null,
            }}
          />
        ) : null}
      </div>

      <SkipDialog
        open={skipOpen}
        busy={busy}
        serverError={skipOpen ? problem?.message : null}
        onClose={() => setSkipOpen(false)}
        onSkip={(reason) => {
          autosave.discardLocalCopy();
          onSkip(reason);
        }}
      />
      <FlagDialog
        open={flagOpen}
        busy={busy}
        serverError={flagOpen ? problem?.message : null}
        onClose={() => setFlagOpen(false)}
        onFlag={onFlag}
      />
      <div aria-live="polite" className="visually-hidden">
        {announcement}
      </div>
    </div>
  );
}
