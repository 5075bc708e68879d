import { useEffect, useId, useRef, useState, type FormEvent } from "react";

/** Asks why an item is skipped; the reason goes to the lead with the skip. */
export function SkipDialog({
  open,
  onClose,
  onSkip,
  busy,
}: {
  open: boolean;
  onClose: () => void;
  onSkip: (reason: string) => void;
  busy: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError("Say why you are skipping this item.");
      return;
    }
    onSkip(reason.trim());
  };

  return (
    <dialog
      ref={dialog}
      className="skip-dialog card"
      aria-labelledby={`${id}-title`}
      onClose={onClose}
    >
      <form method="dialog" onSubmit={submit} className="stack" noValidate>
        <h2 id={`${id}-title`}>Skip this item</h2>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <p className="field-hint" id={`${id}-hint`}>
            For example: outside my expertise, prompt is unreadable, conflict of interest.
          </p>
          <input
            id={`${id}-reason`}
            type="text"
            value={reason}
            maxLength={1_000}
            autoFocus
            aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
            aria-invalid={error ? true : undefined}
            onChange={(event) => {
              setReason(event.target.value);
              setError(null);
            }}
          />
          {error ? (
            <p id={`${id}-error`} className="label-field-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            Skip item
          </button>
        </div>
      </form>
    </dialog>
  );
}
