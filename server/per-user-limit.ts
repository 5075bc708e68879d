/**
 * How many of something (sync connections, event streams, exports) each user holds at once on
 * this instance, up to a cap. Reserving is synchronous, so parallel requests cannot all pass
 * the check before any is counted.
 */
export class PerUserLimit {
  private readonly heldByUser = new Map<number, number>();

  constructor(readonly max: number) {}

  /**
   * Counts one more for the user and gives back its release, which may be called any number of
   * times; null when the user already holds `max`.
   */
  tryReserve(userId: number): (() => void) | null {
    const held = this.heldByUser.get(userId) ?? 0;
    if (held >= this.max) return null;
    this.heldByUser.set(userId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (this.heldByUser.get(userId) ?? 1) - 1;
      if (remaining > 0) this.heldByUser.set(userId, remaining);
      else this.heldByUser.delete(userId);
    };
  }
}
