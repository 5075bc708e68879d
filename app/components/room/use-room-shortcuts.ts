import { useCallback, useEffect, useRef, type RefObject } from "react";
import { EditorView } from "@codemirror/view";
import {
  NUMBER_ENTRY_PAUSE_MS,
  chooseNumber,
  digitOfAction,
  enterDigit,
  numberTargetOf,
  resolveFieldShortcut,
  type NumberInProgress,
  type NumberTarget,
  type TypedNumber,
} from "~/components/labeling/field-shortcuts.ts";
import type { ResponseInfo } from "~/components/labeling/fields.tsx";
import type { DraftLabel } from "~/components/labeling/label-draft.ts";
import { isTextInput, moveInReader } from "~/components/labeling/workspace.tsx";
import { placeCaretInside } from "~/components/markdown/selection.ts";
import {
  chordFromKeyPress,
  resolveShortcut,
  type Keymap,
  type ShortcutScope,
} from "~/domain/shortcuts.ts";
import type { Template, TemplateField } from "~/domain/template.ts";

const scopeOfField: Partial<Record<TemplateField["type"], ShortcutScope>> = {
  rating: "rating",
  preference: "preference",
  ranking: "ranking",
  choice: "choice",
};

export interface RoomShortcuts {
  keymap: Keymap;
  template: Template;
  label: DraftLabel;
  responses: ReadonlyArray<ResponseInfo>;
  /** Edits are offered: the viewer edits and the room is open. Moving around always works. */
  editable: boolean;
  fieldsRef: RefObject<HTMLElement | null>;
  readerRefs: RefObject<Array<HTMLElement | null>>;
  rankCursor: Record<string, number>;
  setRankCursor: (fieldId: string, index: number) => void;
  setValue: (fieldId: string, value: unknown) => void;
  markSelection: (category: string) => void;
  /** Sets the severity of the span marked last (by `markSelection`). */
  setSeverity: (severity: string) => void;
  /** What the page tells screen readers (a number being typed, nothing to choose). */
  announce: (message: string) => void;
  /** What the labeling page's "submit" chord does here: go to the Publish button. */
  onSubmitChord: () => void;
  toggleLegend: () => void;
}

/**
 * What the keys do from the discussion and the publish panel's buttons, where Ctrl+Enter leaves
 * the keyboard user: move around and show the shortcuts, but never change the draft unseen.
 */
const keysOutsideTheDraft = new Set([
  "toggleLegend",
  "nextField",
  "previousField",
  "focusText",
  "focusRewrite",
  "focusResponse1",
  "focusResponse2",
]);

/** A number being typed, and the pause after which it is taken. */
interface NumberEntry {
  entry: NumberInProgress;
  timer: number;
}

/**
 * The labeling page's keyboard shortcuts, as each user has mapped them, in the room: j/k between
 * fields, number keys and arrows in a field, a/b to read a response and a category number to
 * mark the selection, the severity key and a number for the span marked last, c and w for the
 * critique and the rewrite, ? for the legend. Digits type numbers as on the labeling page
 * (`enterDigit`, docs/decisions/025-number-keys.md): 1 then 2 is the twelfth option. Fields
 * change the shared draft, so everyone sees a keyboard edit at once. Returns `focusField`, which
 * goes to a field by its position as j and k do.
 */
export function useRoomShortcuts(options: RoomShortcuts): { focusField: (index: number) => void } {
  const latest = useRef(options);
  latest.current = options;
  const numberEntry = useRef<NumberEntry | null>(null);
  // After the severity key, the next number is a severity for the span marked last.
  const severityNext = useRef(false);

  useEffect(() => () => window.clearTimeout(numberEntry.current?.timer), []);

  const fieldElements = useCallback(
    () => [
      ...(latest.current.fieldsRef.current?.querySelectorAll<HTMLElement>("[data-field-id]") ?? []),
    ],
    [],
  );
  const focusField = useCallback(
    (index: number) => {
      const element = fieldElements()[index];
      if (!element) return;
      const editor = element.querySelector<HTMLElement>(".cm-content");
      const view = editor ? EditorView.findFromDOM(editor) : null;
      if (view) {
        // Focusing the editor's element alone leaves the caret at the start; the keys promise
        // the end of what is written, to go on writing.
        view.dispatch({ selection: { anchor: view.state.doc.length } });
        view.focus();
      } else (editor ?? element).focus();
      element.scrollIntoView({ block: "nearest" });
    },
    [fieldElements],
  );

  useEffect(() => {
    const focusFieldOfType = (type: TemplateField["type"]) => {
      focusField(latest.current.template.fields.findIndex((field) => field.type === type));
    };

    /** Applies a typed number; `fieldIndex` is the field to move on from, or null to stay. */
    const applyNumber = ({ target, number }: TypedNumber, fieldIndex: number | null) => {
      const current = latest.current;
      if (!current.editable) return;
      const outcome = chooseNumber(target, number, current.label);
      if (outcome?.kind === "value") {
        current.setValue(outcome.fieldId, outcome.value);
        // A second number in the same moment (a multiple choice) builds on this one.
        current.label = { ...current.label, [outcome.fieldId]: outcome.value };
        if (outcome.advance && fieldIndex !== null) focusField(fieldIndex + 1);
      } else if (outcome?.kind === "category") {
        current.markSelection(outcome.category);
      } else if (outcome?.kind === "severity") {
        current.setSeverity(outcome.severity);
      }
    };

    /** Takes the number being typed now, without moving on: another key has been pressed. */
    const flushNumber = () => {
      const typing = numberEntry.current;
      if (!typing) return;
      window.clearTimeout(typing.timer);
      numberEntry.current = null;
      const { target, number } = typing.entry;
      if (number !== null) applyNumber({ target, number }, null);
    };

    const typeNumber = (target: NumberTarget, digit: string, fieldIndex: number) => {
      const typing = numberEntry.current;
      if (typing) window.clearTimeout(typing.timer);
      numberEntry.current = null;
      const effect = enterDigit(typing?.entry ?? null, target, digit);
      // A digit that starts a new number leaves the one before it standing.
      if (effect.flushed) applyNumber(effect.flushed, null);
      if (effect.complete) {
        applyNumber(effect.complete, fieldIndex);
        return;
      }
      const pending = effect.pending;
      if (!pending) {
        latest.current.announce(`Nothing here has the number ${digit}.`);
        return;
      }
      const timer = window.setTimeout(() => {
        numberEntry.current = null;
        if (pending.number !== null) {
          applyNumber({ target: pending.target, number: pending.number }, fieldIndex);
        }
      }, NUMBER_ENTRY_PAUSE_MS);
      numberEntry.current = { entry: pending, timer };
      latest.current.announce(`${pending.typed}…`);
    };

    const onKey = (event: KeyboardEvent) => {
      const {
        keymap,
        template,
        label,
        responses,
        editable,
        readerRefs,
        rankCursor,
        setRankCursor,
        setValue,
        announce,
        onSubmitChord,
        toggleLegend,
      } = latest.current;
      const target = event.target instanceof Element ? event.target : document.body;
      if (target.closest("dialog") || event.defaultPrevented) return;
      const chord = chordFromKeyPress(event);
      if (!chord) return;
      const inTextInput = isTextInput(target);
      // The discussion and the publish form are ordinary forms: keys in their text boxes type.
      const outsideTheDraft = target.closest(".discussion, .publish") !== null;
      if (outsideTheDraft && inTextInput) return;
      const fieldElement = target.closest<HTMLElement>("[data-field-id]");
      const fields = fieldElements();
      const fieldIndex = fieldElement ? fields.indexOf(fieldElement) : -1;
      const field = fieldIndex >= 0 ? template.fields[fieldIndex] : undefined;
      const reader = target.closest<HTMLElement>("[data-reader]");

      if (chord === "Escape" && inTextInput && fieldElement) {
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
      if (!action || (outsideTheDraft && !keysOutsideTheDraft.has(action))) return;
      event.preventDefault();
      const advance = () => focusField(fieldIndex + 1);

      const digit = digitOfAction(action);
      if (digit !== null) {
        const spansField = template.fields.find((candidate) => candidate.type === "spans");
        const numberTarget = editable
          ? numberTargetOf(action, field, spansField, severityNext.current)
          : null;
        severityNext.current = false;
        if (numberTarget) typeNumber(numberTarget, digit, fieldIndex);
        else flushNumber();
        return;
      }
      flushNumber();
      severityNext.current = editable && action === "severity";
      if (severityNext.current) {
        announce("Severity: type its number.");
        return;
      }

      if (moveInReader(action, reader)) return;

      switch (action) {
        case "submit":
          onSubmitChord();
          return;
        case "toggleLegend":
          toggleLegend();
          return;
        case "nextField":
          focusField(fieldIndex + 1);
          return;
        case "previousField":
          focusField(Math.max(0, fieldIndex - 1));
          return;
        case "focusText":
          focusFieldOfType("text");
          return;
        case "focusRewrite":
          focusFieldOfType("rewrite");
          return;
        case "focusResponse1":
        case "focusResponse2": {
          const readerElement = readerRefs.current?.[action === "focusResponse1" ? 0 : 1];
          if (!readerElement) return;
          readerElement.focus();
          placeCaretInside(readerElement);
          return;
        }
        case "leaveReader": {
          window.getSelection()?.collapseToEnd();
          const spansIndex = template.fields.findIndex((candidate) => candidate.type === "spans");
          focusField(Math.max(0, spansIndex));
          return;
        }
      }
      if (!editable || !field) return;

      const change = resolveFieldShortcut(
        action,
        field,
        label,
        responses.map((response) => response.id),
        rankCursor[field.id],
      );
      if (!change) return;
      if (change.value !== undefined) setValue(change.fieldId, change.value);
      if (change.cursor !== undefined) setRankCursor(change.fieldId, change.cursor);
      if (change.advance) advance();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [fieldElements, focusField]);

  return { focusField };
}
