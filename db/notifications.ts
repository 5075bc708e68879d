import pg from "pg";

/** Stops listening; resolves once the connection, if one is open, has closed. */
export type StopListening = () => Promise<void>;

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 30_000;

/**
 * Listens to `channel` on PostgreSQL over a connection of its own: a pooled one would hand its
 * LISTEN to whoever checks it out next. A lost connection is made again, after 0.5 s doubling to
 * 30 s, and `onNotify` is then called once, since whatever was notified meanwhile went unheard.
 * Rejects if the first connection cannot be made.
 */
export async function listenOnPostgres(
  config: pg.ClientConfig,
  channel: string,
  onNotify: () => void,
): Promise<StopListening> {
  let stopped = false;
  let current: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;

  const scheduleRetry = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      open(true).catch(() => scheduleRetry());
    }, retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  };
  const lost = (client: pg.Client) => {
    if (client !== current) return;
    current = null;
    client.end().catch(() => undefined);
    scheduleRetry();
  };
  const open = async (again: boolean) => {
    const client = new pg.Client(config);
    // Until it listens, a failure is the caller's to handle; from then on, it is `lost`.
    client.on("error", () => lost(client));
    client.on("end", () => lost(client));
    client.on("notification", (message) => {
      if (message.channel === channel) onNotify();
    });
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    retryMs = FIRST_RETRY_MS;
    if (again) onNotify();
  };

  await open(false);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const client = current;
    current = null;
    await client?.end().catch(() => undefined);
  };
}

/**
 * The listeners of each channel of one PGlite, which is one session: notifications reach it from
 * its own queries (`onNotification`) and, when it is shared, from its socket's clients' commits,
 * whose output the socket reads.
 */
export class PgliteNotifications {
  readonly #listeners = new Map<string, Set<() => void>>();

  constructor(private readonly startListening: (channel: string) => Promise<void>) {}

  async listen(channel: string, onNotify: () => void): Promise<StopListening> {
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      await this.startListening(channel);
    }
    listeners.add(onNotify);
    return async () => {
      listeners.delete(onNotify);
    };
  }

  /** A notification on `channel` arrived. */
  deliver(channel: string): void {
    for (const listener of [...(this.#listeners.get(channel) ?? [])]) listener();
  }
}
