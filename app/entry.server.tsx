import { PassThrough } from "node:stream";
import {
  createReadableStreamFromReadable,
  type AppLoadContext,
  type EntryContext,
  type HandleErrorFunction,
} from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { PreparedContentContext } from "~/components/markdown/content-context.tsx";
import { NonceContext } from "~/utils/nonce.ts";

const ABORT_DELAY_MS = 5_000;

/**
 * Remix's own entry, except that errors go to the request's pino logger with its request id
 * (the id the error page shows) instead of to the console, every inline script carries the
 * request's Content-Security-Policy nonce, and item content comes formatted from the markdown
 * workers (the request's preparedContent) instead of being parsed here.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Crawlers get the complete page at once; browsers get the shell as soon as it is ready.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const respond = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(
        new Response(createReadableStreamFromReadable(body), {
          headers: responseHeaders,
          status: responseStatusCode,
        }),
      );
      pipe(body);
    };
    const nonce = loadContext.cspNonce;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <PreparedContentContext.Provider value={loadContext.preparedContent}>
          <RemixServer
            context={remixContext}
            url={request.url}
            abortDelay={ABORT_DELAY_MS}
            nonce={nonce}
          />
        </PreparedContentContext.Provider>
      </NonceContext.Provider>,
      {
        nonce,
        onAllReady: waitForAll ? respond : undefined,
        onShellReady: waitForAll ? undefined : respond,
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell is rendered reject above and are logged by handleError.
          if (shellRendered) {
            loadContext.quorum.log.error(
              { err: error, reqId: loadContext.requestId },
              "rendering a page failed",
            );
          }
        },
      },
    );
    setTimeout(abort, ABORT_DELAY_MS);
  });
}

export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  context.quorum.log.error({ err: error, reqId: context.requestId }, "a page request failed");
};
