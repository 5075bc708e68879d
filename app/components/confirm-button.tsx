import { useState, type ReactNode } from "react";

/**
 * A destructive submit button that asks once more before it submits. Without JavaScript it
 * submits straight away, which is the form's plain behaviour.
 */
export function ConfirmButton({
  children,
  confirmLabel,
  question,
  name,
  value,
  disabled,
}: {
  children: ReactNode;
  confirmLabel: string;
  question: string;
  name?: string;
  value?: string;
  disabled?: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button
        type="submit"
        name={name}
        value={value}
        className="button button-danger-quiet"
        disabled={disabled}
        onClick={(event) => {
          event.preventDefault();
          setConfirming(true);
        }}
      >
        {children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="submit"
        name={name}
        value={value}
        className="button button-danger"
        disabled={disabled}
        autoFocus
      >
        {confirmLabel}
      </button>
      <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}
