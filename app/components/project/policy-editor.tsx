import { useEffect, useId, useMemo, useState } from "react";
import { ErrorList } from "~/components/field.tsx";
import {
  DEFAULT_SPREAD_SHARE,
  defaultFieldPolicy,
  defaultSpreadAtLeast,
  type DisputePolicy,
} from "~/domain/disputes.ts";
import { checkDisputePolicy } from "~/domain/template-messages.ts";
import { templateFieldSchema, type TemplateField } from "~/domain/template.ts";
import {
  draftToPolicy,
  emptyDraftPolicy,
  policyToDraft,
  type DraftPolicy,
} from "./template-draft.ts";

export interface PolicyEditorProps {
  /** The form field the policy is sent in, as JSON. */
  name: string;
  /** The template's fields as they stand (fields that are not valid yet are left out). */
  fields: ReadonlyArray<unknown>;
  initial: DisputePolicy;
  errors?: string[];
}

const isPolicyRecord = (value: unknown): value is DisputePolicy =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The dispute policy as a form, one row of rules per field, each input empty for the default
 * and showing that default (scale-aware for ratings, as `app/domain/disputes.ts` computes it).
 * The JSON stays available ("Advanced"), in step both ways.
 */
export function PolicyEditor({ name, fields, initial, errors }: PolicyEditorProps) {
  const id = useId();
  const templateFields = useMemo(
    () =>
      fields.flatMap((raw) => {
        const parsed = templateFieldSchema.safeParse(raw);
        return parsed.success ? [parsed.data] : [];
      }),
    [fields],
  );
  const [drafts, setDrafts] = useState<Record<string, DraftPolicy>>(() =>
    Object.fromEntries(Object.entries(initial).map(([key, value]) => [key, policyToDraft(value)])),
  );
  const policy = useMemo(() => {
    const result: Record<string, Record<string, unknown>> = {};
    for (const field of templateFields) {
      const entry = draftToPolicy(drafts[field.id] ?? emptyDraftPolicy, field.type);
      if (Object.keys(entry).length > 0) result[field.id] = entry;
    }
    return result;
  }, [drafts, templateFields]);
  const json = useMemo(() => JSON.stringify(policy, null, 2), [policy]);
  const [jsonText, setJsonText] = useState(json);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [editingJson, setEditingJson] = useState(false);
  useEffect(() => {
    if (!editingJson) setJsonText(json);
  }, [json, editingJson]);

  const template = { fields: templateFields };
  const problems = checkDisputePolicy(policy, template);
  const change = (fieldId: string, update: Partial<DraftPolicy>) =>
    setDrafts((current) => ({
      ...current,
      [fieldId]: { ...(current[fieldId] ?? emptyDraftPolicy), ...update },
    }));

  const onJsonInput = (value: string) => {
    setJsonText(value);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      setJsonError(
        `This is not valid JSON yet (${error instanceof Error ? error.message : String(error)}); the form keeps the last valid version.`,
      );
      return;
    }
    if (!isPolicyRecord(parsed)) {
      setJsonError("A dispute policy is an object from field ids to their rules.");
      return;
    }
    setJsonError(null);
    setDrafts(
      Object.fromEntries(
        Object.entries(parsed).map(([key, value]) => [
          key,
          policyToDraft(isPolicyRecord(value) ? value : undefined),
        ]),
      ),
    );
  };

  return (
    <div className="policy-editor">
      <input type="hidden" name={name} value={JSON.stringify(policy)} />
      <ErrorList errors={errors} />
      <ErrorList errors={problems.map((problem) => problem.message)} />
      {templateFields.map((field, index) => (
        <PolicyRow
          key={`${index}-${field.id}`}
          field={field}
          number={index + 1}
          draft={drafts[field.id] ?? emptyDraftPolicy}
          onChange={(update) => change(field.id, update)}
        />
      ))}
      <details className="builder-json">
        <summary>Advanced: the dispute policy as JSON</summary>
        <textarea
          className="textarea mono"
          rows={8}
          spellCheck={false}
          aria-label="Dispute policy (JSON)"
          id={`${id}-json`}
          value={jsonText}
          onFocus={() => setEditingJson(true)}
          onBlur={() => {
            setEditingJson(false);
            if (!jsonError) setJsonText(json);
          }}
          onChange={(event) => onJsonInput(event.target.value)}
        />
        {jsonError ? <ErrorList errors={[jsonError]} /> : null}
      </details>
    </div>
  );
}

function PolicyRow({
  field,
  number,
  draft,
  onChange,
}: {
  field: TemplateField;
  number: number;
  draft: DraftPolicy;
  onChange: (update: Partial<DraftPolicy>) => void;
}) {
  const id = useId();
  const compared = field.type !== "text" && field.type !== "rewrite";
  return (
    <fieldset className="policy-field" data-policy-field={field.id}>
      <legend>
        Field {number} ({field.label}) <span className="muted small mono">{field.id}</span>
      </legend>
      {!compared ? (
        <p className="muted small">
          Free text is not compared: it settles only when every annotator wrote the same.
        </p>
      ) : (
        <>
          <div className="checkbox-field">
            <input
              type="checkbox"
              id={`${id}-ignore`}
              checked={draft.ignore}
              onChange={(event) => onChange({ ignore: event.target.checked })}
            />
            <label htmlFor={`${id}-ignore`}>
              Leave agreement unchecked
              <span className="field-hint">
                The field settles on its aggregate whatever the spread.
              </span>
            </label>
          </div>
          <PolicyInputs field={field} id={id} draft={draft} onChange={onChange} />
        </>
      )}
    </fieldset>
  );
}

function NumberInput({
  id,
  label,
  hint,
  value,
  placeholder,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <p id={`${id}-hint`} className="field-hint">
        {hint}
      </p>
      <input
        id={id}
        value={value}
        placeholder={placeholder}
        inputMode="decimal"
        autoComplete="off"
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}

function PolicyInputs({
  field,
  id,
  draft,
  onChange,
}: {
  field: TemplateField;
  id: string;
  draft: DraftPolicy;
  onChange: (update: Partial<DraftPolicy>) => void;
}) {
  switch (field.type) {
    case "rating": {
      const fallback = defaultSpreadAtLeast(field);
      return (
        <NumberInput
          id={`${id}-spread`}
          label="Disputed when ratings spread by at least"
          hint={`Empty: ${fallback}, which is ${Math.round(DEFAULT_SPREAD_SHARE * 100)} % of the ${field.min}–${field.max} range and at least 1.`}
          value={draft.spreadAtLeast}
          placeholder={String(fallback)}
          onChange={(spreadAtLeast) => onChange({ spreadAtLeast })}
        />
      );
    }
    case "preference":
      return (
        <div className="field">
          <label htmlFor={`${id}-compare`}>Disputed when</label>
          <select
            id={`${id}-compare`}
            value={draft.compare}
            onChange={(event) =>
              onChange({ compare: event.target.value as DraftPolicy["compare"] })
            }
          >
            <option value="">
              Default ({defaultFieldPolicy.compare}): directions differ, a tie against a preference
              too
            </option>
            <option value="direction">Directions differ, a tie against a preference too</option>
            <option value="value">Any two values differ</option>
          </select>
        </div>
      );
    case "choice":
      return (
        <NumberInput
          id={`${id}-share`}
          label="Share the most chosen option needs"
          hint="From 0 to 1 (1: unanimous). Empty: more than half."
          value={draft.minShare}
          placeholder="more than half"
          onChange={(minShare) => onChange({ minShare })}
        />
      );
    case "spans":
      return (
        <div className="field-grid">
          <NumberInput
            id={`${id}-f1`}
            label="Disputed when mean pairwise F1 is below"
            hint={`From 0 to 1. Empty: ${defaultFieldPolicy.minF1}.`}
            value={draft.minF1}
            placeholder={String(defaultFieldPolicy.minF1)}
            onChange={(minF1) => onChange({ minF1 })}
          />
          <div className="field">
            <label htmlFor={`${id}-match`}>Spans match by</label>
            <select
              id={`${id}-match`}
              value={draft.spanMatch}
              onChange={(event) =>
                onChange({ spanMatch: event.target.value as DraftPolicy["spanMatch"] })
              }
            >
              <option value="">Default ({defaultFieldPolicy.spanMatch})</option>
              <option value="overlap">overlap</option>
              <option value="exact">exact offsets</option>
            </select>
          </div>
        </div>
      );
    case "ranking":
      return (
        <NumberInput
          id={`${id}-tau`}
          label="Disputed when mean pairwise Kendall τ is below"
          hint={`From −1 to 1. Empty: ${defaultFieldPolicy.minKendallTau}.`}
          value={draft.minKendallTau}
          placeholder={String(defaultFieldPolicy.minKendallTau)}
          onChange={(minKendallTau) => onChange({ minKendallTau })}
        />
      );
    case "text":
    case "rewrite":
      return null;
  }
}
