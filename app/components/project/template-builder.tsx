import { useEffect, useId, useMemo, useState, type ReactNode } from "react";
import { ErrorList } from "~/components/field.tsx";
import { checkTemplate, type TemplateProblem } from "~/domain/template-messages.ts";
import type { TemplateFieldType } from "~/domain/template.ts";
import {
  draftToTemplate,
  fieldTypes,
  moveDraftField,
  newDraftField,
  templateToDraft,
  updateDraftField,
  type DraftField,
} from "./template-draft.ts";
import { TemplatePreview } from "./template-preview.tsx";

export interface TemplateBuilderProps {
  /** The form field the template is sent in, as JSON. */
  name: string;
  /** The template to start from (a preset's, or the project's). */
  initial: unknown;
  /** Errors the server gave for the last submission. */
  errors?: string[];
  /** Told of every change, with the template as it would be sent. */
  onChange?: (template: { fields: unknown[] }) => void;
}

/**
 * Builds a label template by form: fields added, removed and reordered, each with its label,
 * help text, id, whether it is required and its type's options. Problems are named in words as
 * they arise, the preview shows the labeling form as annotators will see it, and the JSON stays
 * one click away ("Advanced"), in step both ways.
 */
export function TemplateBuilder({ name, initial, errors, onChange }: TemplateBuilderProps) {
  const [fields, setFields] = useState<DraftField[]>(() => templateToDraft(initial) ?? []);
  const [newType, setNewType] = useState<TemplateFieldType>("rating");
  const template = useMemo(() => draftToTemplate(fields), [fields]);
  const json = useMemo(() => JSON.stringify(template, null, 2), [template]);
  const check = useMemo(() => checkTemplate(template), [template]);
  const [jsonText, setJsonText] = useState(json);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [editingJson, setEditingJson] = useState(false);
  const id = useId();

  useEffect(() => {
    onChange?.(template);
  }, [template, onChange]);
  // The JSON view follows the form, except while someone is typing in it.
  useEffect(() => {
    if (!editingJson) setJsonText(json);
  }, [json, editingJson]);

  const update = (index: number, change: Partial<DraftField>) =>
    setFields((current) => updateDraftField(current, index, change));

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
    const draft = templateToDraft(parsed);
    if (!draft) {
      setJsonError('A template is an object with a list of fields: { "fields": [ … ] }.');
      return;
    }
    setJsonError(null);
    setFields(draft);
  };

  const problemsOf = (index: number) =>
    check.problems.filter((problem) => problem.fieldIndex === index);
  const general = check.problems.filter((problem) => problem.fieldIndex === null);
  // The server's own words for a problem still shown where it is, by the field, are not repeated.
  const serverErrors = errors?.filter(
    (message) => !check.problems.some((problem) => problem.message === message),
  );

  return (
    <div className="template-builder">
      <input type="hidden" name={name} value={JSON.stringify(template)} />
      <ErrorList errors={serverErrors} />
      <ProblemSummary problems={check.problems} />
      {general.length > 0 ? <ErrorList errors={general.map((p) => p.message)} /> : null}
      <ol className="builder-fields">
        {fields.map((field, index) => (
          <li key={field.key}>
            <FieldEditor
              field={field}
              index={index}
              count={fields.length}
              problems={problemsOf(index)}
              onChange={(change) => update(index, change)}
              onMove={(by) => setFields((current) => moveDraftField(current, index, by))}
              onRemove={() =>
                setFields((current) => current.filter((_, position) => position !== index))
              }
            />
          </li>
        ))}
      </ol>
      <div className="builder-add">
        <label htmlFor={`${id}-new-type`}>New field of type</label>
        <select
          id={`${id}-new-type`}
          className="select"
          value={newType}
          onChange={(event) => setNewType(event.target.value as TemplateFieldType)}
        >
          {fieldTypes.map((entry) => (
            <option key={entry.type} value={entry.type}>
              {entry.name}: {entry.hint}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button"
          onClick={() => setFields((current) => [...current, newDraftField(newType, current)])}
        >
          Add field
        </button>
      </div>
      <details className="builder-json">
        <summary>Advanced: the template as JSON</summary>
        <p className="field-hint" id={`${id}-json-hint`}>
          The same template as the form above; edit either and the other follows.
        </p>
        <textarea
          className="textarea mono"
          rows={16}
          spellCheck={false}
          aria-label="Template (JSON)"
          aria-describedby={`${id}-json-hint`}
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
      <TemplatePreview fields={template.fields} />
    </div>
  );
}

function ProblemSummary({ problems }: { problems: ReadonlyArray<TemplateProblem> }) {
  return (
    <p className="builder-summary small" role="status">
      {problems.length === 0
        ? "The template is complete."
        : `${problems.length} ${problems.length === 1 ? "thing needs" : "things need"} fixing before the template can be saved.`}
    </p>
  );
}

interface FieldEditorProps {
  field: DraftField;
  index: number;
  count: number;
  problems: ReadonlyArray<TemplateProblem>;
  onChange: (change: Partial<DraftField>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

function FieldEditor({
  field,
  index,
  count,
  problems,
  onChange,
  onMove,
  onRemove,
}: FieldEditorProps) {
  const id = useId();
  const number = index + 1;
  const problemFor = (...properties: string[]) =>
    problems
      .filter((problem) => problem.property !== null && properties.includes(problem.property))
      .map((problem) => problem.message);
  const other = problems
    .filter(
      (problem) =>
        problem.property === null ||
        ![
          "label",
          "id",
          "description",
          "min",
          "max",
          "options",
          "categories",
          "severities",
        ].includes(problem.property),
    )
    .map((problem) => problem.message);
  const typeName = fieldTypes.find((entry) => entry.type === field.type)?.name ?? field.type;

  return (
    <fieldset
      className={problems.length > 0 ? "builder-field builder-field-invalid" : "builder-field"}
      data-builder-field={number}
    >
      <legend>
        Field {number} · {typeName}
      </legend>
      <div className="builder-field-tools">
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label={`Move field ${number} up`}
          disabled={index === 0}
          onClick={() => onMove(-1)}
        >
          ↑ Up
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label={`Move field ${number} down`}
          disabled={index === count - 1}
          onClick={() => onMove(1)}
        >
          ↓ Down
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label={`Remove field ${number}`}
          onClick={onRemove}
        >
          Remove
        </button>
      </div>
      <div className="field-grid">
        <BuilderInput
          label="Label"
          id={`${id}-label`}
          value={field.label}
          errors={problemFor("label")}
          onChange={(label) => onChange({ label })}
        />
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select
            id={`${id}-type`}
            className="select"
            value={field.type}
            onChange={(event) => onChange({ type: event.target.value as TemplateFieldType })}
          >
            {fieldTypes.map((entry) => (
              <option key={entry.type} value={entry.type}>
                {entry.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <BuilderTextArea
        label="Help text"
        id={`${id}-description`}
        value={field.description}
        rows={2}
        hint="Shown under the label: what to judge and how."
        errors={problemFor("description")}
        onChange={(description) => onChange({ description })}
      />
      <div className="field-grid">
        <BuilderInput
          label="Id"
          id={`${id}-id`}
          value={field.id}
          className="input mono"
          hint="The key of this field in labels and exports."
          errors={problemFor("id")}
          onChange={(fieldId) => onChange({ id: fieldId })}
        />
        <div className="checkbox-field">
          <input
            type="checkbox"
            id={`${id}-required`}
            checked={field.required}
            onChange={(event) => onChange({ required: event.target.checked })}
          />
          <label htmlFor={`${id}-required`}>Required</label>
        </div>
      </div>
      <TypeOptions field={field} id={id} problemFor={problemFor} onChange={onChange} />
      <ErrorList errors={other} />
    </fieldset>
  );
}

function TypeOptions({
  field,
  id,
  problemFor,
  onChange,
}: {
  field: DraftField;
  id: string;
  problemFor: (...properties: string[]) => string[];
  onChange: (change: Partial<DraftField>) => void;
}): ReactNode {
  switch (field.type) {
    case "rating":
      return (
        <div className="field-grid">
          <BuilderInput
            label="Lowest point"
            id={`${id}-min`}
            value={field.min}
            inputMode="numeric"
            errors={problemFor("min")}
            onChange={(min) => onChange({ min })}
          />
          <BuilderInput
            label="Highest point"
            id={`${id}-max`}
            value={field.max}
            inputMode="numeric"
            errors={problemFor("max")}
            onChange={(max) => onChange({ max })}
          />
          <div className="field">
            <label htmlFor={`${id}-level`}>Agreement measured as</label>
            <select
              id={`${id}-level`}
              className="select"
              value={field.level}
              onChange={(event) => onChange({ level: event.target.value as DraftField["level"] })}
            >
              <option value="ordinal">ordinal: only the order of points counts</option>
              <option value="interval">interval: distances between points count</option>
            </select>
          </div>
        </div>
      );
    case "preference":
      return (
        <div className="field">
          <label htmlFor={`${id}-scale`}>Scale</label>
          <select
            id={`${id}-scale`}
            className="select"
            value={field.scale}
            onChange={(event) => onChange({ scale: event.target.value as DraftField["scale"] })}
          >
            <option value="1">3 points: A better, tie, B better</option>
            <option value="2">5 points: adds “slightly” and “clearly”</option>
          </select>
        </div>
      );
    case "choice":
      return (
        <>
          <BuilderTextArea
            label="Options, one per line"
            id={`${id}-options`}
            value={field.options}
            rows={4}
            errors={problemFor("options")}
            onChange={(options) => onChange({ options })}
          />
          <div className="checkbox-field">
            <input
              type="checkbox"
              id={`${id}-multiple`}
              checked={field.multiple}
              onChange={(event) => onChange({ multiple: event.target.checked })}
            />
            <label htmlFor={`${id}-multiple`}>Several may be chosen</label>
          </div>
        </>
      );
    case "spans":
      return (
        <div className="field-grid">
          <BuilderTextArea
            label="Categories, one per line"
            id={`${id}-categories`}
            value={field.categories}
            rows={4}
            errors={problemFor("categories")}
            onChange={(categories) => onChange({ categories })}
          />
          <BuilderTextArea
            label="Severities, least severe first"
            id={`${id}-severities`}
            value={field.severities}
            rows={4}
            errors={problemFor("severities")}
            onChange={(severities) => onChange({ severities })}
          />
        </div>
      );
    case "ranking":
      return <p className="muted small">Annotators order every response of an item, best first.</p>;
    case "text":
      return <p className="muted small">A free-text answer, such as a critique.</p>;
    case "rewrite":
      return (
        <p className="muted small">The annotator edits the first response into a corrected one.</p>
      );
  }
}

interface BuilderControlProps {
  label: string;
  id: string;
  value: string;
  errors: string[];
  hint?: string;
  onChange: (value: string) => void;
}

/** A labelled control with its hint and errors, which the control is described by. */
function BuilderField({
  label,
  id,
  errors,
  hint,
  children,
}: Omit<BuilderControlProps, "value" | "onChange"> & {
  children: (described: {
    "aria-invalid": true | undefined;
    "aria-describedby": string | undefined;
  }) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, errors.length > 0 ? `${id}-errors` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {children({
        "aria-invalid": errors.length > 0 || undefined,
        "aria-describedby": describedBy || undefined,
      })}
      <ErrorList id={`${id}-errors`} errors={errors} />
    </div>
  );
}

function BuilderInput({
  className = "input",
  inputMode,
  ...control
}: BuilderControlProps & { className?: string; inputMode?: "numeric" }) {
  return (
    <BuilderField {...control}>
      {(described) => (
        <input
          id={control.id}
          className={className}
          value={control.value}
          inputMode={inputMode}
          autoComplete="off"
          {...described}
          onChange={(event) => control.onChange(event.target.value)}
        />
      )}
    </BuilderField>
  );
}

function BuilderTextArea({ rows, ...control }: BuilderControlProps & { rows: number }) {
  return (
    <BuilderField {...control}>
      {(described) => (
        <textarea
          id={control.id}
          className="textarea"
          rows={rows}
          value={control.value}
          {...described}
          onChange={(event) => control.onChange(event.target.value)}
        />
      )}
    </BuilderField>
  );
}
