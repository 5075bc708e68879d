/**
 * The database channel that every committed change of access notifies, whoever made it (the
 * triggers of migration 20261208010000_access_notifications).
 */
export const ACCESS_CHANNEL = "quorum_access";

/**
 * Tells whatever holds long-lived connections on this instance (sync sockets, event streams)
 * that credentials or accounts have just ended, so that it checks its connections again at once
 * rather than at its next periodic recheck. A listener only starts the check; the check reads
 * the database, the one source of truth. The services of this instance notify as they change
 * access; the server also notifies when the database announces a change on `ACCESS_CHANNEL`,
 * which covers other instances, the quorum CLI and SQL by hand.
 */
export class AccessChanges {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` after every change from now on; returns the function that stops it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Some sessions, tokens or users have just ended, or someone lost a seat on a panel: everyone
   * holding connections rechecks.
   */
  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
