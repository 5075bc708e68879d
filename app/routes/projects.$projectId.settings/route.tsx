import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { Field, FormAlert } from "~/components/field.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { PolicyEditor } from "~/components/project/policy-editor.tsx";
import { TemplateBuilder } from "~/components/project/template-builder.tsx";
import { TextAreaField } from "~/components/project/text-area-field.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { loadProjectSettings, saveProjectSettings } from "./settings.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Settings · ${data.navigation.name} · Quorum` : "Settings · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadProjectSettings(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return saveProjectSettings(request, context, params);
}

type ActionData = ReturnType<typeof useActionData<typeof action>>;

/** One card, one form: each part of the settings saves on its own. */
function SettingsForm({
  intent,
  title,
  description,
  actionData,
  children,
  submitLabel = "Save",
}: {
  intent: string;
  title: string;
  description?: ReactNode;
  actionData: ActionData;
  children: ReactNode;
  submitLabel?: string;
}) {
  const navigation = useNavigation();
  const submitting = navigation.formData?.get("intent") === intent;
  const own = actionData?.intent === intent ? actionData : undefined;
  const headingId = `${intent}-heading`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {description ? <div className="muted">{description}</div> : null}
      <Form method="post" className="stack project-form" noValidate>
        <input type="hidden" name="intent" value={intent} />
        <FormAlert errors={own?.errors?.formErrors} />
        {children}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={submitting}>
            {submitting ? "Saving…" : submitLabel}
          </button>
          <span role="status" className="settings-saved">
            {own?.saved && !submitting ? "Saved" : ""}
          </span>
        </div>
      </Form>
    </section>
  );
}

export default function ProjectSettings() {
  const { navigation, details, settings, disputePolicy, template } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const transition = useNavigation();
  const errorsFor = (intent: string) =>
    actionData?.intent === intent ? actionData.errors?.fieldErrors : undefined;
  const archiveErrors =
    actionData?.intent === "archive" || actionData?.intent === "unarchive"
      ? actionData.errors?.formErrors
      : undefined;

  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Settings</h1>
      </div>
      <div className="stack-large">
        <SettingsForm intent="details" title="Project" actionData={actionData}>
          <Field
            label="Name"
            name="name"
            defaultValue={details.name}
            required
            maxLength={200}
            autoComplete="off"
            errors={errorsFor("details")?.name}
          />
          <TextAreaField
            label="Description"
            name="description"
            rows={3}
            defaultValue={details.description}
            errors={errorsFor("details")?.description}
          />
          <Field
            label="Domain"
            name="domain"
            defaultValue={details.domain}
            autoComplete="off"
            hint="medical, legal, code, science, finance, general or language:<code>; empty for none."
            errors={errorsFor("details")?.domain}
          />
          <Field
            label="Overlap"
            name="overlap"
            type="number"
            min={1}
            max={50}
            inputMode="numeric"
            defaultValue={details.overlap}
            hint="Independent labels per item."
            errors={errorsFor("details")?.overlap}
          />
          <div className="checkbox-field">
            <input
              type="checkbox"
              id="autoPublishConsensus"
              name="autoPublishConsensus"
              defaultChecked={details.autoPublishConsensus}
            />
            <label htmlFor="autoPublishConsensus">Publish consensus items automatically</label>
          </div>
        </SettingsForm>

        <SettingsForm
          intent="workflow"
          title="Workflow"
          actionData={actionData}
          description={<p>Routing, gold items, junior review and what clients see.</p>}
        >
          <div className="field-grid">
            <Field
              label="Reservation (minutes)"
              name="reservationMinutes"
              type="number"
              min={1}
              max={10080}
              inputMode="numeric"
              defaultValue={settings.reservationMinutes}
              hint="How long an annotator holds an item before it returns to the pool."
              errors={errorsFor("workflow")?.reservationMinutes}
            />
            <Field
              label="Gold rate (%)"
              name="goldRate"
              type="number"
              min={0}
              max={100}
              step="any"
              defaultValue={round(settings.goldRate * 100)}
              hint="Share of assignments that are gold items."
              errors={errorsFor("workflow")?.goldRate}
            />
            <Field
              label="Gold rating tolerance"
              name="goldRatingTolerance"
              type="number"
              min={0}
              max={100}
              inputMode="numeric"
              defaultValue={settings.goldRatingTolerance}
              hint="Ratings this close to the gold value count as correct."
              errors={errorsFor("workflow")?.goldRatingTolerance}
            />
            <Field
              label="Review all of a junior's first"
              name="juniorReviewFirstN"
              type="number"
              min={0}
              max={10000}
              inputMode="numeric"
              defaultValue={settings.juniorReview.firstN}
              hint="Annotations per junior that all go to the review queue."
              errors={errorsFor("workflow")?.juniorReviewFirstN}
            />
            <Field
              label="Then review (%)"
              name="juniorReviewRate"
              type="number"
              min={0}
              max={100}
              step="any"
              defaultValue={round(settings.juniorReview.rate * 100)}
              hint="Share of a junior's later annotations sampled for review."
              errors={errorsFor("workflow")?.juniorReviewRate}
            />
          </div>
          <div className="checkbox-field">
            <input
              type="checkbox"
              id="requireExpert"
              name="requireExpert"
              defaultChecked={settings.requireExpert}
            />
            <label htmlFor="requireExpert">At least one expert labels every item</label>
          </div>
          <div className="checkbox-field">
            <input
              type="checkbox"
              id="pseudonymiseForClients"
              name="pseudonymiseForClients"
              defaultChecked={settings.pseudonymiseForClients}
            />
            <label htmlFor="pseudonymiseForClients">
              Show annotators to clients as “Annotator A”, “Annotator B” …
            </label>
          </div>
          <div className="checkbox-field">
            <input
              type="checkbox"
              id="showCostsToClients"
              name="showCostsToClients"
              defaultChecked={settings.showCostsToClients}
            />
            <label htmlFor="showCostsToClients">
              Show clients what the project&apos;s work cost (never a person&apos;s rate)
            </label>
          </div>
          <Field
            label="Panel approvals needed to publish"
            name="publishQuorum"
            type="number"
            min={1}
            max={100}
            defaultValue={
              settings.publishRule.kind === "quorum" ? String(settings.publishRule.approvals) : ""
            }
            hint="Leave empty for leads alone to publish; otherwise a panel member may publish once this many panel members approved the draft."
            errors={errorsFor("workflow")?.publishQuorum}
          />
        </SettingsForm>

        <SettingsForm
          intent="disputePolicy"
          title="Dispute policy"
          actionData={actionData}
          description={
            <p>
              Per field, when independent labels count as disagreeing and the item goes to a panel.
              An empty input uses the default shown with it.
            </p>
          }
        >
          <PolicyEditor
            key={JSON.stringify(disputePolicy)}
            name="disputePolicy"
            fields={template.fields}
            initial={disputePolicy}
            errors={errorsFor("disputePolicy")?.disputePolicy}
          />
        </SettingsForm>

        <SettingsForm
          intent="template"
          title="Label template"
          actionData={actionData}
          submitLabel="Save template"
          description={
            <p>
              A template change must still accept every label already given in this project; a
              change that would break one is refused, with the labels it would break.
            </p>
          }
        >
          <TemplateBuilder
            key={JSON.stringify(template)}
            name="template"
            initial={template}
            errors={errorsFor("template")?.template}
          />
          {actionData?.intent === "template" && actionData.templateBreaks ? (
            <div className="table-wrap">
              <table className="data-table" aria-label="Labels the new template would break">
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Label</th>
                    <th scope="col">Field</th>
                    <th scope="col">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {actionData.templateBreaks.map((entry, index) => (
                    <tr key={index}>
                      <td className="mono">{entry.item}</td>
                      <td>{entry.source}</td>
                      <td className="mono">{entry.field}</td>
                      <td>{entry.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </SettingsForm>

        <section className="card" aria-labelledby="archive-heading">
          <h2 id="archive-heading">{navigation.archived ? "Archived" : "Archive"}</h2>
          <p className="muted">
            {navigation.archived
              ? "This project is archived: it is kept for reading and export. Unarchive it to label again."
              : "Archiving keeps everything for reading and export, and takes the project out of annotators' way."}
          </p>
          <FormAlert errors={archiveErrors} />
          <Form method="post">
            {navigation.archived ? (
              <button
                type="submit"
                name="intent"
                value="unarchive"
                className="button"
                disabled={transition.state === "submitting"}
              >
                Unarchive project
              </button>
            ) : (
              <ConfirmButton
                name="intent"
                value="archive"
                question={`Archive “${navigation.name}”?`}
                confirmLabel="Archive"
                disabled={transition.state === "submitting"}
              >
                Archive project
              </ConfirmButton>
            )}
          </Form>
        </section>
      </div>
    </>
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
