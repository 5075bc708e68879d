import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useRouteError,
} from "@remix-run/react";
import { Field, FormAlert } from "~/components/field.tsx";
import { formatDateTime } from "~/utils/format.ts";
import { acceptInvite, loadInvite, type UnusableLink } from "./invite.server.ts";

export const meta: MetaFunction = () => [
  { title: "Choose your password · Quorum" },
  // The address holds a one-time secret: keep it out of search engines and referrers.
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "no-referrer" },
];

export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ context, params }: LoaderFunctionArgs) {
  return loadInvite(context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return acceptInvite(request, context, params);
}

export default function Invite() {
  const link = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state !== "idle" && navigation.formData !== undefined;
  const errors = actionData?.errors;
  const invite = link.purpose === "invite";

  return (
    <section className="narrow">
      <div className="card">
        <h1>{invite ? "Welcome to Quorum" : "Choose a new password"}</h1>
        <p>
          {invite
            ? `${link.name}, choose a password for ${link.email} to finish setting up your account.`
            : `${link.name}, choose a new password for ${link.email}. You will be signed out everywhere else.`}
        </p>
        <Form method="post" className="stack" noValidate>
          <FormAlert errors={errors?.formErrors} />
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={link.email}
            readOnly
            hidden
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            autoFocus
            hint={`At least ${link.minPasswordCharacters} characters. A few unrelated words make a strong one.`}
            errors={errors?.fieldErrors.password}
          />
          <Field
            label="Repeat the password"
            name="confirmation"
            type="password"
            autoComplete="new-password"
            required
            errors={errors?.fieldErrors.confirmation}
          />
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={submitting}
          >
            {submitting ? "Saving…" : invite ? "Set password and sign in" : "Save and sign in"}
          </button>
        </Form>
      </div>
      <p className="muted small centered">
        This link works once, until {formatDateTime(link.expiresAt)}.
      </p>
    </section>
  );
}

const reasons: Record<UnusableLink["linkState"], { title: string; message: string }> = {
  unknown: {
    title: "This link is not valid",
    message:
      "Check that you copied the whole link. If it still does not work, ask your workspace admin for a new one.",
  },
  used: {
    title: "This link has already been used",
    message:
      "Each link sets a password once. Sign in with the password you chose, or ask your workspace admin for a new link.",
  },
  expired: {
    title: "This link has expired",
    message: "Ask your workspace admin for a new link.",
  },
  revoked: {
    title: "This link no longer works",
    message:
      "A newer link replaced it, or the account was disabled. Use the latest link you were sent, or ask your workspace admin.",
  },
};

function linkStateOf(error: unknown): UnusableLink["linkState"] | null {
  if (!isRouteErrorResponse(error) || typeof error.data !== "object" || error.data === null) {
    return null;
  }
  const state = (error.data as Partial<UnusableLink>).linkState;
  return state && state in reasons ? state : null;
}

/** A link that cannot be used gets a page saying why, rather than the generic error page. */
export function ErrorBoundary() {
  const error = useRouteError();
  const state = linkStateOf(error);
  const { title, message } = state
    ? reasons[state]
    : {
        title: "Something went wrong",
        message: "The link could not be checked just now. Try again in a moment.",
      };
  return (
    <section className="narrow">
      <div className="card" role="alert">
        <h1>{title}</h1>
        <p>{message}</p>
        <Link to="/login" className="button button-primary">
          Go to sign in
        </Link>
      </div>
    </section>
  );
}
