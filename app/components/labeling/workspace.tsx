import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
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
import type { SpanAnnotation, Template, TemplateField } from "~/domain/template.ts";
import {
  ChoiceField,
  Kbd,
  PreferenceField,
  RankingField,
  RatingField,
  RewriteField,
  SpansField,
  TextField,
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
  isNumberedAction,
  resolveFieldShortcut,
  resolveNumberedShortcut,
} from "./field-shortcuts.ts";
import { PromptView, ResponseReaders } from "./prompt-view.tsx";
import { ShortcutLegend } from "./shortcut-legend.tsx";
import { SkipDialog } from "./skip-dialog.tsx";
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

export interface SubmissionProblem {
  message: string;
  fieldErrors: Array<{ field: string; message: string }>;
}

interface WorkspaceProps {
  projectName: string;
  userId: number;
  draftUrl: string;
  keymap: Keymap;
  task: LabelingTask;
  problem: SubmissionProblem | null;
  busy: boolean;
  onSubmit: (label: DraftLabel, durationMs: number) => void;
  onSkip: (reason: string) => void;
}

const scopeOfField: Partial<Record<TemplateField["type"], ShortcutScope>> = {
  rating: "rating",
  preference: "preference",
  ranking: "ranking",
  choice: "choice",
};

const saveStatusText: Record<SaveStatus, string> = {
  idle: "Changes save automatically",
  saving: "Saving…",
  saved: "Saved",
  unsaved: "Not saved: kept on this device, retrying",
};

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
  onSubmit,
  onSkip,
}: WorkspaceProps) {
  const { template } = task;
  const responses: ResponseInfo[] = useMemo(
    () => task.responses.map((response, index) => ({ ...response, letter: responseLetter(index) })),
    [task.responses],
  );
  const [label, setLabel] = useState<DraftLabel>(() => task.draft?.label ?? {});
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [legendOpen, setLegendOpen] = useState(true);
  const [skipOpen, setSkipOpen] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const [activeSpan, setActiveSpan] = useState<{ fieldId: string; index: number } | null>(null);
  const [rankCursor, setRankCursor] = useState<Record<string, number>>({});
  const fieldsRef = useRef<HTMLDivElement>(null);
  const readerRefs = useRef<Array<HTMLDivElement | null>>([]);
  const time = useActiveTime(task.draft?.elapsedMs ?? 0);
  // The server measures the working time from these heartbeats and the draft saves.
  useActivityHeartbeat(`/api/v1/items/${task.itemId}/heartbeat`);

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
  });

  const setValue = useCallback((fieldId: string, value: unknown) => {
    setLabel((current) => ({ ...current, [fieldId]: value }));
    setClientErrors((current) => {
      if (!(fieldId in current)) return current;
      const { [fieldId]: _resolved, ...rest } = current;
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
      (textarea ?? element).focus();
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
    const byField: Record<string, string> = {};
    const general: string[] = [];
    for (const error of problem?.fieldErrors ?? []) {
      const fieldId = fieldOfError(template, error.field);
      const message = readableError(error.message);
      if (fieldId) byField[fieldId] ??= message;
      else general.push(`${error.field}: ${message}`);
    }
    return { byField, general };
  }, [problem, template]);

  useEffect(() => {
    const first = template.fields.find((field) => field.id in serverErrors.byField);
    if (first) focusFieldById(first.id);
  }, [serverErrors, template.fields, focusFieldById]);

  const submit = useCallback(() => {
    const missing = missingAnswers(template, label);
    setClientErrors(missing);
    const firstMissing = template.fields.find((field) => field.id in missing);
    if (firstMissing) {
      focusFieldById(firstMissing.id);
      setAnnouncement(`${firstMissing.label} is required.`);
      return;
    }
    onSubmit(labelForSubmission(template, label, responses[0]?.text ?? ""), time.read());
  }, [template, label, focusFieldById, onSubmit, responses, time]);

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
      if (isNumberedAction(action)) {
        const outcome = resolveNumberedShortcut(action, field, spansField, label);
        if (outcome?.kind === "value") {
          setValue(outcome.fieldId, outcome.value);
          if (outcome.advance) advance();
        } else if (outcome?.kind === "category") {
          markSelection(outcome.category);
        }
        return;
      }

      if (moveInReader(action, reader)) return;

      switch (action) {
        case "submit":
          submit();
          return;
        case "skip":
          setSkipOpen(true);
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
        field ? rankCursor[field.id] : undefined,
      );
      if (!change) return;
      if (change.value !== undefined) setValue(change.fieldId, change.value);
      if (change.cursor !== undefined) {
        const cursor = change.cursor;
        setRankCursor((current) => ({ ...current, [change.fieldId]: cursor }));
      }
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
      markSelection,
      submit,
      focusFieldById,
      responses,
      rankCursor,
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

  const errorFor = (fieldId: string) => clientErrors[fieldId] ?? serverErrors.byField[fieldId];
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
          <h1>Label this item</h1>
        </div>
        <div className="labeling-status">
          <span className="time-on-item" title="Time on this item while the page is in front">
            <span className="visually-hidden">Time on item </span>
            {formatDuration(time.shownMs)}
          </span>
          <span role="status" className={`save-status save-status-${autosave.status}`}>
            {saveStatusText[autosave.status]}
          </span>
          <button type="button" className="button" onClick={() => setSkipOpen(true)}>
            Skip <Kbd keymap={keymap} action="skip" />
          </button>
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
            <FormAlert errors={formErrors.length > 0 ? formErrors : undefined} />
            <div ref={fieldsRef} className="label-fields">
              {template.fields.map((field) => {
                const common = {
                  label,
                  keymap,
                  error: errorFor(field.id),
                  onChange: setValue,
                };
                switch (field.type) {
                  case "rating":
                    return <RatingField key={field.id} field={field} {...common} />;
                  case "preference":
                    return <PreferenceField key={field.id} field={field} {...common} />;
                  case "ranking":
                    return (
                      <RankingField
                        key={field.id}
                        field={field}
                        {...common}
                        responses={responses}
                        cursor={rankCursor[field.id] ?? 0}
                        onCursor={(index) =>
                          setRankCursor((current) => ({ ...current, [field.id]: index }))
                        }
                      />
                    );
                  case "choice":
                    return <ChoiceField key={field.id} field={field} {...common} />;
                  case "spans":
                    return (
                      <SpansField
                        key={field.id}
                        field={field}
                        {...common}
                        responses={responses}
                        activeSpan={activeSpan?.fieldId === field.id ? activeSpan.index : null}
                        onActiveSpan={(index) =>
                          setActiveSpan(index === null ? null : { fieldId: field.id, index })
                        }
                        onMarkSelection={markSelection}
                      />
                    );
                  case "text":
                    return <TextField key={field.id} field={field} {...common} />;
                  case "rewrite":
                    return responses[0] ? (
                      <RewriteField
                        key={field.id}
                        field={field}
                        {...common}
                        original={responses[0]}
                      />
                    ) : null;
                }
              })}
            </div>
            <div className="submit-bar">
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? "Submitting…" : "Submit and next"}
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
          />
        ) : null}
      </div>

      <SkipDialog
        open={skipOpen}
        busy={busy}
        onClose={() => setSkipOpen(false)}
        onSkip={(reason) => {
          autosave.discardLocalCopy();
          onSkip(reason);
        }}
      />
      <div aria-live="polite" className="visually-hidden">
        {announcement}
      </div>
    </div>
  );
}
