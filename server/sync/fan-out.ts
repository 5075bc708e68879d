import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { sql, type Kysely } from "kysely";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Database } from "../../db/schema.ts";
import type { Logger } from "../logger.ts";

/**
 * What instances tell each other about a room: a durable update (already committed, with the
 * number of log rows it stands for) or a presence change (with the connection that owns it).
 */
export type FanOutMessage =
  | { kind: "update"; update: Uint8Array; rows: number }
  | { kind: "awareness"; owner: string; update: Uint8Array };

const kindUpdate = 0;
const kindAwareness = 1;

/**
 * The namespace of this deployment's channels: REDIS_NAMESPACE when set, otherwise derived from
 * the database, from its deployment id (made once, by a migration) and the database's name.
 * Every instance of a deployment reads the same one, and restarts keep it; two deployments on
 * one Redis get different ones (pub/sub ignores Redis's database numbers), including a copy made
 * with `CREATE DATABASE … TEMPLATE`, which keeps the id but not the name.
 */
export async function channelNamespace(
  db: Kysely<Database>,
  configured: string | undefined,
): Promise<string> {
  if (configured !== undefined) return configured;
  const { rows } = await sql<{ id: string; database: string }>`
    select id, current_database() as database from deployment`.execute(db);
  const deployment = rows[0];
  if (!deployment) throw new Error("The database has no deployment id; run the migrations");
  return createHash("sha256")
    .update(`${deployment.id}/${deployment.database}`)
    .digest("hex")
    .slice(0, 16);
}

/** The channel of a room: `quorum:<namespace>:room:<docName>`. */
export function roomChannelPrefix(namespace: string): string {
  return `quorum:${namespace}:room:`;
}

/**
 * Room traffic between instances over Redis pub/sub: one channel per document, subscribed while
 * the room is loaded here, in this deployment's namespace. Pub/sub delivers at most once, so
 * after every reconnection of the subscriber the rooms catch up from the database, which holds
 * every update ever published.
 */
export class RoomFanOut {
  readonly instanceId = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, (message: FanOutMessage) => void>();
  private readonly catchUpListeners = new Set<(docName: string) => void>();
  /** Resolved before any room subscribes, hence before anything is published or delivered. */
  private readonly channelPrefix: Promise<string>;
  private knownChannelPrefix: string | null = null;
  private connectedBefore = false;
  private closing = false;

  constructor(
    url: string,
    private readonly log: Logger,
    namespace: Promise<string>,
  ) {
    this.channelPrefix = namespace.then((resolved) => {
      this.knownChannelPrefix = roomChannelPrefix(resolved);
      log.info({ redisNamespace: resolved }, "room channels namespaced");
      return this.knownChannelPrefix;
    });
    this.channelPrefix.catch((error: unknown) =>
      log.error({ err: error }, "could not determine the Redis namespace; rooms cannot load"),
    );
    // Publishing waits through a Redis outage instead of failing: a lost message would leave the
    // other instances' participants behind until they reconnect.
    this.publisher = new Redis(url, {
      maxRetriesPerRequest: null,
      connectionName: "quorum-sync-publisher",
    });
    // Resubscription is ours (see onSubscriberReady): a room may catch up only once its channel
    // is subscribed again, or an update published in between would be missed.
    this.subscriber = new Redis(url, {
      autoResubscribe: false,
      connectionName: "quorum-sync-subscriber",
    });
    for (const [role, client] of [
      ["publisher", this.publisher],
      ["subscriber", this.subscriber],
    ] as const) {
      client.on("error", (error: Error) => {
        if (!this.closing) this.log.warn({ err: error, redis: role }, "redis connection error");
      });
    }
    this.subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) =>
      this.deliver(channel.toString(), message),
    );
    this.subscriber.on("ready", () => void this.onSubscriberReady());
  }

  /** Calls the listener for every subscribed room after the subscriber has reconnected. */
  onCatchUpNeeded(listener: (docName: string) => void): void {
    this.catchUpListeners.add(listener);
  }

  /** Resolves once Redis has confirmed the subscription. */
  async subscribe(docName: string, handler: (message: FanOutMessage) => void): Promise<void> {
    this.handlers.set(docName, handler);
    await this.subscriber.subscribe((await this.channelPrefix) + docName);
  }

  /**
   * Stops the handler's subscription. A room loaded again meanwhile has subscribed a handler of
   * its own, which stays.
   */
  async unsubscribe(docName: string, handler: (message: FanOutMessage) => void): Promise<void> {
    if (this.handlers.get(docName) !== handler) return;
    this.handlers.delete(docName);
    await this.subscriber.unsubscribe((await this.channelPrefix) + docName);
  }

  publish(docName: string, message: FanOutMessage): void {
    const payload = encode(this.instanceId, message);
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    // Reactions to one settled promise run in the order they were added: publishes keep theirs.
    this.channelPrefix
      .then((prefix) => this.publisher.publish(prefix + docName, bytes))
      .catch((error: unknown) => {
        if (!this.closing) this.log.error({ err: error, docName }, "could not publish to redis");
      });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handlers.clear();
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
  }

  private deliver(channel: string, payload: Buffer): void {
    const prefix = this.knownChannelPrefix;
    if (prefix === null || !channel.startsWith(prefix)) return;
    const docName = channel.slice(prefix.length);
    const handler = this.handlers.get(docName);
    if (!handler) return;
    let decoded: { instanceId: string; message: FanOutMessage };
    try {
      decoded = decode(payload);
    } catch (error) {
      this.log.warn({ err: error, docName }, "ignored an undecodable message from redis");
      return;
    }
    if (decoded.instanceId !== this.instanceId) handler(decoded.message);
  }

  private async onSubscriberReady(): Promise<void> {
    if (!this.connectedBefore) {
      this.connectedBefore = true;
      return;
    }
    const docNames = [...this.handlers.keys()];
    if (docNames.length === 0) return;
    try {
      const prefix = await this.channelPrefix;
      await this.subscriber.subscribe(...docNames.map((docName) => prefix + docName));
    } catch (error) {
      // The connection dropped again; its next "ready" repeats this.
      this.log.warn({ err: error }, "could not resubscribe to rooms");
      return;
    }
    this.log.info({ rooms: docNames.length }, "resubscribed to rooms; catching up");
    for (const docName of docNames) {
      if (!this.handlers.has(docName)) continue;
      for (const listener of this.catchUpListeners) listener(docName);
    }
  }
}

function encode(instanceId: string, message: FanOutMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, instanceId);
  if (message.kind === "update") {
    encoding.writeVarUint(encoder, kindUpdate);
    encoding.writeVarUint(encoder, message.rows);
  } else {
    encoding.writeVarUint(encoder, kindAwareness);
    encoding.writeVarString(encoder, message.owner);
  }
  encoding.writeVarUint8Array(encoder, message.update);
  return encoding.toUint8Array(encoder);
}

function decode(payload: Uint8Array): { instanceId: string; message: FanOutMessage } {
  const decoder = decoding.createDecoder(payload);
  const instanceId = decoding.readVarString(decoder);
  const kind = decoding.readVarUint(decoder);
  if (kind === kindUpdate) {
    const rows = decoding.readVarUint(decoder);
    return {
      instanceId,
      message: { kind: "update", rows, update: decoding.readVarUint8Array(decoder) },
    };
  }
  if (kind === kindAwareness) {
    const owner = decoding.readVarString(decoder);
    return {
      instanceId,
      message: { kind: "awareness", owner, update: decoding.readVarUint8Array(decoder) },
    };
  }
  throw new Error(`Unknown fan-out message kind ${kind}`);
}
