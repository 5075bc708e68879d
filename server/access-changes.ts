/**
 * Tells whatever holds long-lived connections on this instance (sync sockets, event streams)
 * that credentials or accounts have just ended, so that it checks its connections again at once
 * rather than at its next periodic recheck. A listener only starts the check; the check reads
 * the database, the one source of truth. Other instances are not told: they find out at their
 * own next recheck (`SYNC_ACCESS_RECHECK_SECONDS`, `EVENTS_POLL_SECONDS`).
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
