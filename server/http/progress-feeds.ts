import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { AppError, unauthorized } from "../errors.ts";
import { assertProjectPermission, type Subject } from "../permissions.ts";
import { validCredentials, type CredentialRef } from "../services/auth.ts";
import {
  eventAudienceOf,
  eventPeople,
  projectEventView,
  readProjectEvents,
  type EventAudience,
  type ProjectEvent,
} from "../services/project-events.ts";
import { loadProjectModel, type ProjectModel } from "../services/project-model.ts";
import { readProjectProgress, seesProjectCosts, seesWorkingTimes } from "../services/progress.ts";
import { projectQualityComputation } from "../services/quality-economics.ts";

/** Events read per project and poll at most; a full read polls again at once. */
const EVENTS_PER_READ = 500;

/** One project event as a stream sends it: its id, its type (the SSE event name) and its data. */
export interface StreamedEvent {
  id: number;
  type: string;
  json: string;
}

/** One open event stream of a project, as the project's feed sees it. */
export interface ProgressWatcher {
  readonly userId: number;
  /** What the stream was opened with; checked again on every read. */
  readonly credential: CredentialRef;
  /** Called with the project's new events, oldest first, as the watcher may see them. */
  events(events: ReadonlyArray<StreamedEvent>): void;
  /** Called with the progress, as JSON, on every read; the stream sends it if it changed. */
  progress(json: string): void;
  /** Called with a quality snapshot, as JSON, after changes (`QUALITY_EVENT_SECONDS` apart). */
  quality(json: string): void;
  /** Called once the watcher's access has ended; the stream sends the error and ends. */
  fail(error: AppError): void;
}

/**
 * One poller per project on this instance, however many streams watch it: every
 * `EVENTS_POLL_SECONDS` it reads the project's new events once, for every watcher (from the
 * oldest place one of them is at), then rechecks all of the project's watchers at once (their
 * credentials and standing in the project, in three queries) and reads the progress once, then
 * gives each watcher the events and progress as its role may see them: with names, or
 * annotators under pseudonyms, with the project's costs or without. After events, at most every
 * `QUALITY_EVENT_SECONDS`, it computes the project's quality once and sends each watcher a
 * snapshot. A project's poller stops when its last watcher leaves.
 */
export class ProgressFeeds {
  private readonly feeds = new Map<number, ProjectFeed>();

  constructor(private readonly quorum: QuorumContext) {}

  /**
   * Rechecks every project's watchers now rather than at the next poll: some credentials or
   * users have just ended (server/access-changes.ts).
   */
  recheckAll(): void {
    for (const feed of this.feeds.values()) feed.poll({ urgent: true });
  }

  /**
   * Adds a watcher to the project's feed, to be given the events after `afterEventId`; returns
   * the function that removes it.
   */
  watch(projectId: number, watcher: ProgressWatcher, afterEventId: number): () => void {
    let feed = this.feeds.get(projectId);
    if (!feed) {
      const created = new ProjectFeed(this.quorum, projectId);
      created.timer = setInterval(() => created.poll(), this.quorum.config.eventsPollMs);
      this.feeds.set(projectId, created);
      feed = created;
    }
    const watched = feed;
    watched.add(watcher, afterEventId);
    return () => {
      watched.watchers.delete(watcher);
      if (watched.watchers.size > 0 || this.feeds.get(projectId) !== watched) return;
      clearInterval(watched.timer);
      this.feeds.delete(projectId);
    };
  }
}

/** What a watcher admitted to a read may see: of the events and progress, and the costs. */
interface Admitted {
  audience: EventAudience;
  costs: boolean;
  /** Whether it sees how long the work took (`seesWorkingTimes`). */
  times: boolean;
}

class ProjectFeed {
  /** Each watcher with the id of the last event it was given, or that it started after. */
  readonly watchers = new Map<ProgressWatcher, number>();
  timer: NodeJS.Timeout | undefined;
  private reading = false;
  /** An urgent poll came while a read was under way, which may predate what it was about. */
  private pollAgain = false;
  /** The newest event the feed knows of: read, or that a watcher started after. */
  private newest = 0;
  /** Whether an event arrived since the last quality snapshot. */
  private qualityStale = false;
  private lastQualityAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly quorum: QuorumContext,
    private readonly projectId: number,
  ) {}

  add(watcher: ProgressWatcher, afterEventId: number): void {
    this.watchers.set(watcher, afterEventId);
    this.newest = Math.max(this.newest, afterEventId);
  }

  poll({ urgent = false }: { urgent?: boolean } = {}): void {
    if (this.watchers.size === 0) return;
    if (this.reading) {
      if (urgent) this.pollAgain = true;
      return;
    }
    this.reading = true;
    this.read([...this.watchers.keys()])
      .catch((error: unknown) => {
        if (error instanceof AppError && error.status < 500) {
          for (const watcher of this.watchers.keys()) watcher.fail(error);
        } else {
          this.quorum.log.warn(
            { err: error, projectId: this.projectId },
            "could not read the project's events and progress for its event streams",
          );
        }
      })
      .finally(() => {
        this.reading = false;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.poll();
        }
      });
  }

  private async read(watchers: ProgressWatcher[]): Promise<void> {
    const { db } = this.quorum;
    // The events first, the standing after: a watcher still standing once they are read was
    // entitled to see them when they were committed.
    const from = Math.min(...watchers.map((watcher) => this.watchers.get(watcher) ?? 0));
    const events = await readProjectEvents(db, this.projectId, from, EVENTS_PER_READ);
    if (events.length === EVENTS_PER_READ) this.pollAgain = true;
    const lastRead = events.at(-1)?.id ?? 0;
    if (lastRead > this.newest) {
      this.newest = lastRead;
      this.qualityStale = true;
    }
    const [standing, project] = await Promise.all([
      standingOf(db, this.projectId, watchers),
      loadProjectModel(db, this.projectId),
    ]);
    const admitted = new Map<ProgressWatcher, Admitted>();
    for (const watcher of watchers) {
      const subject = standing.get(watcher);
      if (subject instanceof AppError) watcher.fail(subject);
      else if (subject) {
        admitted.set(watcher, {
          audience: eventAudienceOf(subject, project),
          costs: seesProjectCosts(subject, project),
          times: seesWorkingTimes(subject, project),
        });
      }
    }
    if (admitted.size === 0) return;
    const audiences = [...admitted.values()];
    if (events.length > 0) await this.sendEvents(admitted, events);

    const progressAs = await readProjectProgress(db, project, {
      pseudonyms: audiences.some((audience) => audience.audience.pseudonymised),
      costs: audiences.some((audience) => audience.costs),
    });
    const views = new Map<string, string>();
    for (const [watcher, { audience, costs, times }] of admitted) {
      if (!this.watchers.has(watcher)) continue;
      const { pseudonymised } = audience;
      const view = `${pseudonymised}:${costs}:${times}`;
      let json = views.get(view);
      if (json === undefined) {
        json = JSON.stringify(progressAs(pseudonymised, costs, times));
        views.set(view, json);
      }
      watcher.progress(json);
    }

    if (this.qualityStale && Date.now() - this.lastQualityAt >= this.quorum.config.qualityEventMs) {
      this.qualityStale = false;
      const snapshotAs = await readQualitySnapshot(db, project);
      const snapshots = new Map<boolean, string>();
      for (const [watcher, { costs }] of admitted) {
        if (!this.watchers.has(watcher)) continue;
        let json = snapshots.get(costs);
        if (json === undefined) {
          json = JSON.stringify(snapshotAs(costs));
          snapshots.set(costs, json);
        }
        watcher.quality(json);
      }
      // Counted from the sending, so that a slow computation cannot bring the next one closer.
      this.lastQualityAt = Date.now();
    }
  }

  /** Gives each admitted watcher the events it has not had, as its audience may see them. */
  private async sendEvents(
    admitted: ReadonlyMap<ProgressWatcher, Admitted>,
    events: ReadonlyArray<ProjectEvent>,
  ): Promise<void> {
    const people = await eventPeople(this.quorum.db, this.projectId, events, {
      pseudonymised: [...admitted.values()].some(({ audience }) => audience.pseudonymised),
    });
    const views = new Map<string, StreamedEvent[]>();
    for (const [watcher, { audience }] of admitted) {
      const after = this.watchers.get(watcher);
      if (after === undefined) continue;
      const key = `${audience.pseudonymised}:${audience.labels}`;
      let streamed = views.get(key);
      if (!streamed) {
        streamed = events.map((event) => ({
          id: event.id,
          type: event.type,
          json: JSON.stringify(projectEventView(event, audience, people)),
        }));
        views.set(key, streamed);
      }
      const unseen = streamed.filter((event) => event.id > after);
      if (unseen.length === 0) continue;
      this.watchers.set(watcher, unseen.at(-1)!.id);
      watcher.events(unseen);
    }
  }
}

/**
 * The compact quality figures a stream sends after changes: agreement per field with its
 * interval, the project's accuracy against final labels and, for those who may see costs, what
 * the work has cost so far. Nothing per person, so every audience gets the same figures but for
 * the cost. One computation, kept like the quality endpoint's (decision 023), serves them all.
 */
async function readQualitySnapshot(db: Kysely<Database>, project: ProjectModel) {
  const computation = await projectQualityComputation(db, project);
  const { whole } = computation.economics;
  const accuracy = whole.accuracyVsFinal;
  const figures = {
    projectId: project.id,
    agreement: computation.agreements().map((field) => ({
      fieldId: field.fieldId,
      alpha: field.alpha.value,
      reason: field.alpha.reason,
      alphaCi: field.alphaCi.value,
      items: field.items,
    })),
    accuracyVsFinal: {
      value: accuracy.value.value,
      reason: accuracy.value.reason,
      ci: accuracy.ci === null ? null : [accuracy.ci.lower, accuracy.ci.upper],
      correct: accuracy.correct,
      scored: accuracy.scored,
    },
  };
  /** The figures for a viewer who may (`costs`) or may not see what the work cost. */
  return (costs: boolean) => (costs ? { ...figures, costCents: whole.costCents } : figures);
}

/**
 * Each watcher's standing in the project now, or the error that ends its stream: its credential
 * must still hold (not logged out, expired or revoked, the user not disabled) and its user may
 * still see the project's progress. Three queries, however many watchers.
 */
async function standingOf(
  db: Kysely<Database>,
  projectId: number,
  watchers: readonly ProgressWatcher[],
): Promise<Map<ProgressWatcher, Subject | AppError>> {
  const userIds = [...new Set(watchers.map((watcher) => watcher.userId))];
  const [credentials, users] = await Promise.all([
    validCredentials(
      db,
      watchers.map((watcher) => watcher.credential),
    ),
    db
      .selectFrom("users")
      .leftJoin("project_members", (join) =>
        join
          .onRef("project_members.user_id", "=", "users.id")
          .on("project_members.project_id", "=", projectId),
      )
      .select(["users.id", "users.is_admin", "project_members.role"])
      .where("users.id", "in", userIds)
      .execute(),
  ]);
  const subjects = new Map(
    users.map((row): [number, Subject] => [row.id, { isAdmin: row.is_admin, role: row.role }]),
  );
  const standing = new Map<ProgressWatcher, Subject | AppError>();
  for (const watcher of watchers) {
    const { credential } = watcher;
    const holds =
      credential.kind === "session"
        ? credentials.sessions.has(credential.id)
        : credentials.tokens.has(credential.id);
    const subject = subjects.get(watcher.userId);
    if (!holds || !subject) {
      standing.set(watcher, unauthorized("The session or API token has ended; sign in again"));
      continue;
    }
    try {
      standing.set(watcher, assertProjectPermission(subject, true, "project.viewQuality"));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      standing.set(watcher, error);
    }
  }
  return standing;
}
