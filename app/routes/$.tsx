import { data } from "@remix-run/node";

/** Any address no other route claims: a 404 rendered by the root error boundary. */
export function loader() {
  throw data(
    { error: { code: "not_found", message: "There is no page at this address." } },
    { status: 404 },
  );
}

export default function NotFound() {
  return null;
}
