import type { Request, Response, Router } from "express";
import type { User } from "../../../db/schema.ts";
import type { QuorumContext } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { projectProgress } from "../../services/progress.ts";
import { authenticate } from "../credentials.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId } from "../parse.ts";

/** A comment line now and then keeps proxies from closing a quiet stream. */
const keepaliveMs = 15_000;

/**
 * `GET /projects/:id/events`: the project's progress as server-sent events, for dashboards. The
 * first `progress` event is the current state, each later one a changed state, in the shape of
 * `GET /projects/:id/progress`. The database is the source of truth, so every instance serves
 * the same events without talking to the others: each stream reads the progress every
 * `EVENTS_POLL_SECONDS` and sends it when it differs. The caller's credentials and permission are
 * checked on every read; once they no longer hold, an `error` event says why and the stream ends.
 */
export function registerEventRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/projects/:id/events",
    authenticatedHandler(quorum, async ({ user, request, response }) => {
      const projectId = parseId(request.params.id, "Project id");
      const first = await projectProgress(quorum.db, user, projectId);
      streamProgress(quorum, { user, projectId, request, response }, first);
      return undefined;
    }),
  );
}

interface Stream {
  user: User;
  projectId: number;
  request: Request;
  response: Response;
}

function streamProgress(quorum: QuorumContext, stream: Stream, first: unknown): void {
  const { response, projectId } = stream;
  const log = quorum.log.child({ projectId, userId: stream.user.id });
  response.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    // Reverse proxies such as nginx would otherwise hold events back in their buffers.
    "X-Accel-Buffering": "no",
  });
  let eventId = 0;
  const send = (event: string, data: string) => {
    eventId += 1;
    response.write(`id: ${eventId}\nevent: ${event}\ndata: ${data}\n\n`);
  };
  let last = JSON.stringify(first);
  send("progress", last);

  let reading = false;
  const poll = setInterval(() => {
    if (reading) return;
    reading = true;
    readProgress(quorum, stream)
      .then((progress) => {
        const current = JSON.stringify(progress);
        if (current !== last) {
          last = current;
          send("progress", current);
        }
      })
      .catch((error: unknown) => {
        if (error instanceof AppError && error.status < 500) {
          send("error", JSON.stringify(error.toBody()));
          end();
        } else {
          log.warn({ err: error }, "could not read the project's progress for its event stream");
        }
      })
      .finally(() => {
        reading = false;
      });
  }, quorum.config.eventsPollMs);
  const keepalive = setInterval(() => response.write(": keepalive\n\n"), keepaliveMs);

  let ended = false;
  function end() {
    if (ended) return;
    ended = true;
    clearInterval(poll);
    clearInterval(keepalive);
    quorum.closing.removeEventListener("abort", end);
    response.end();
  }
  // The response closes when the client goes away (or once the stream has ended).
  response.on("close", end);
  quorum.closing.addEventListener("abort", end, { once: true });
}

/** The progress as the caller may see it now, after checking that their credentials still hold. */
async function readProgress(quorum: QuorumContext, stream: Stream): Promise<unknown> {
  const authenticated = await authenticate(quorum.db, quorum.sessionCookie, {
    cookieHeader: stream.request.headers.cookie ?? null,
    authorizationHeader: stream.request.headers.authorization ?? null,
  });
  if (!authenticated || authenticated.user.id !== stream.user.id) {
    throw new AppError("unauthorized", "The session or API token has ended; sign in again");
  }
  return projectProgress(quorum.db, authenticated.user, stream.projectId);
}
