import type { Response, Router } from "express";
import type { QuorumContext } from "../../context.ts";
import { AppError, unauthorized } from "../../errors.ts";
import { PerUserLimit } from "../../per-user-limit.ts";
import { latestProjectEventId } from "../../services/project-events.ts";
import { projectProgress } from "../../services/progress.ts";
import { authenticate } from "../credentials.ts";
import { apiHandler } from "../handler.ts";
import { parseId } from "../parse.ts";
import { ProgressFeeds, type ProgressWatcher } from "../progress-feeds.ts";

/** A comment line now and then keeps proxies from closing a quiet stream. */
const keepaliveMs = 15_000;
/**
 * What a stream may hold written but not yet taken by its client. A client that stops reading
 * would otherwise have the server keep everything the stream sends it (a resume from an early
 * `Last-Event-ID` replays every published label since) in memory, for as long as it stays
 * connected. Past it the stream ends, and a reconnect with `Last-Event-ID` resumes where the
 * client's reading stopped.
 */
const maxUnsentBytes = 4 * 1024 * 1024;
/** How long an ended stream's last bytes may take to reach a client before it is cut off. */
const flushGraceMs = 30_000;

/**
 * `GET /projects/:id/events`: what happens in a project as server-sent events, for dashboards
 * and integrations. The first `progress` event is the current state, each later one a changed
 * state, in the shape of `GET /projects/:id/progress`. The project's logged events (an item
 * disputed, published or reopened, a label submitted, a review decided, an import completed;
 * services/project-events.ts) follow as events named by their type, with their id as the SSE
 * `id`: a client that reconnects with `Last-Event-ID` gets every event after that one, and a
 * fresh stream starts after the latest. Every other event carries the id of the last logged
 * event the stream has passed, so a reconnect resumes from there too. After events, at most every
 * `QUALITY_EVENT_SECONDS`, a `quality` snapshot follows. The database is the source of truth, so
 * every instance serves the same events without talking to the others: the project's streams on
 * an instance share one read of the events and of the progress every `EVENTS_POLL_SECONDS`
 * (progress-feeds.ts), and each is sent what its user may see. The callers' credentials and
 * permissions are checked on every read; once a caller's no longer hold, an `error` event says
 * why and the stream ends. A user may hold `EVENTS_MAX_STREAMS_PER_USER` streams at once on an
 * instance; more are refused with 429.
 */
export function registerEventRoutes(router: Router, quorum: QuorumContext): void {
  const feeds = new ProgressFeeds(quorum);
  // Disabling a user on this instance ends their streams at once, not at the next poll.
  const stopWatchingAccess = quorum.accessChanges.subscribe(() => feeds.recheckAll());
  /** How to end each open stream: all of them end when the server shuts down. */
  const openStreams = new Set<() => void>();
  quorum.closing.addEventListener(
    "abort",
    () => {
      stopWatchingAccess();
      for (const end of [...openStreams]) end();
    },
    { once: true },
  );
  const openStreamsPerUser = new PerUserLimit(quorum.config.eventsMaxStreamsPerUser);

  /** Counts a stream of the user until its response closes, however it ends. */
  function reserveStream(userId: number, response: Response): void {
    const release = openStreamsPerUser.tryReserve(userId);
    if (!release) {
      throw new AppError(
        "rate_limited",
        `At most ${openStreamsPerUser.max} open event streams per user; close some and try again`,
      );
    }
    response.once("close", release);
  }

  router.get(
    "/projects/:id/events",
    apiHandler(quorum, async ({ request, response }) => {
      const authenticated = await authenticate(quorum.db, quorum.sessionCookie, {
        cookieHeader: request.headers.cookie ?? null,
        authorizationHeader: request.headers.authorization ?? null,
      });
      if (!authenticated) throw unauthorized();
      const projectId = parseId(request.params.id, "Project id");
      if (quorum.closing.aborted) throw new AppError("unavailable", "The server is shutting down");
      const resumeAfter = parseLastEventId(request.headers["last-event-id"]);
      reserveStream(authenticated.user.id, response);
      const first = await projectProgress(quorum.db, authenticated.user, projectId);
      const latest = await latestProjectEventId(quorum.db, projectId);
      streamProject(feeds, openStreams, {
        projectId,
        userId: authenticated.user.id,
        credential: authenticated.credential,
        response,
        first: JSON.stringify(first),
        // An id past the project's latest was not one of its events: start after the latest.
        after: resumeAfter === null ? latest : Math.min(resumeAfter, latest),
      });
      return undefined;
    }),
  );
}

/**
 * The id a reconnecting client last received (the `Last-Event-ID` header); null when there is
 * none or it is not an id, and the stream starts afresh.
 */
function parseLastEventId(header: string | string[] | undefined): number | null {
  if (typeof header !== "string" || !/^\d{1,15}$/.test(header.trim())) return null;
  return Number(header.trim());
}

interface Stream {
  projectId: number;
  userId: number;
  credential: ProgressWatcher["credential"];
  response: Response;
  /** The first event's progress, as JSON. */
  first: string;
  /** The id of the logged event the stream starts after. */
  after: number;
}

function streamProject(feeds: ProgressFeeds, openStreams: Set<() => void>, stream: Stream): void {
  const { response } = stream;
  // The client may have gone while the first progress was read: there is nothing to stream to.
  if (response.closed) return;
  response.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    // Reverse proxies such as nginx would otherwise hold events back in their buffers.
    "X-Accel-Buffering": "no",
  });
  /** The last logged event sent, or the one the stream started after. */
  let eventId = stream.after;
  let ended = false;
  /** Writes an event, or ends the stream when its client has fallen too far behind. */
  const send = (event: string, data: string, id = eventId): boolean => {
    if (ended) return false;
    if (response.writableLength > maxUnsentBytes) {
      endBackedUp();
      return false;
    }
    eventId = id;
    response.write(`id: ${eventId}\nevent: ${event}\ndata: ${data}\n\n`);
    return true;
  };
  let last = stream.first;
  send("progress", last);

  const unwatch = feeds.watch(
    stream.projectId,
    {
      userId: stream.userId,
      credential: stream.credential,
      events(events) {
        for (const event of events) {
          if (!send(event.type, event.json, event.id)) return;
        }
      },
      progress(json) {
        if (ended || json === last) return;
        last = json;
        send("progress", json);
      },
      quality(json) {
        send("quality", json);
      },
      fail(error) {
        if (ended) return;
        send("error", JSON.stringify(error.toBody()));
        end();
      },
    },
    stream.after,
  );
  const keepalive = setInterval(() => {
    if (response.writableLength > maxUnsentBytes) endBackedUp();
    else response.write(": keepalive\n\n");
  }, keepaliveMs);

  function end() {
    if (ended) return;
    ended = true;
    unwatch();
    clearInterval(keepalive);
    openStreams.delete(end);
    response.end();
  }

  /**
   * Ends a stream whose client has not taken what it was sent: what is written still goes out,
   * if the client reads it soon; a client that does not is cut off, and its bytes dropped.
   */
  function endBackedUp() {
    end();
    const cut = setTimeout(() => response.destroy(), flushGraceMs);
    cut.unref();
    response.once("close", () => clearTimeout(cut));
  }
  // The response closes when the client goes away (or once the stream has ended).
  response.on("close", end);
  openStreams.add(end);
}
