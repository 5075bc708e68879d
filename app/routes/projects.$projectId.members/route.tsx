import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { Field, FormAlert } from "~/components/field.tsx";
import type { FormErrors } from "~/utils/forms.ts";
import { IssuedLink } from "~/components/people/issued-link.tsx";
import { DomainsInput } from "~/components/people/tag-input.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import peopleStylesUrl from "~/styles/people.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import { changeMembers, loadMembers } from "./members.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: projectStylesUrl },
  { rel: "stylesheet", href: peopleStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Members · ${data.navigation.name} · Quorum` : "Members · Quorum" },
];

/** Pages that show a just-made invite link: no cache may keep a copy. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadMembers(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return changeMembers(request, context, params);
}

const roles = [
  { value: "annotator", label: "Annotator" },
  { value: "lead", label: "Lead" },
  { value: "client", label: "Client" },
] as const;

export default function ProjectMembers() {
  const { navigation, members, currentUserId, mayInviteLeads, mailConfigured } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigationState = useNavigation();
  const addFormRef = useRef<HTMLFormElement>(null);
  const addErrors = actionData?.intent === "add" ? actionData.errors : null;
  const rowErrors =
    actionData?.intent !== "add" && actionData?.intent !== "invite" ? actionData?.errors : null;
  const busy = navigationState.state === "submitting";

  useEffect(() => {
    if (actionData?.intent === "add" && !actionData.errors) addFormRef.current?.reset();
  }, [actionData]);

  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Members</h1>
        <p className="muted">{members.length === 1 ? "1 member" : `${members.length} members`}</p>
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="add-member-heading">
          <h2 id="add-member-heading">Add a member</h2>
          <p className="muted">
            Annotators label items; leads review, adjudicate and manage the project; clients read
            everything and export.
          </p>
          <Form method="post" ref={addFormRef} className="inline-form" noValidate>
            <input type="hidden" name="intent" value="add" />
            <FormAlert errors={addErrors?.formErrors} />
            <Field
              label="Email"
              name="email"
              type="email"
              autoComplete="off"
              required
              errors={addErrors?.fieldErrors.email}
            />
            <div className="field">
              <label htmlFor="new-member-role">Role</label>
              <select id="new-member-role" name="role" defaultValue="annotator">
                {roles.map((role) => (
                  <option key={role.value} value={role.value}>
                    {role.label}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button button-primary" disabled={busy}>
              Add member
            </button>
          </Form>
          {actionData?.inviteOffer ? (
            <InviteOffer
              key={actionData.inviteOffer.email}
              offer={actionData.inviteOffer}
              errors={actionData.intent === "invite" ? actionData.errors : null}
              mayInviteLeads={mayInviteLeads}
              mailConfigured={mailConfigured}
              busy={busy}
            />
          ) : null}
          {actionData?.link ? <IssuedLink link={actionData.link} /> : null}
        </section>

        <section className="card" aria-labelledby="members-heading">
          <h2 id="members-heading">Current members</h2>
          <div role="status" className="notice">
            {actionData?.notice ?? ""}
          </div>
          {actionData?.warning ? (
            <p className="domain-warning" role="status">
              {actionData.warning}
            </p>
          ) : null}
          <FormAlert
            errors={
              rowErrors
                ? [
                    ...rowErrors.formErrors,
                    ...Object.values(rowErrors.fieldErrors).flatMap((messages) => messages ?? []),
                  ]
                : undefined
            }
          />
          <div className="table-wrap">
            <table className="data-table members-table">
              <caption className="visually-hidden">Members of {navigation.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Level and domains</th>
                  <th scope="col">Hourly rate</th>
                  <th scope="col">Role</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <tr key={member.userId}>
                    <th scope="row">
                      {member.name}
                      {member.userId === currentUserId ? (
                        <span className="muted small"> (you)</span>
                      ) : null}
                    </th>
                    <td>{member.email}</td>
                    <td>
                      <span className="badges">
                        {member.level ? <span className="badge">{member.level}</span> : null}
                        {member.domains.map((domain) => (
                          <span key={domain} className="badge badge-muted">
                            {domain}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td>
                      {member.hourlyRateCents === null ? (
                        <span className="muted">Not set</span>
                      ) : (
                        (member.hourlyRateCents / 100).toFixed(2)
                      )}
                    </td>
                    <td>
                      <Form method="post" className="role-form">
                        <input type="hidden" name="intent" value="changeRole" />
                        <input type="hidden" name="memberId" value={member.userId} />
                        <input type="hidden" name="email" value={member.email} />
                        <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                          Role of {member.name}
                        </label>
                        <select
                          id={`role-${member.userId}`}
                          name="role"
                          defaultValue={member.role}
                          key={`${member.userId}-${member.role}`}
                        >
                          {roles.map((role) => (
                            <option key={role.value} value={role.value}>
                              {role.label}
                            </option>
                          ))}
                        </select>
                        <button type="submit" className="button button-quiet" disabled={busy}>
                          Change<span className="visually-hidden"> role of {member.name}</span>
                        </button>
                      </Form>
                    </td>
                    <td className="row-actions">
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="memberId" value={member.userId} />
                        <ConfirmButton
                          question={`Remove ${member.name} from the project?`}
                          confirmLabel="Remove"
                          disabled={busy}
                        >
                          Remove<span className="visually-hidden"> {member.name}</span>
                        </ConfirmButton>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  );
}

const levels = [
  { value: "", label: "Not set" },
  { value: "junior", label: "Junior" },
  { value: "expert", label: "Expert" },
] as const;

/**
 * Offered when the email added has no account: invite the person, which creates the account,
 * adds them to the project and gives a link by which they choose their password.
 */
function InviteOffer({
  offer,
  errors,
  mayInviteLeads,
  mailConfigured,
  busy,
}: {
  offer: { email: string; role: string };
  errors: FormErrors | null;
  mayInviteLeads: boolean;
  mailConfigured: boolean;
  busy: boolean;
}) {
  const invitable = roles.filter((role) => mayInviteLeads || role.value !== "lead");
  const defaultRole = invitable.some((role) => role.value === offer.role)
    ? offer.role
    : "annotator";
  return (
    <div className="callout" role="group" aria-labelledby="invite-offer-heading">
      <h3 id="invite-offer-heading">Invite {offer.email}?</h3>
      <p className="small">
        Nobody has an account with this email. Inviting creates one, adds them to this project and
        gives you a link by which they choose their password
        {mailConfigured ? "; it is also emailed to them." : ": copy it and send it to them."}
        {mayInviteLeads ? "" : " Only workspace admins invite new leads."}
      </p>
      <Form method="post" className="people-form" noValidate>
        <input type="hidden" name="intent" value="invite" />
        <input type="hidden" name="email" value={offer.email} />
        <FormAlert errors={[...(errors?.formErrors ?? []), ...(errors?.fieldErrors.email ?? [])]} />
        <div className="field-grid">
          <Field
            label="Name"
            name="name"
            autoComplete="off"
            required
            maxLength={200}
            autoFocus
            errors={errors?.fieldErrors.name}
          />
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" name="role" defaultValue={defaultRole}>
              {invitable.map((role) => (
                <option key={role.value} value={role.value}>
                  {role.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="invite-level">Annotator level</label>
            <select id="invite-level" name="level" defaultValue="">
              {levels.map((level) => (
                <option key={level.value} value={level.value}>
                  {level.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <DomainsInput errors={errors?.fieldErrors.domains} />
        <button type="submit" className="button button-primary" disabled={busy}>
          Invite and add
        </button>
      </Form>
    </div>
  );
}
