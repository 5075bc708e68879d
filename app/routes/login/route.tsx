import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field, FormAlert } from "~/components/field.tsx";
import { requireAnonymous } from "~/session.server.ts";
import { logInFromForm } from "./login.server.ts";

export const meta: MetaFunction = () => [{ title: "Sign in · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous(request, context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  return logInFromForm(request, context);
}

export default function Login() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const submitting = navigation.state !== "idle" && navigation.formData !== undefined;
  const errors = actionData?.errors;

  return (
    <section className="narrow">
      <div className="card">
        <h1>Sign in to Quorum</h1>
        {searchParams.get("session") === "ended" ? (
          <p role="status" className="callout">
            Your session ended. Sign in again to go back to where you were; what you had not saved
            yet is kept on this device.
          </p>
        ) : null}
        <Form method="post" className="stack" noValidate>
          <FormAlert errors={errors?.formErrors} />
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="username"
            inputMode="email"
            required
            autoFocus
            defaultValue={actionData?.email}
            errors={errors?.fieldErrors.email}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            errors={errors?.fieldErrors.password}
          />
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={submitting}
          >
            {submitting ? "Signing in…" : "Sign in"}
          </button>
        </Form>
      </div>
      <p className="muted small centered">
        No account yet, or forgot your password? Ask your workspace admin for a link.
      </p>
    </section>
  );
}
