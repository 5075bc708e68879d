import { setMaxListeners } from "node:events";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { sql, type Kysely, type Selectable } from "kysely";
import { Webhook } from "standardwebhooks";
import type {
  Database,
  ProjectEventsTable,
  WebhookEndpointsTable,
  WebhookOutcome,
} from "../../../db/schema.ts";
import type { Config } from "../../config.ts";
import type { Logger } from "../../logger.ts";
import { recordAudit } from "../audit.ts";
import { eventPeople, projectEventView } from "../project-events.ts";
import { isPrivateAddress, publicOnlyLookup } from "./addresses.ts";
import { pruneWebhookLog } from "./log-retention.ts";
import { ownerMayManage } from "./owner.ts";

type EndpointRow = Selectable<WebhookEndpointsTable>;
type EventRow = Selectable<ProjectEventsTable>;

/** Endpoints one instance sends to at once, and events it sends an endpoint per lease. */
const ENDPOINTS_IN_FLIGHT = 10;
const EVENTS_PER_LEASE = 50;
/**
 * How long an endpoint's turn at one of the instance's places lasts (one event, however long it
 * takes, at the least): then it lets go, and the due endpoints take the places in turn, those
 * that waited longest first. Ten slow receivers (each answering just within the timeout, with a
 * backlog of events) would otherwise hold every place for minutes, and every other project's
 * webhooks with them.
 */
const TURN_MS = 1_000;
/** How often an instance prunes the delivery log (and once when it starts). */
const LOG_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** What a lease outlasts the timeout by, so that a request begun within it ends within it. */
const LEASE_MARGIN_MS = 1_000;
/** Retries wait twice as long each time, up to an hour. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** At most this much of an error is logged for an attempt. */
const MAX_ERROR_CHARS = 300;

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  delivered: boolean;
}

/**
 * The request a receiver gets for an event, as the Standard Webhooks specification lays it out:
 * a JSON body `{ type, timestamp, data }`, and `webhook-id` (the same on every retry of the
 * event, so receivers can drop repeats), `webhook-timestamp` and `webhook-signature` headers.
 */
export function webhookRequest(
  secret: string,
  event: EventRow,
  data: Record<string, unknown>,
  sentAt: Date,
) {
  const body = JSON.stringify({
    type: event.type,
    timestamp: event.created_at.toISOString(),
    data,
  });
  const id = `evt_${event.id}`;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(id, sentAt, body),
    },
  };
}

/**
 * An event's `data` as a webhook carries it: what the project's event stream shows its leads
 * (annotators by id and name, published labels in full), with the event's and project's ids.
 */
export async function webhookData(
  db: Kysely<Database>,
  event: EventRow,
): Promise<Record<string, unknown>> {
  const projectEvent = {
    id: event.id,
    type: event.type,
    itemId: event.item_id,
    payload: event.payload,
    createdAt: event.created_at,
  };
  const people = await eventPeople(db, event.project_id, [projectEvent], { pseudonymised: false });
  const view = projectEventView(projectEvent, { pseudonymised: false, labels: true }, people);
  const { id, type: _type, createdAt: _createdAt, ...rest } = view;
  return { eventId: id, projectId: event.project_id, ...rest };
}

/**
 * Sends one event to an endpoint: delivered on a 2xx answer within the timeout; a redirect is
 * not followed (the URL a lead saved is the one called) and counts as a failure, as does any
 * other status, a timeout or a refused connection. The timeout bounds the whole exchange, from
 * the lookup to the answer's status line and headers, not only the silences between bytes: a
 * receiver that trickles its headers a byte at a time fails at the deadline like a silent one.
 * Private addresses are refused as they are resolved unless the endpoint allows them.
 */
export function sendWebhook(
  endpoint: Pick<EndpointRow, "url" | "secret" | "allow_private_addresses">,
  event: EventRow,
  data: Record<string, unknown>,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<SendResult> {
  const started = performance.now();
  const finish = (statusCode: number | null, error: string | null): SendResult => ({
    statusCode,
    error: error?.slice(0, MAX_ERROR_CHARS) ?? null,
    durationMs: Math.round(performance.now() - started),
    delivered: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
  });
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(endpoint.url);
    } catch {
      resolve(finish(null, "the URL is not valid"));
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (!endpoint.allow_private_addresses && net.isIP(host) && isPrivateAddress(host)) {
      resolve(finish(null, `${host} is a private or local address; an admin may allow it`));
      return;
    }
    const { body, headers } = webhookRequest(endpoint.secret, event, data, new Date());
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(url, {
      method: "POST",
      headers: { ...headers, "content-length": Buffer.byteLength(body), "user-agent": "Quorum" },
      signal: options.signal,
      ...(endpoint.allow_private_addresses ? {} : { lookup: publicOnlyLookup }),
    });
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );
    request.on("close", () => clearTimeout(deadline));
    request.on("response", (response) => {
      clearTimeout(deadline);
      const status = response.statusCode ?? 0;
      // The status decides and the body is never read: the connection closes at once. Reading
      // it to its end would let a receiver stream an endless body, holding a connection (and
      // the bandwidth to read it) for good, one more with every event it is sent.
      response.on("error", () => {});
      response.destroy();
      const location = response.headers.location;
      resolve(
        finish(
          status,
          status >= 200 && status < 300
            ? null
            : status >= 300 && status < 400
              ? `redirects are not followed (${status} to ${location ?? "nowhere"})`
              : `the receiver answered ${status}`,
        ),
      );
    });
    request.on("error", (error) => resolve(finish(null, error.message)));
    request.end(body);
  });
}

/** The delay before retry `attempts` (1 after the first failure): base × 2^(attempts − 1). */
export function retryDelayMs(baseMs: number, attempts: number): number {
  return Math.min(baseMs * 2 ** Math.max(attempts - 1, 0), MAX_RETRY_DELAY_MS);
}

/**
 * Delivers the project event log to webhook endpoints. Every `WEBHOOK_POLL_SECONDS` it leases
 * the endpoints that have a subscribed event waiting and are not waiting to retry (skipping
 * those another instance holds, and those whose owner may no longer manage them), and sends each its events in id order, one at a time: an
 * endpoint's cursor moves past an event only once the event is delivered or, after
 * `WEBHOOK_RETRY_HOURS` of failures, given up, so every event reaches a working receiver at
 * least once and in order, across crashes and instances. Each endpoint's sending runs on its
 * own: a slow receiver holds back its own endpoint's events, never another's, and the next look
 * takes the endpoints that became due meanwhile.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private look: Promise<void> | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<void> | undefined;
  /** Each endpoint this instance is sending to, with its run. */
  private readonly sending = new Map<number, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Pick<
      Config,
      | "webhookPollMs"
      | "webhookTimeoutMs"
      | "webhookRetryBaseMs"
      | "webhookRetryMs"
      | "webhookLeaseMs"
      | "webhookTurnOffAfterMs"
      | "webhookLogDays"
    >,
    private readonly log: Logger,
  ) {
    // Every request in flight listens to the signal until its socket closes: one per endpoint
    // being sent to, plus those whose run has ended a moment before their socket's close.
    // Node warns of a leak past ten, which the ten places and one closing request reach.
    setMaxListeners(ENDPOINTS_IN_FLIGHT * 2, this.stopping.signal);
  }

  start(): void {
    this.timer = setInterval(() => this.lookNow(), this.config.webhookPollMs);
    this.timer.unref();
    this.pruneTimer = setInterval(() => this.pruneLog(), LOG_PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    this.pruneLog();
  }

  /** Prunes the delivery log (`pruneWebhookLog`) unless a pruning is under way. */
  private pruneLog(): void {
    if (this.pruning || this.stopping.signal.aborted) return;
    this.pruning = pruneWebhookLog(
      this.db,
      { keepDays: this.config.webhookLogDays },
      this.stopping.signal,
    )
      .then((deleted) => {
        if (deleted > 0) this.log.info({ deleted }, "pruned the webhook delivery log");
      })
      .catch((error: unknown) =>
        this.log.warn({ err: error }, "could not prune the webhook delivery log"),
      )
      .finally(() => {
        this.pruning = undefined;
      });
  }

  /** Looks for due endpoints now, unless a look is under way or the dispatcher is stopping. */
  private lookNow(): void {
    if (this.look || this.stopping.signal.aborted) return;
    this.look = this.startDue()
      .catch((error: unknown) => this.log.error({ err: error }, "webhook delivery failed"))
      .finally(() => {
        this.look = undefined;
      });
  }

  /** Stops taking endpoints, cuts requests in flight short and waits for every run to end. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    this.stopping.abort();
    await this.look;
    await this.pruning;
    await Promise.all(this.sending.values());
  }

  /**
   * One look: leases the due endpoints this instance is not sending to already, as many as it
   * has room for, and starts sending to each.
   */
  private async startDue(): Promise<void> {
    const room = ENDPOINTS_IN_FLIGHT - this.sending.size;
    if (room <= 0 || this.stopping.signal.aborted) return;
    for (const endpoint of await this.leaseDueEndpoints(room, [...this.sending.keys()])) {
      const run = this.deliverTo(endpoint)
        .catch((error: unknown) =>
          this.log.error({ err: error, webhookId: endpoint.id }, "webhook delivery failed"),
        )
        .finally(() => {
          this.sending.delete(endpoint.id);
          // A place is free: the endpoint that waited longest takes it now, not at the next
          // poll (this one again, if nothing else is due and it has more to send).
          this.lookNow();
        });
      this.sending.set(endpoint.id, run);
    }
  }

  /**
   * How long a lease lasts: `WEBHOOK_LEASE_SECONDS`, but always past the longest request, so that
   * no other instance takes an endpoint while a request to it may still get through.
   */
  private get leaseSeconds(): number {
    return (
      Math.max(this.config.webhookLeaseMs, this.config.webhookTimeoutMs + LEASE_MARGIN_MS) / 1000
    );
  }

  private async leaseDueEndpoints(
    limit: number,
    ownRuns: ReadonlyArray<number>,
  ): Promise<EndpointRow[]> {
    const { rows } = await sql<EndpointRow>`
      update webhook_endpoints
      -- Milliseconds, as JavaScript dates hold them: the lease is compared to know it is ours.
      set leased_until = date_trunc('milliseconds',
        now() + make_interval(secs => ${this.leaseSeconds}))
      where id in (
        select endpoint.id from webhook_endpoints endpoint
        where endpoint.enabled
          and ${ownerMayManage("endpoint")}
          and endpoint.id <> all(${ownRuns}::int[])
          and (endpoint.leased_until is null or endpoint.leased_until < now())
          and (endpoint.next_attempt_at is null or endpoint.next_attempt_at <= now())
          and exists (
            select 1 from project_events event
            where event.project_id = endpoint.project_id
              and event.id > endpoint.after_event_id
              and event.type = any(endpoint.event_types))
        -- Turns: never leased first, then whoever's lease ended longest ago.
        order by endpoint.leased_until nulls first, endpoint.id
        limit ${limit}
        for update skip locked)
      returning *`.execute(this.db);
    return rows;
  }

  private async deliverTo(leased: EndpointRow): Promise<void> {
    let endpoint = leased;
    const turnEnds = performance.now() + TURN_MS;
    for (
      let sent = 0;
      sent < EVENTS_PER_LEASE && !this.stopping.signal.aborted && performance.now() < turnEnds;
      sent++
    ) {
      const event = await this.db
        .selectFrom("project_events")
        .selectAll()
        .where("project_id", "=", endpoint.project_id)
        .where("id", ">", endpoint.after_event_id)
        .where("type", "in", endpoint.event_types)
        .orderBy("id")
        .limit(1)
        .executeTakeFirst();
      if (!event) break;
      const result = await sendWebhook(endpoint, event, await webhookData(this.db, event), {
        timeoutMs: this.config.webhookTimeoutMs,
        signal: this.stopping.signal,
      });
      // Cut short by shutdown: the event stays due, for this instance's successor.
      if (this.stopping.signal.aborted && !result.delivered) return;
      const next = await this.record(endpoint, event, result);
      if (!next) return;
      endpoint = next;
      if (!endpoint.enabled) break;
      if (!result.delivered && endpoint.after_event_id < event.id) break;
    }
    // The lease ends now, and its end puts the endpoint behind those waiting for their turn.
    await this.db
      .updateTable("webhook_endpoints")
      .set({ leased_until: sql<Date>`now()` })
      .where("id", "=", endpoint.id)
      .where("leased_until", "=", endpoint.leased_until)
      .execute();
  }

  /**
   * Logs the attempt and moves the endpoint on, in one transaction, provided this instance
   * still holds the lease, which it renews for the next event; returns the endpoint as it now
   * is, or null when the lease was lost.
   */
  private record(
    endpoint: EndpointRow,
    event: EventRow,
    result: SendResult,
  ): Promise<EndpointRow | null> {
    return this.db.transaction().execute(async (trx) => {
      const attempts = endpoint.attempts + 1;
      const now = new Date();
      const failingSince = endpoint.failing_since ?? now;
      const givenUp =
        !result.delivered && now.getTime() - failingSince.getTime() >= this.config.webhookRetryMs;
      const outcome: WebhookOutcome = result.delivered
        ? "delivered"
        : givenUp
          ? "given up"
          : "failed";
      const moved = result.delivered || givenUp;
      // A receiver that has taken nothing for days is gone, not slow: turned off, it costs no
      // more attempts, and its events wait for a lead to turn it on again (decision 029).
      const unreachableSince = result.delivered ? null : (endpoint.unreachable_since ?? now);
      const turnOff =
        unreachableSince !== null &&
        this.config.webhookTurnOffAfterMs > 0 &&
        now.getTime() - unreachableSince.getTime() >= this.config.webhookTurnOffAfterMs;
      const renewed = sql<Date>`date_trunc('milliseconds',
        now() + make_interval(secs => ${this.leaseSeconds}))`;
      const updated = await trx
        .updateTable("webhook_endpoints")
        .set({
          ...(moved
            ? {
                after_event_id: event.id,
                attempts: 0,
                failing_since: null,
                next_attempt_at: null,
              }
            : {
                attempts,
                failing_since: failingSince,
                next_attempt_at: new Date(
                  now.getTime() + retryDelayMs(this.config.webhookRetryBaseMs, attempts),
                ),
              }),
          unreachable_since: unreachableSince,
          ...(turnOff ? { enabled: false, turned_off_at: now } : {}),
          leased_until: renewed,
        })
        .where("id", "=", endpoint.id)
        .where("leased_until", "=", endpoint.leased_until)
        .where("after_event_id", "=", endpoint.after_event_id)
        .returningAll()
        .executeTakeFirst();
      if (!updated) return null;
      await trx
        .insertInto("webhook_attempts")
        .values({
          endpoint_id: endpoint.id,
          event_id: event.id,
          attempt: attempts,
          status_code: result.statusCode,
          error: result.error,
          duration_ms: result.durationMs,
          outcome,
        })
        .execute();
      if (turnOff) {
        await recordAudit(trx, {
          actorId: null,
          action: "webhook.turn_off",
          projectId: endpoint.project_id,
          subjectType: "webhook",
          subjectId: endpoint.id,
          details: { url: endpoint.url, unreachableSince: unreachableSince.toISOString() },
        });
        this.log.warn(
          { webhookId: endpoint.id, url: endpoint.url, unreachableSince },
          "turned a webhook off: nothing delivered for too long",
        );
      }
      return updated;
    });
  }
}
