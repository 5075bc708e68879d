import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, type MetaFunction } from "@remix-run/react";
import { endSession, getUser } from "~/session.server.ts";

export const meta: MetaFunction = () => [{ title: "Log out · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!(await getUser(request, context))) throw redirect("/login");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  throw redirect("/login", { headers: await endSession(request, context) });
}

export default function Logout() {
  return (
    <section className="narrow card">
      <h1>Log out</h1>
      <p>You will need your email and password to sign in again.</p>
      <Form method="post">
        <button type="submit" className="button button-primary">
          Log out
        </button>
      </Form>
    </section>
  );
}
