import { useId, useState, type KeyboardEvent } from "react";
import { ErrorList } from "~/components/field.tsx";
import {
  domainProblem,
  NAMED_DOMAINS,
  SUGGESTED_LANGUAGE_DOMAINS,
} from "~/domain/annotator-domains.ts";

export interface TagInputProps {
  label: string;
  /** Each tag is sent as one form entry of this name; so is the text still being typed. */
  name: string;
  defaultValue?: readonly string[];
  suggestions: readonly string[];
  /** Whether a typed tag may be added; returns the reason when not. */
  check?: (tag: string) => string | null;
  hint?: string;
  errors?: string[];
}

/**
 * A list of tags with a text box: Enter or a comma adds what was typed, Backspace in the empty
 * box removes the last tag, each tag has its own remove button, and the browser offers the
 * suggestions as the person types. Without scripts it is a plain text box whose comma-separated
 * text the server splits the same way.
 */
export function TagInput({
  label,
  name,
  defaultValue = [],
  suggestions,
  check,
  hint,
  errors,
}: TagInputProps) {
  const id = useId();
  const [tags, setTags] = useState<string[]>([...defaultValue]);
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const inputId = `${id}-input`;
  const listId = `${id}-suggestions`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const shownErrors = [...(problem ? [problem] : []), ...(errors ?? [])];
  const describedBy = [hint ? hintId : null, shownErrors.length > 0 ? errorId : null]
    .filter(Boolean)
    .join(" ");

  function add(text: string): boolean {
    const tag = text.trim();
    if (tag === "") return true;
    if (tags.includes(tag)) return true;
    const reason = check?.(tag) ?? null;
    if (reason) {
      setProblem(reason);
      return false;
    }
    setTags([...tags, tag]);
    setProblem(null);
    setAnnouncement(`Added ${tag}`);
    return true;
  }

  function remove(tag: string) {
    setTags(tags.filter((existing) => existing !== tag));
    setAnnouncement(`Removed ${tag}`);
    document.getElementById(inputId)?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if ((event.key === "Enter" || event.key === ",") && draft.trim() !== "") {
      event.preventDefault();
      if (add(draft)) setDraft("");
    } else if (event.key === "Backspace" && draft === "" && tags.length > 0) {
      event.preventDefault();
      remove(tags[tags.length - 1]);
    }
  }

  return (
    <div className="field tag-field">
      <label htmlFor={inputId}>{label}</label>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      <div className="tag-input">
        {tags.length > 0 ? (
          <ul className="tag-list" aria-label={`${label}: chosen`}>
            {tags.map((tag) => (
              <li key={tag} className="tag">
                <span>{tag}</span>
                <button
                  type="button"
                  className="tag-remove"
                  aria-label={`Remove ${tag}`}
                  onClick={() => remove(tag)}
                >
                  ×
                </button>
                <input type="hidden" name={name} value={tag} />
              </li>
            ))}
          </ul>
        ) : null}
        <input
          id={inputId}
          name={name}
          type="text"
          list={listId}
          autoComplete="off"
          value={draft}
          onChange={(event) => {
            setDraft(event.currentTarget.value);
            setProblem(null);
          }}
          onKeyDown={onKeyDown}
          aria-invalid={shownErrors.length > 0 || undefined}
          aria-describedby={describedBy || undefined}
        />
      </div>
      <datalist id={listId}>
        {suggestions
          .filter((suggestion) => !tags.includes(suggestion))
          .map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
      </datalist>
      <span role="status" className="visually-hidden">
        {announcement}
      </span>
      <ErrorList id={errorId} errors={shownErrors} />
    </div>
  );
}

const domainSuggestions = [...NAMED_DOMAINS, ...SUGGESTED_LANGUAGE_DOMAINS];

/** An annotator's domains: the named ones and `language:<bcp47>`, as the queue routes by them. */
export function DomainsInput({
  defaultValue,
  errors,
}: {
  defaultValue?: readonly string[];
  errors?: string[];
}) {
  return (
    <TagInput
      label="Domains"
      name="domains"
      defaultValue={defaultValue}
      suggestions={domainSuggestions}
      check={domainProblem}
      hint="Type a domain and press Enter: medical, legal, code, science, finance, general, or language:<code> such as language:de."
      errors={errors}
    />
  );
}
