import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormAlert } from "~/components/field.tsx";
import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
import { PreparedMarkdown } from "~/components/markdown/prepared-markdown.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { TextAreaField } from "~/components/project/text-area-field.tsx";
import labelingStylesUrl from "~/styles/labeling.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime } from "~/utils/format.ts";
import { loadGuidelinesPage, saveGuidelinesPage } from "./guidelines.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: projectStylesUrl },
  { rel: "stylesheet", href: labelingStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Guidelines · ${data.navigation.name} · Quorum` : "Guidelines · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadGuidelinesPage(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return saveGuidelinesPage(request, context, params);
}

export default function GuidelinesPage() {
  const { navigation, mayEdit, saved, shown, latestVersion, latestBody, versions, contentFormats } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const base = `/projects/${navigation.id}/guidelines`;
  return (
    <ContentFormatsProvider formats={contentFormats}>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Guidelines</h1>
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="shown-heading">
          <h2 id="shown-heading">
            {shown ? (
              <>
                Version {shown.version}{" "}
                <span className="muted small">
                  {shown.version === latestVersion ? "(current)" : "(earlier version)"} ·{" "}
                  {formatDateTime(shown.createdAt)}
                  {shown.createdBy ? ` · ${shown.createdBy.name}` : ""}
                </span>
              </>
            ) : (
              "No guidelines yet"
            )}
          </h2>
          {shown ? (
            shown.body.trim() ? (
              <PreparedMarkdown source={shown.body} className="guidelines-body" />
            ) : (
              <p className="empty-inline">This version is empty.</p>
            )
          ) : (
            <p className="empty-inline">
              {mayEdit
                ? "Write the guidelines below: annotators see them before their first item and beside every item."
                : "The leads of this project have not written guidelines yet."}
            </p>
          )}
        </section>

        {mayEdit ? (
          <section className="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">Edit</h2>
            <Form method="post" className="stack">
              <FormAlert errors={result?.errors.formErrors} />
              {saved && !result ? (
                <p role="status" className="muted small">
                  Saved as version {latestVersion}.
                </p>
              ) : null}
              <input type="hidden" name="expectedVersion" value={latestVersion} />
              <TextAreaField
                label="Guidelines (markdown)"
                name="body"
                hint="Saving makes a new version; earlier versions stay readable below."
                rows={16}
                maxLength={100_000}
                defaultValue={result?.body ?? latestBody}
                errors={result?.errors.fieldErrors.body}
              />
              <div>
                <button type="submit" className="button button-primary" disabled={busy}>
                  Save as version {latestVersion + 1}
                </button>
              </div>
            </Form>
          </section>
        ) : null}

        {versions.length > 1 ? (
          <section className="card" aria-labelledby="versions-heading">
            <h2 id="versions-heading">Versions</h2>
            <ul>
              {versions.map((version) => (
                <li key={version.version}>
                  <Link to={`${base}?version=${version.version}`}>Version {version.version}</Link>{" "}
                  <span className="muted small">
                    {formatDateTime(version.createdAt)}
                    {version.createdBy ? ` · ${version.createdBy.name}` : ""} · {version.length}{" "}
                    characters
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </ContentFormatsProvider>
  );
}
