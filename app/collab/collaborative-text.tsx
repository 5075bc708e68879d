import { standardKeymap } from "@codemirror/commands";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder as placeholderText } from "@codemirror/view";
import { useEffect, useRef } from "react";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { cursorAwareness } from "./presence.ts";

export interface CollaborativeTextProps {
  text: Y.Text;
  awareness: Awareness;
  readOnly: boolean;
  labelledBy: string;
  describedBy?: string;
  placeholder?: string;
  invalid?: boolean;
  onFocus?: () => void;
}

const theme = EditorView.theme({
  "&": { fontSize: "0.95rem" },
  // Room above the first line for the name tags of the others' carets.
  ".cm-content": {
    fontFamily: "var(--font-sans)",
    padding: "1.1rem 0 var(--space-2)",
    minHeight: "6rem",
  },
  ".cm-line": { padding: "0 var(--space-3)" },
  "&.cm-focused": { outline: "none" },
  ".cm-ySelectionInfo": {
    fontFamily: "var(--font-sans)",
    fontSize: "0.72rem",
    padding: "1px 4px",
    borderRadius: "3px",
    opacity: "1",
    top: "-1.35em",
  },
});

/**
 * A CodeMirror 6 editor bound to a shared Y.Text: every participant's keystrokes merge, and the
 * others' carets and selections show in their colours with their names. Undo undoes only one's
 * own changes. Mod+Enter is left to the page (it publishes), so it is not bound here.
 */
export function CollaborativeText({
  text,
  awareness,
  readOnly,
  labelledBy,
  describedBy,
  placeholder,
  invalid,
  onFocus,
}: CollaborativeTextProps) {
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const editable = useRef(new Compartment());
  const latestReadOnly = useRef(readOnly);
  latestReadOnly.current = readOnly;
  const latestNaming = useRef<EditorNaming>({ labelledBy, describedBy, invalid });
  latestNaming.current = { labelledBy, describedBy, invalid };

  useEffect(() => {
    if (!parent.current) return;
    const undoManager = new Y.UndoManager(text);
    const readOnlyNow = latestReadOnly.current;
    const sharedAwareness = cursorAwareness(awareness);
    const created = new EditorView({
      parent: parent.current,
      state: EditorState.create({
        doc: text.toString(),
        extensions: [
          keymap.of([...yUndoManagerKeymap, ...standardKeymap]),
          EditorView.lineWrapping,
          theme,
          yCollab(text, sharedAwareness, { undoManager }),
          editable.current.of([
            EditorState.readOnly.of(readOnlyNow),
            EditorView.editable.of(!readOnlyNow),
          ]),
          EditorView.contentAttributes.of({
            "aria-multiline": "true",
            role: "textbox",
            dir: "auto",
          }),
          ...(placeholder ? [placeholderText(placeholder)] : []),
        ],
      }),
    });
    view.current = created;
    // A new editor (a new awareness or placeholder, not only a new text) needs its name too.
    nameEditor(created.contentDOM, latestNaming.current);
    // y-codemirror clears this browser's caret only while the editor has focus; leaving the
    // editor (for a button, another field or another tab) would leave it drawn for the others.
    const clearOwnCaret = () => {
      if (awareness.getLocalState()?.cursor != null) awareness.setLocalStateField("cursor", null);
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") clearOwnCaret();
    };
    created.contentDOM.addEventListener("blur", clearOwnCaret);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      created.contentDOM.removeEventListener("blur", clearOwnCaret);
      document.removeEventListener("visibilitychange", onVisibility);
      clearOwnCaret();
      created.destroy();
      sharedAwareness.destroy();
      undoManager.destroy();
      view.current = null;
    };
  }, [text, awareness, placeholder]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([
        EditorState.readOnly.of(readOnly),
        EditorView.editable.of(!readOnly),
      ]),
    });
  }, [readOnly]);

  useEffect(() => {
    const content = view.current?.contentDOM;
    if (content) nameEditor(content, latestNaming.current);
  }, [labelledBy, describedBy, invalid, text]);

  return (
    <div
      ref={parent}
      className={readOnly ? "collab-text collab-text-readonly" : "collab-text"}
      onFocus={onFocus}
    />
  );
}

interface EditorNaming {
  labelledBy: string;
  describedBy?: string;
  invalid?: boolean;
}

/** The editable element's accessible name, description and validity, from the field around it. */
function nameEditor(content: HTMLElement, { labelledBy, describedBy, invalid }: EditorNaming) {
  content.setAttribute("aria-labelledby", labelledBy);
  if (describedBy) content.setAttribute("aria-describedby", describedBy);
  else content.removeAttribute("aria-describedby");
  if (invalid) content.setAttribute("aria-invalid", "true");
  else content.removeAttribute("aria-invalid");
}
