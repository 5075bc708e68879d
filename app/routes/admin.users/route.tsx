import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { Field, FormAlert } from "~/components/field.tsx";
import { IssuedLink } from "~/components/people/issued-link.tsx";
import { DomainsInput } from "~/components/people/tag-input.tsx";
import { formatDateTime } from "~/utils/format.ts";
import peopleStylesUrl from "~/styles/people.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import { changeUsers, loadUsers } from "./users.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: projectStylesUrl },
  { rel: "stylesheet", href: peopleStylesUrl },
];

export const meta: MetaFunction = () => [{ title: "Users · Admin · Quorum" }];

/** Pages that show a just-made invite link: no cache may keep a copy. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadUsers(request, context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return changeUsers(request, context);
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type ManagedUser = LoaderData["users"][number];
type ActionData = ReturnType<typeof useActionData<typeof action>>;

const levels = [
  { value: "", label: "Not an annotator" },
  { value: "junior", label: "Junior" },
  { value: "expert", label: "Expert" },
] as const;

export default function AdminUsers() {
  const { users, query, editId, notice, currentUserId, mailConfigured, inviteTtlHours } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const listErrors =
    actionData?.errors && actionData.intent !== "invite" && actionData.intent !== "update"
      ? [
          ...actionData.errors.formErrors,
          ...Object.values(actionData.errors.fieldErrors).flatMap((messages) => messages ?? []),
        ]
      : undefined;
  const listLink = actionData?.intent !== "invite" ? actionData?.link : null;
  const listNotice = actionData?.intent !== "invite" ? actionData?.notice : null;

  return (
    <>
      <div className="page-heading">
        <p className="eyebrow">Admin</p>
        <h1>Users</h1>
        <p className="muted">{users.length === 1 ? "1 user" : `${users.length} users`}</p>
      </div>
      <div className="stack-large">
        <InviteSection
          actionData={actionData}
          mailConfigured={mailConfigured}
          inviteTtlHours={inviteTtlHours}
        />

        <section className="card" aria-labelledby="people-heading">
          <h2 id="people-heading">People</h2>
          <Form method="get" role="search" className="filter-form user-search">
            <label htmlFor="user-search">Search</label>
            <input
              id="user-search"
              type="search"
              name="q"
              defaultValue={query}
              placeholder="Name, email or domain"
              maxLength={200}
            />
            <button type="submit" className="button">
              Search
            </button>
            {query ? (
              <Link to="/admin/users" className="button button-quiet">
                Clear
              </Link>
            ) : null}
          </Form>
          <div role="status" className="notice">
            {listNotice ?? notice ?? ""}
          </div>
          <FormAlert errors={listErrors} />
          {listLink ? <IssuedLink link={listLink} /> : null}
          {users.length === 0 ? (
            <p className="empty-inline">
              {query ? `Nobody matches “${query}”.` : "There are no users yet."}
            </p>
          ) : (
            <div className="table-wrap">
              <table className="data-table users-table">
                <caption className="visually-hidden">Users of this workspace</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col">Level and domains</th>
                    <th scope="col" className="numeric">
                      Rate per hour
                    </th>
                    <th scope="col">Last seen</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {users.map((user) => (
                    <UserRows
                      key={user.id}
                      user={user}
                      isSelf={user.id === currentUserId}
                      editing={user.id === editId}
                      query={query}
                      actionData={actionData}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </>
  );
}

function InviteSection({
  actionData,
  mailConfigured,
  inviteTtlHours,
}: {
  actionData: ActionData;
  mailConfigured: boolean;
  inviteTtlHours: number;
}) {
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const invited = actionData?.intent === "invite" ? actionData : null;
  const errors = invited?.errors;
  const submitting = navigation.formData?.get("intent") === "invite";

  useEffect(() => {
    if (invited?.link) formRef.current?.reset();
  }, [invited]);

  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <p className="muted">
        They get a link to choose their own password, valid once for {inviteTtlHours} hours.{" "}
        {mailConfigured
          ? "The link is emailed to them and shown here."
          : "This workspace sends no email: copy the link shown here and send it to them."}
      </p>
      {invited?.link ? <IssuedLink link={invited.link} /> : null}
      <Form method="post" ref={formRef} className="people-form" noValidate>
        <input type="hidden" name="intent" value="invite" />
        <FormAlert errors={errors?.formErrors} />
        <div className="field-grid">
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="off"
            required
            errors={errors?.fieldErrors.email}
          />
          <Field
            label="Name"
            name="name"
            autoComplete="off"
            required
            maxLength={200}
            errors={errors?.fieldErrors.name}
          />
          <LevelSelect id="invite-level" errors={errors?.fieldErrors.level} />
          <RateField errors={errors?.fieldErrors.hourlyRate} />
        </div>
        <DomainsInput key={invited?.link?.url ?? "invite"} errors={errors?.fieldErrors.domains} />
        <div className="checkbox-field">
          <input id="invite-admin" type="checkbox" name="isAdmin" />
          <label htmlFor="invite-admin">
            Workspace admin
            <span className="field-hint">Manages users and every project.</span>
          </label>
        </div>
        <button type="submit" className="button button-primary" disabled={submitting}>
          {submitting ? "Inviting…" : "Invite"}
        </button>
      </Form>
    </section>
  );
}

function LevelSelect({
  id,
  defaultValue = "",
  errors,
}: {
  id: string;
  defaultValue?: string;
  errors?: string[];
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Annotator level</label>
      <select id={id} name="level" defaultValue={defaultValue}>
        {levels.map((level) => (
          <option key={level.value} value={level.value}>
            {level.label}
          </option>
        ))}
      </select>
      {errors?.length ? <p className="error-list">{errors.join(" ")}</p> : null}
    </div>
  );
}

function RateField({ defaultValue, errors }: { defaultValue?: string; errors?: string[] }) {
  return (
    <Field
      label="Rate per hour"
      name="hourlyRate"
      inputMode="decimal"
      autoComplete="off"
      hint="Leave empty when not paid by the hour."
      defaultValue={defaultValue}
      errors={errors}
    />
  );
}

function UserRows({
  user,
  isSelf,
  editing,
  query,
  actionData,
}: {
  user: ManagedUser;
  isSelf: boolean;
  editing: boolean;
  query: string;
  actionData: ActionData;
}) {
  const navigation = useNavigation();
  const busy =
    navigation.state === "submitting" && navigation.formData?.get("userId") === String(user.id);
  const editErrors =
    actionData?.intent === "update" && actionData.userId === user.id ? actionData.errors : null;
  const editHref = `/admin/users?${new URLSearchParams({ ...(query ? { q: query } : {}), edit: String(user.id) })}`;
  const closeHref = query ? `/admin/users?${new URLSearchParams({ q: query })}` : "/admin/users";

  return (
    <>
      <tr className={user.disabled ? "user-disabled" : undefined}>
        <th scope="row">
          {user.name}
          {isSelf ? <span className="muted small"> (you)</span> : null}
          <div className="muted small user-email">{user.email}</div>
        </th>
        <td>
          <span className="badges">
            {user.isAdmin ? <span className="badge badge-role">Admin</span> : null}
            {user.disabled ? (
              <span className="badge badge-danger">Disabled</span>
            ) : user.pendingInvite ? (
              <span className="badge badge-warn">
                Invited, until {formatDateTime(user.pendingInvite.expiresAt)}
              </span>
            ) : !user.passwordSet ? (
              <span className="badge badge-warn">Invite expired</span>
            ) : (
              <span className="badge badge-ok">Active</span>
            )}
          </span>
        </td>
        <td>
          <span className="badges">
            {user.level ? <span className="badge">{user.level}</span> : null}
            {user.domains.map((domain) => (
              <span key={domain} className="badge badge-muted">
                {domain}
              </span>
            ))}
          </span>
        </td>
        <td className="numeric">{user.hourlyRate === null ? "—" : user.hourlyRate.toFixed(2)}</td>
        <td>{user.lastSeenAt ? formatDateTime(user.lastSeenAt) : "Never"}</td>
        <td className="row-actions">
          <div className="user-actions">
            {editing ? null : (
              <Link to={editHref} className="button button-quiet" preventScrollReset>
                Edit<span className="visually-hidden"> {user.name}</span>
              </Link>
            )}
            {user.disabled ? null : (
              <Form method="post">
                <input type="hidden" name="userId" value={user.id} />
                <button
                  type="submit"
                  name="intent"
                  value={user.passwordSet ? "resetPassword" : "renewInvite"}
                  className="button button-quiet"
                  disabled={busy}
                >
                  {user.passwordSet ? "Reset password" : "New invite link"}
                  <span className="visually-hidden"> for {user.name}</span>
                </button>
              </Form>
            )}
            {isSelf ? null : user.disabled ? (
              <Form method="post">
                <input type="hidden" name="userId" value={user.id} />
                <button
                  type="submit"
                  name="intent"
                  value="enable"
                  className="button button-quiet"
                  disabled={busy}
                >
                  Enable<span className="visually-hidden"> {user.name}</span>
                </button>
              </Form>
            ) : (
              <Form method="post">
                <input type="hidden" name="userId" value={user.id} />
                <ConfirmButton
                  name="intent"
                  value="disable"
                  question={`Disable ${user.name}? They are signed out at once.`}
                  confirmLabel="Disable"
                  disabled={busy}
                >
                  Disable<span className="visually-hidden"> {user.name}</span>
                </ConfirmButton>
              </Form>
            )}
          </div>
        </td>
      </tr>
      {editing ? (
        <tr className="edit-row">
          <td colSpan={6}>
            <Form method="post" className="people-form" noValidate aria-label={`Edit ${user.name}`}>
              <input type="hidden" name="intent" value="update" />
              <input type="hidden" name="userId" value={user.id} />
              <input type="hidden" name="q" value={query} />
              <FormAlert errors={editErrors?.formErrors} />
              <div className="field-grid">
                <Field
                  label="Name"
                  name="name"
                  autoComplete="off"
                  required
                  maxLength={200}
                  defaultValue={user.name}
                  errors={editErrors?.fieldErrors.name}
                  autoFocus
                />
                <LevelSelect
                  id={`level-${user.id}`}
                  defaultValue={user.level ?? ""}
                  errors={editErrors?.fieldErrors.level}
                />
                <RateField
                  defaultValue={user.hourlyRate === null ? "" : String(user.hourlyRate)}
                  errors={editErrors?.fieldErrors.hourlyRate}
                />
              </div>
              <DomainsInput defaultValue={user.domains} errors={editErrors?.fieldErrors.domains} />
              {isSelf ? (
                <p className="muted small">
                  You cannot remove your own admin rights; another admin can.
                </p>
              ) : (
                <div className="checkbox-field">
                  <input type="hidden" name="adminControl" value="shown" />
                  <input
                    id={`admin-${user.id}`}
                    type="checkbox"
                    name="isAdmin"
                    defaultChecked={user.isAdmin}
                  />
                  <label htmlFor={`admin-${user.id}`}>Workspace admin</label>
                </div>
              )}
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={busy}>
                  Save changes<span className="visually-hidden"> to {user.name}</span>
                </button>
                <Link to={closeHref} className="button button-quiet" preventScrollReset>
                  Cancel
                </Link>
              </div>
            </Form>
          </td>
        </tr>
      ) : null}
    </>
  );
}
