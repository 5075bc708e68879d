import "~/utils/zod-browser.ts";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  type ShouldRevalidateFunction,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { SiteHeader } from "~/components/site-header.tsx";
import { getUser } from "~/session.server.ts";
import { useNonce } from "~/utils/nonce.ts";
import { isNetworkFailure, wasUnreachable } from "~/utils/unreachable.ts";
import appStylesUrl from "~/styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: appStylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "icon", href: "/favicon.ico", sizes: "32x32" },
];

export const meta: MetaFunction = () => [
  { title: "Quorum" },
  {
    name: "description",
    content: "Expert human feedback on AI models, labelled, adjudicated and published.",
  },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  return {
    user: user ? { name: user.name, email: user.email, isAdmin: user.is_admin } : null,
    requestId: context.requestId,
  };
}

/**
 * With single fetch the root loader runs in the same request as the page's own loaders, so
 * revalidating it on every navigation keeps the header current and gives an error page the id
 * of the request that failed. An action that never reached the server is the exception: asking
 * again would fail the same way and replace the page, and its work, with the error page.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult }) =>
  !wasUnreachable(actionResult);

export function Layout({ children }: { children: ReactNode }) {
  const rootData = useRouteLoaderData<typeof loader>("root");
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <SiteHeader user={rootData?.user ?? null} />
        <main id="main" tabIndex={-1} className="page">
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

interface ErrorDescription {
  status: number | null;
  title: string;
  message: string;
  /**
   * The server answered with the failure, so the request id the root loader got with it is the
   * failing request's: worth sending to an admin. A failure in the browser has no request of its
   * own, and the id on hand would be an earlier page load's.
   */
  fromServer: boolean;
}

/** What a production server sends in place of an unexpected error's own message. */
const SANITISED_SERVER_ERROR = "Unexpected Server Error";

function serviceMessage(body: unknown): string | null {
  if (typeof body !== "object" || body === null || !("error" in body)) return null;
  const { error } = body;
  if (typeof error !== "object" || error === null || !("message" in error)) return null;
  return typeof error.message === "string" ? error.message : null;
}

function describeError(error: unknown): ErrorDescription {
  if (isRouteErrorResponse(error)) {
    const message = serviceMessage(error.data);
    switch (error.status) {
      case 401:
        return {
          status: 401,
          title: "Please sign in",
          message: message ?? "Your session has ended. Sign in again to continue.",
          fromServer: true,
        };
      case 403:
        return {
          status: 403,
          title: "You do not have access to this",
          message:
            message ?? "Your account is not allowed to do this. Ask a project lead or an admin.",
          fromServer: true,
        };
      case 404:
        return {
          status: 404,
          title: "Page not found",
          message:
            message ?? "There is nothing at this address. It may have moved or been removed.",
          fromServer: true,
        };
      default:
        return {
          status: error.status,
          title: error.status >= 500 ? "Something went wrong on our side" : "That did not work",
          message: message ?? error.statusText ?? "The request could not be completed.",
          fromServer: true,
        };
    }
  }
  if (isNetworkFailure(error)) {
    return {
      status: null,
      title: "Could not reach Quorum",
      message: "Check your connection, then reload the page.",
      fromServer: false,
    };
  }
  const fromServer = error instanceof Error && error.message === SANITISED_SERVER_ERROR;
  return {
    status: null,
    title: "Something went wrong",
    message: fromServer
      ? "An unexpected error stopped this page from loading. Try again; if it keeps happening, " +
        "send the reference below to your workspace admin."
      : "An unexpected error stopped this page from working. Reload it; if it keeps happening, " +
        "tell your workspace admin what you were doing.",
    fromServer,
  };
}

export function ErrorBoundary() {
  const error = useRouteError();
  const rootData = useRouteLoaderData<typeof loader>("root");
  const { status, title, message, fromServer } = describeError(error);
  return (
    <section className="error-page" aria-labelledby="error-title">
      {status ? <p className="error-status">Error {status}</p> : null}
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      {fromServer && rootData?.requestId ? (
        <p className="error-reference">
          Reference: <code>{rootData.requestId}</code>
        </p>
      ) : null}
      <p className="error-actions">
        {status === 401 || !rootData?.user ? (
          <Link to="/login" className="button button-primary">
            Sign in
          </Link>
        ) : (
          <Link to="/projects" className="button button-primary">
            Go to your projects
          </Link>
        )}
      </p>
    </section>
  );
}
