import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { AppError, unauthorized } from "../errors.ts";
import { assertProjectPermission, type Subject } from "../permissions.ts";
import { validCredentials, type CredentialRef } from "../services/auth.ts";
import { loadProjectModel } from "../services/project-model.ts";
import {
  readProjectProgress,
  seesProjectCosts,
  seesPseudonymisedProgress,
} from "../services/progress.ts";

/** One open event stream of a project, as the project's feed sees it. */
export interface ProgressWatcher {
  readonly userId: number;
  /** What the stream was opened with; checked again on every read. */
  readonly credential: CredentialRef;
  /** Called with the progress, as JSON, on every read; the stream sends it if it changed. */
  progress(json: string): void;
  /** Called once the watcher's access has ended; the stream sends the error and ends. */
  fail(error: AppError): void;
}

/**
 * One poller per project on this instance, however many streams watch it: every
 * `EVENTS_POLL_SECONDS` it rechecks all of the project's watchers at once (their credentials and
 * standing in the project, in three queries) and reads the progress once, then gives each
 * watcher the view its role may see: with names, or annotators under pseudonyms, with the
 * project's costs or without. A project's poller stops when its last watcher leaves.
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

  /** Adds a watcher to the project's feed; returns the function that removes it. */
  watch(projectId: number, watcher: ProgressWatcher): () => void {
    let feed = this.feeds.get(projectId);
    if (!feed) {
      const created = new ProjectFeed(this.quorum, projectId);
      created.timer = setInterval(() => created.poll(), this.quorum.config.eventsPollMs);
      this.feeds.set(projectId, created);
      feed = created;
    }
    const watched = feed;
    watched.watchers.add(watcher);
    return () => {
      watched.watchers.delete(watcher);
      if (watched.watchers.size > 0 || this.feeds.get(projectId) !== watched) return;
      clearInterval(watched.timer);
      this.feeds.delete(projectId);
    };
  }
}

class ProjectFeed {
  readonly watchers = new Set<ProgressWatcher>();
  timer: NodeJS.Timeout | undefined;
  private reading = false;
  /** An urgent poll came while a read was under way, which may predate what it was about. */
  private pollAgain = false;

  constructor(
    private readonly quorum: QuorumContext,
    private readonly projectId: number,
  ) {}

  poll({ urgent = false }: { urgent?: boolean } = {}): void {
    if (this.watchers.size === 0) return;
    if (this.reading) {
      if (urgent) this.pollAgain = true;
      return;
    }
    this.reading = true;
    this.read([...this.watchers])
      .catch((error: unknown) => {
        if (error instanceof AppError && error.status < 500) {
          for (const watcher of this.watchers) watcher.fail(error);
        } else {
          this.quorum.log.warn(
            { err: error, projectId: this.projectId },
            "could not read the project's progress for its event streams",
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
    const [standing, project] = await Promise.all([
      standingOf(db, this.projectId, watchers),
      loadProjectModel(db, this.projectId),
    ]);
    const admitted = new Map<ProgressWatcher, { pseudonymised: boolean; costs: boolean }>();
    for (const watcher of watchers) {
      const subject = standing.get(watcher);
      if (subject instanceof AppError) watcher.fail(subject);
      else if (subject) {
        admitted.set(watcher, {
          pseudonymised: seesPseudonymisedProgress(subject, project),
          costs: seesProjectCosts(subject, project),
        });
      }
    }
    if (admitted.size === 0) return;
    const audiences = [...admitted.values()];
    const progressAs = await readProjectProgress(db, project, {
      pseudonyms: audiences.some((audience) => audience.pseudonymised),
      costs: audiences.some((audience) => audience.costs),
    });
    const views = new Map<string, string>();
    for (const [watcher, { pseudonymised, costs }] of admitted) {
      if (!this.watchers.has(watcher)) continue;
      const view = `${pseudonymised}:${costs}`;
      let json = views.get(view);
      if (json === undefined) {
        json = JSON.stringify(progressAs(pseudonymised, costs));
        views.set(view, json);
      }
      watcher.progress(json);
    }
  }
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
