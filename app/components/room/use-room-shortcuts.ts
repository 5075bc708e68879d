import { useEffect, useRef, type RefObject } from "react";
import { preferenceValueFor, type ResponseInfo } from "~/components/labeling/fields.tsx";
import {
  numberValue,
  stringListValue,
  type DraftLabel,
} from "~/components/labeling/label-draft.ts";
import {
  isNumberedAction,
  resolveNumberedShortcut,
} from "~/components/labeling/numbered-shortcut.ts";
import { caretMoves, isTextInput } from "~/components/labeling/workspace.tsx";
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
  /** What the labeling page's "submit" chord does here: go to the Publish button. */
  onSubmitChord: () => void;
  toggleLegend: () => void;
}

/**
 * The labeling page's keyboard shortcuts, as each user has mapped them, in the room: j/k between
 * fields, number keys and arrows in a field, a/b to read a response and a category number to
 * mark the selection, c and w for the critique and the rewrite, ? for the legend. Fields change
 * the shared draft, so everyone sees a keyboard edit at once.
 */
export function useRoomShortcuts(options: RoomShortcuts): void {
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    const fieldElements = () => [
      ...(latest.current.fieldsRef.current?.querySelectorAll<HTMLElement>("[data-field-id]") ?? []),
    ];
    const focusField = (index: number) => {
      const element = fieldElements()[index];
      if (!element) return;
      const editor = element.querySelector<HTMLElement>(".cm-content");
      (editor ?? element).focus();
      element.scrollIntoView({ block: "nearest" });
    };
    const focusFieldOfType = (type: TemplateField["type"]) => {
      focusField(latest.current.template.fields.findIndex((field) => field.type === type));
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
        markSelection,
        onSubmitChord,
        toggleLegend,
      } = latest.current;
      const target = event.target instanceof Element ? event.target : document.body;
      if (target.closest("dialog") || event.defaultPrevented) return;
      // The discussion and the publish form are ordinary forms: keys there type.
      if (target.closest(".discussion, .publish")) return;
      const chord = chordFromKeyPress(event);
      if (!chord) return;
      const inTextInput = isTextInput(target);
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
      if (!action) return;
      event.preventDefault();
      const advance = () => focusField(fieldIndex + 1);

      if (isNumberedAction(action)) {
        if (!editable) return;
        const spansField = template.fields.find((candidate) => candidate.type === "spans");
        const outcome = resolveNumberedShortcut(action, field, spansField, label);
        if (outcome?.kind === "value") {
          setValue(outcome.fieldId, outcome.value);
          if (outcome.advance) advance();
        } else if (outcome?.kind === "category") {
          markSelection(outcome.category);
        }
        return;
      }

      if (action in caretMoves) {
        const selection = window.getSelection();
        if (!reader || !selection) return;
        placeCaretInside(reader);
        const [alter, direction, granularity] = caretMoves[action];
        selection.modify(alter, direction, granularity);
        return;
      }

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
        case "selectSentence": {
          const selection = window.getSelection();
          if (!reader || !selection) return;
          placeCaretInside(reader);
          selection.collapseToStart();
          selection.modify("move", "backward", "sentenceboundary");
          selection.modify("extend", "forward", "sentenceboundary");
          return;
        }
      }
      if (!editable || !field) return;

      if (field.type === "rating" && (action === "ratingUp" || action === "ratingDown")) {
        const current = numberValue(label, field.id);
        const next =
          current === undefined
            ? action === "ratingUp"
              ? field.min
              : field.max
            : current + (action === "ratingUp" ? 1 : -1);
        setValue(field.id, Math.min(field.max, Math.max(field.min, next)));
        return;
      }
      if (field.type === "preference") {
        const value = preferenceValueFor(action, field.scale);
        if (value !== null) {
          setValue(field.id, value);
          advance();
        }
        return;
      }
      if (field.type === "ranking") {
        const order = stringListValue(label, field.id) ?? responses.map((response) => response.id);
        const cursor = Math.min(rankCursor[field.id] ?? 0, order.length - 1);
        const setCursor = (index: number) =>
          setRankCursor(field.id, Math.max(0, Math.min(order.length - 1, index)));
        if (action === "rankCursorUp") setCursor(cursor - 1);
        if (action === "rankCursorDown") setCursor(cursor + 1);
        if (action === "rankConfirm") {
          setValue(field.id, order);
          advance();
        }
        if (action === "rankMoveUp" || action === "rankMoveDown") {
          const moved = cursor + (action === "rankMoveUp" ? -1 : 1);
          if (moved < 0 || moved >= order.length) return;
          const next = [...order];
          [next[cursor], next[moved]] = [next[moved], next[cursor]];
          setValue(field.id, next);
          setCursor(moved);
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}
