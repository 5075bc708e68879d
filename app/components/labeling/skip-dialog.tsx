import { useEffect, useId, useRef, useState, type FormEvent } from "react";

/** Asks why an item is skipped; the reason goes to the lead with the skip. */
export function SkipDialog(props: DialogProps & { onSkip: (reason: string) => void }) {
  return (
    <NoteDialog
      {...props}
      onConfirm={props.onSkip}
      className="skip-dialog"
      title="Skip this item"
      fieldLabel="Reason"
      hint="For example: outside my expertise, prompt is unreadable, conflict of interest."
      missing="Say why you are skipping this item."
      maxLength={1_000}
      confirm="Skip item"
    />
  );
}

/** Asks what a lead should look at; the item goes to the lead's queue of flags. */
export function FlagDialog(props: DialogProps & { onFlag: (note: string) => void }) {
  return (
    <NoteDialog
      {...props}
      onConfirm={props.onFlag}
      className="skip-dialog flag-dialog"
      title="Flag this item for a lead"
      fieldLabel="Note for the lead"
      hint="What should the lead look at? Your draft is kept: if the lead gives the item back, you continue where you left off."
      missing="Say what the lead should look at."
      maxLength={2_000}
      confirm="Flag item"
    />
  );
}

interface DialogProps {
  open: boolean;
  onClose: () => void;
  busy: boolean;
  /** What the server answered to the last attempt; the note stays for another try. */
  serverError?: string | null;
}

function NoteDialog({
  open,
  onClose,
  onConfirm,
  busy,
  serverError,
  className,
  title,
  fieldLabel,
  hint,
  missing,
  maxLength,
  confirm,
}: DialogProps & {
  onConfirm: (note: string) => void;
  className: string;
  title: string;
  fieldLabel: string;
  hint: string;
  missing: string;
  maxLength: number;
  confirm: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const shownError = error ?? serverError ?? null;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) {
      setError(missing);
      return;
    }
    onConfirm(note.trim());
  };

  return (
    <dialog
      ref={dialog}
      className={`${className} card`}
      aria-labelledby={`${id}-title`}
      onClose={onClose}
    >
      <form method="dialog" onSubmit={submit} className="stack" noValidate>
        <h2 id={`${id}-title`}>{title}</h2>
        <div className="field">
          <label htmlFor={`${id}-note`}>{fieldLabel}</label>
          <p className="field-hint" id={`${id}-hint`}>
            {hint}
          </p>
          <input
            id={`${id}-note`}
            type="text"
            value={note}
            maxLength={maxLength}
            autoFocus
            aria-describedby={shownError ? `${id}-hint ${id}-error` : `${id}-hint`}
            aria-invalid={shownError ? true : undefined}
            onChange={(event) => {
              setNote(event.target.value);
              setError(null);
            }}
          />
          {shownError ? (
            <p id={`${id}-error`} className="label-field-error" role="alert">
              {shownError}
            </p>
          ) : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
