import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { getUser } from "~/session.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  throw redirect((await getUser(request, context)) ? "/projects" : "/login");
}
