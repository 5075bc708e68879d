import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useId, useRef } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { CopyButton } from "~/components/copy-button.tsx";
import { Field, FormAlert } from "~/components/field.tsx";
import { formatDateTime } from "~/utils/format.ts";
import { loadSettings, updateSettings } from "./settings.server.ts";

export const meta: MetaFunction = () => [{ title: "Settings · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadSettings(request, context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return updateSettings(request, context);
}

export default function Settings() {
  const { profile, tokens } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-heading">
        <h1>Settings</h1>
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="profile-heading">
          <h2 id="profile-heading">Profile</h2>
          <dl className="details">
            <div>
              <dt>Name</dt>
              <dd>{profile.name}</dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd>{profile.email}</dd>
            </div>
            <div>
              <dt>Workspace role</dt>
              <dd>{profile.isAdmin ? "Admin" : "Member"}</dd>
            </div>
            <div>
              <dt>Annotator level</dt>
              <dd>{profile.level ? capitalise(profile.level) : "Not set"}</dd>
            </div>
            <div>
              <dt>Domains</dt>
              <dd>
                {profile.domains.length > 0 ? (
                  <span className="badges">
                    {profile.domains.map((domain) => (
                      <span key={domain} className="badge">
                        {domain}
                      </span>
                    ))}
                  </span>
                ) : (
                  "None"
                )}
              </dd>
            </div>
            <div>
              <dt>Hourly rate</dt>
              <dd>{profile.hourlyRate === null ? "Not set" : profile.hourlyRate.toFixed(2)}</dd>
            </div>
          </dl>
          <p className="muted small">Ask a workspace admin to change these details.</p>
        </section>
        <p className="card">
          Labeling shortcuts can be remapped: <a href="/settings/shortcuts">Keyboard shortcuts</a>
        </p>
        <ApiTokens tokens={tokens} />
      </div>
    </>
  );
}

type Token = ReturnType<typeof useLoaderData<typeof loader>>["tokens"][number];

function ApiTokens({ tokens }: { tokens: Token[] }) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const createFormRef = useRef<HTMLFormElement>(null);
  const createdRef = useRef<HTMLDivElement>(null);
  const createdToken = actionData?.createdToken ?? null;
  const createErrors = actionData?.intent === "createToken" ? actionData.errors : null;
  const tokenListErrors =
    actionData?.errors && actionData.intent !== "createToken"
      ? [
          ...actionData.errors.formErrors,
          ...Object.values(actionData.errors.fieldErrors).flatMap((messages) => messages ?? []),
        ]
      : undefined;
  const pendingIntent = navigation.formData?.get("intent");
  const newTokenLabelId = useId();

  useEffect(() => {
    if (!createdToken) return;
    createFormRef.current?.reset();
    createdRef.current?.focus();
  }, [createdToken]);

  return (
    <section className="card" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <p className="muted">
        Scripts use a token to call the API with <code>Authorization: Bearer &lt;token&gt;</code>. A
        token acts as you; revoke it when it is no longer needed.
      </p>

      {createdToken ? (
        <div className="callout" ref={createdRef} tabIndex={-1} aria-labelledby={newTokenLabelId}>
          <p id={newTokenLabelId} className="callout-title">
            Token “{createdToken.name}” created. Copy it now: it will not be shown again.
          </p>
          <div className="token-reveal">
            <input
              readOnly
              aria-label="New API token"
              value={createdToken.token}
              className="mono"
              onFocus={(event) => event.currentTarget.select()}
            />
            <CopyButton value={createdToken.token} />
          </div>
        </div>
      ) : null}

      <Form method="post" ref={createFormRef} className="inline-form" noValidate>
        <input type="hidden" name="intent" value="createToken" />
        <FormAlert errors={createErrors?.formErrors} />
        <Field
          label="New token name"
          name="name"
          hint="For example the script or machine that will use it."
          autoComplete="off"
          maxLength={100}
          required
          errors={createErrors?.fieldErrors.name}
        />
        <button
          type="submit"
          className="button button-primary"
          disabled={pendingIntent === "createToken"}
        >
          {pendingIntent === "createToken" ? "Creating…" : "Create token"}
        </button>
      </Form>

      <FormAlert errors={tokenListErrors} />
      {tokens.length === 0 ? (
        <p className="empty-inline">You have no API tokens.</p>
      ) : (
        <div className="table-wrap">
          <table className="token-table">
            <caption className="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id} className={token.revokedAt ? "revoked" : undefined}>
                  <th scope="row" data-label="Name">
                    {token.name}
                  </th>
                  <td data-label="Token">
                    <code>{token.prefix}…</code>
                  </td>
                  <td data-label="Created">{formatDateTime(token.createdAt)}</td>
                  <td data-label="Last used">
                    {token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "Never"}
                  </td>
                  <td data-label="Status">
                    {token.revokedAt ? (
                      <span className="badge badge-muted">
                        Revoked {formatDateTime(token.revokedAt)}
                      </span>
                    ) : (
                      <span className="badge badge-ok">Active</span>
                    )}
                  </td>
                  <td className="row-actions">
                    {token.revokedAt ? null : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="revokeToken" />
                        <input type="hidden" name="tokenId" value={token.id} />
                        <ConfirmButton
                          question={`Revoke “${token.name}”?`}
                          confirmLabel="Revoke"
                          disabled={
                            pendingIntent === "revokeToken" &&
                            navigation.formData?.get("tokenId") === String(token.id)
                          }
                        >
                          Revoke<span className="visually-hidden"> {token.name}</span>
                        </ConfirmButton>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
