import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { ErrorList, Field, FormAlert } from "~/components/field.tsx";
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
  const { presets, exampleTemplate } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors;
  const navigation = useNavigation();
  const [source, setSource] = useState(presets[0]?.id ?? "custom");

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
                onChange={() => setSource(preset.id)}
              />
              <span className="preset-body">
                <span className="preset-name">{preset.name}</span>
                <span className="preset-description">{preset.description}</span>
                <span className="preset-fields">
                  {preset.fields.map((field) => (
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
              <span className="preset-name">Custom template</span>
              <span className="preset-description">
                Write the template as JSON: a list of fields, each with an id, a type and a label.
              </span>
            </span>
          </label>
        </fieldset>

        {source === "custom" || errors?.fieldErrors.template ? (
          <TextAreaField
            label="Template (JSON)"
            name="template"
            rows={16}
            className="textarea mono"
            spellCheck={false}
            defaultValue={exampleTemplate}
            hint='Field types: rating (min, max, level), preference (scale 1 or 2), ranking, choice (options, multiple), spans (categories, severities), text, rewrite. Every field may be "required".'
            errors={errors?.fieldErrors.template}
          />
        ) : null}

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
