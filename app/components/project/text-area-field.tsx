import { useId, type TextareaHTMLAttributes } from "react";
import { ErrorList } from "~/components/field.tsx";

export interface TextAreaFieldProps extends Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  "id"
> {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
}

/** A labelled textarea whose errors and hint are announced with it, like Field. */
export function TextAreaField({
  label,
  name,
  errors,
  hint,
  className,
  ...props
}: TextAreaFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const hasErrors = Boolean(errors?.length);
  const describedBy = [hint ? hintId : null, hasErrors ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      <textarea
        id={id}
        name={name}
        className={className ?? "textarea"}
        aria-invalid={hasErrors || undefined}
        aria-describedby={describedBy || undefined}
        {...props}
      />
      {hasErrors ? <ErrorList id={errorId} errors={errors} /> : null}
    </div>
  );
}
