import { useEffect, useRef, type RefObject } from "react";
import {
  isNumberedAction,
  resolveFieldShortcut,
  resolveNumberedShortcut,
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
  }, []);
}
