import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { ErrorList, Field, FormAlert } from "~/components/field.tsx";
import { PolicyEditor } from "~/components/project/policy-editor.tsx";
import { TemplateBuilder } from "~/components/project/template-builder.tsx";
import { draftToTemplate, templateToDraft } from "~/components/project/template-draft.ts";
import { TextAreaField } from "~/components/project/text-area-field.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { loadNewProject, submitNewProject } from "./new-project.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction = () => [{ title: "New project · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadNewProject(request, context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return submitNewProject(request, context);
}

const noPolicy = {};

const fieldTypeNames: Record<string, string> = {
  rating: "rating",
  preference: "preference",
  ranking: "ranking",
  choice: "choice",
  spans: "error spans",
  text: "free text",
  rewrite: "rewrite",
};

export default function NewProject() {
  const { presets } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors;
  const navigation = useNavigation();
  const firstPreset = presets[0]?.id ?? "";
  // A refused form comes back with the template part as it was sent, which a page drawn anew
  // (without JavaScript) starts from; a page already running keeps its own state.
  const sent = actionData?.sent;
  const sentTemplate = sent?.source === "custom" ? sent.template : null;
  const [source, setSource] = useState(sent?.source ?? (firstPreset || "custom"));
  // The builder starts from the preset chosen last, so that a preset can be adapted.
  const [startFrom, setStartFrom] = useState(firstPreset);
  const [startTemplate, setStartTemplate] = useState<unknown>(
    () => sentTemplate ?? presets[0]?.template ?? { fields: [] },
  );
  const [built, setBuilt] = useState<{ fields: unknown[] }>(() =>
    draftToTemplate(templateToDraft(startTemplate) ?? []),
  );
  const policyFields =
    source === "custom"
      ? built.fields
      : (presets.find((preset) => preset.id === source)?.template.fields ?? []);

  return (
    <>
      <p className="project-breadcrumb">
        <Link to="/projects">Projects</Link>
      </p>
      <div className="page-heading">
        <h1>New project</h1>
      </div>
      <Form method="post" className="card stack project-form" noValidate>
        <FormAlert errors={errors?.formErrors} />
        <Field
          label="Name"
          name="name"
          required
          maxLength={200}
          autoComplete="off"
          errors={errors?.fieldErrors.name}
        />
        <TextAreaField
          label="Description"
          name="description"
          rows={3}
          hint="What is being labelled, for whom, and what counts as a good label."
          errors={errors?.fieldErrors.description}
        />
        <Field
          label="Domain"
          name="domain"
          autoComplete="off"
          hint="medical, legal, code, science, finance, general or language:<code>, e.g. language:de. Leave empty to use the preset's domain."
          errors={errors?.fieldErrors.domain}
        />

        <fieldset className="preset-chooser">
          <legend>Label template</legend>
          <ErrorList errors={errors?.fieldErrors.source} />
          {presets.map((preset) => (
            <label key={preset.id} className="preset-option">
              <input
                type="radio"
                name="source"
                value={preset.id}
                checked={source === preset.id}
                onChange={() => {
                  setSource(preset.id);
                  setStartFrom(preset.id);
                  setStartTemplate(preset.template);
                }}
              />
              <span className="preset-body">
                <span className="preset-name">{preset.name}</span>
                <span className="preset-description">{preset.description}</span>
                <span className="preset-fields">
                  {preset.template.fields.map((field) => (
                    <span key={field.id} className="badge" title={field.id}>
                      {field.label} · {fieldTypeNames[field.type] ?? field.type}
                    </span>
                  ))}
                </span>
              </span>
            </label>
          ))}
          <label className="preset-option">
            <input
              type="radio"
              name="source"
              value="custom"
              checked={source === "custom"}
              onChange={() => setSource("custom")}
            />
            <span className="preset-body">
              <span className="preset-name">Build your own</span>
              <span className="preset-description">
                Start from the preset chosen last and add, remove, reorder and adjust fields, with a
                preview of the labeling form.
              </span>
            </span>
          </label>
        </fieldset>

        {source === "custom" ? (
          <section className="stack" aria-labelledby="builder-heading">
            <h2 id="builder-heading">Fields</h2>
            <TemplateBuilder
              key={startFrom}
              name="template"
              initial={startTemplate}
              errors={errors?.fieldErrors.template}
              onChange={setBuilt}
            />
          </section>
        ) : null}

        <details className="policy-details" open={Boolean(errors?.fieldErrors.disputePolicy)}>
          <summary>Dispute policy (optional): when independent labels count as disagreeing</summary>
          <PolicyEditor
            key={source === "custom" ? "custom" : source}
            name="disputePolicy"
            fields={policyFields}
            initial={noPolicy}
            errors={errors?.fieldErrors.disputePolicy}
          />
        </details>

        <Field
          label="Overlap"
          name="overlap"
          type="number"
          min={1}
          max={50}
          defaultValue={3}
          inputMode="numeric"
          hint="How many annotators label each item independently."
          errors={errors?.fieldErrors.overlap}
        />
        <div className="checkbox-field">
          <input type="checkbox" id="autoPublishConsensus" name="autoPublishConsensus" />
          <label htmlFor="autoPublishConsensus">
            Publish consensus items automatically
            <span className="field-hint">
              Items whose annotators agree are published at once with the aggregated label, instead
              of waiting for a lead.
            </span>
          </label>
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={navigation.state === "submitting"}
          >
            {navigation.state === "submitting" ? "Creating…" : "Create project"}
          </button>
          <Link to="/projects" className="button button-quiet">
            Cancel
          </Link>
        </div>
      </Form>
    </>
  );
}
