import { randomBytes } from "node:crypto";
import { sql, type Kysely, type Selectable } from "kysely";
import { z } from "zod";
import type { Database, User, WebhookEndpointsTable } from "../../../db/schema.ts";
import type { Config } from "../../config.ts";
import { AppError, conflict, notFound, validationFailed } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import { latestProjectEventId } from "../project-events.ts";
import { loadProjectFor, lockProjectFor, lockProjectForChange } from "../project-model.ts";
import { webhookUrlProblem } from "./addresses.ts";
import { sendWebhook, webhookData } from "./dispatcher.ts";
import { ownerMayManage } from "./owner.ts";

/** The events an endpoint may subscribe to: those of the project's event log. */
export const webhookEventTypes = [
  "item.disputed",
  "item.published",
  "item.reopened",
  "annotation.submitted",
  "review.decided",
  "import.completed",
] as const;

export const createWebhookSchema = z
  .object({
    url: z.string().min(1).max(2_000),
    events: z.array(z.enum(webhookEventTypes)).min(1).max(webhookEventTypes.length),
    /** Admins only: let the endpoint reach this host or a private network (a test receiver). */
    allowPrivateAddresses: z.boolean().optional(),
  })
  .strict();

export const updateWebhookSchema = createWebhookSchema
  .partial()
  .extend({ enabled: z.boolean().optional() })
  .strict();

type EndpointRow = Selectable<WebhookEndpointsTable> & {
  owner_name: string | null;
  owner_may_manage: boolean;
};

/** Endpoints with their owner's name and whether the owner may still manage them. */
function endpointsWithOwner(db: Kysely<Database>) {
  return db
    .selectFrom("webhook_endpoints")
    .leftJoin("users as owner", "owner.id", "webhook_endpoints.created_by")
    .selectAll("webhook_endpoints")
    .select([
      "owner.name as owner_name",
      ownerMayManage("webhook_endpoints").as("owner_may_manage"),
    ]);
}

async function endpointById(db: Kysely<Database>, webhookId: number): Promise<EndpointRow> {
  return endpointsWithOwner(db)
    .where("webhook_endpoints.id", "=", webhookId)
    .executeTakeFirstOrThrow();
}

/**
 * Endpoints one project may have. Each is sent every event it subscribes to and takes its turn
 * at every instance's dispatcher: a lead's loop of creations would otherwise multiply the
 * deliveries of every event and push other projects' endpoints back in the turns.
 */
export const MAX_WEBHOOKS_PER_PROJECT = 20;

/** An endpoint as the API shows it: never its secret, except once, when it is created. */
export function webhookView(row: EndpointRow) {
  return {
    id: row.id,
    projectId: row.project_id,
    url: row.url,
    events: row.event_types,
    enabled: row.enabled,
    allowPrivateAddresses: row.allow_private_addresses,
    createdAt: row.created_at.toISOString(),
    /** Who created the endpoint or last saved it, and answers for where its events go. */
    owner: row.created_by === null ? null : { id: row.created_by, name: row.owner_name ?? "" },
    /**
     * Nothing is sent while the owner may no longer manage the project's webhooks (no longer a
     * lead, disabled, or deleted): a lead or admin who saves the endpoint takes it over.
     */
    paused: !row.owner_may_manage,
    /**
     * When Quorum turned the endpoint off because nothing had been delivered to it for
     * `WEBHOOK_TURN_OFF_AFTER_HOURS`; its events wait, and enabling it resumes where it stopped.
     */
    turnedOffAt: row.turned_off_at?.toISOString() ?? null,
    delivery: {
      /** Every subscribed event up to this id has been delivered or given up. */
      throughEventId: row.after_event_id,
      failedAttempts: row.attempts,
      failingSince: row.failing_since?.toISOString() ?? null,
      /** The first failed attempt since the last delivery, whichever events it was for. */
      unreachableSince: row.unreachable_since?.toISOString() ?? null,
      nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    },
  };
}

export type WebhookView = ReturnType<typeof webhookView>;

/** Standard Webhooks secrets: `whsec_` and 32 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

async function checkUrl(url: string, allowPrivateAddresses: boolean): Promise<void> {
  const problem = await webhookUrlProblem(url, allowPrivateAddresses);
  if (problem) {
    throw validationFailed("The webhook URL cannot be used", [
      { field: "url", message: `The URL ${problem}` },
    ]);
  }
}

function refusePrivateForNonAdmins(user: User, allowPrivateAddresses: boolean | undefined): void {
  if (allowPrivateAddresses && !user.is_admin) {
    throw validationFailed("Only a workspace admin may allow private addresses", [
      {
        field: "allowPrivateAddresses",
        message: "Only a workspace admin may let a webhook reach private or local addresses",
      },
    ]);
  }
}

export async function listWebhooks(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<WebhookView[]> {
  await loadProjectFor(db, user, projectId, "project.edit");
  const rows = await endpointsWithOwner(db)
    .where("webhook_endpoints.project_id", "=", projectId)
    .orderBy("webhook_endpoints.id")
    .execute();
  return rows.map(webhookView);
}

/**
 * Registers an endpoint for the project's events from now on (not its history); the answer
 * carries the signing secret, which is never shown again.
 */
export async function createWebhook(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  input: z.output<typeof createWebhookSchema>,
): Promise<WebhookView & { secret: string }> {
  await loadProjectFor(db, user, projectId, "project.edit");
  refusePrivateForNonAdmins(user, input.allowPrivateAddresses);
  await checkUrl(input.url, input.allowPrivateAddresses ?? false);
  return db.transaction().execute(async (trx) => {
    // Creations for one project take turns, so that parallel ones cannot pass the cap together,
    // and are made by someone still leading the project under that lock (decision 040).
    await lockProjectForChange(trx, projectId);
    await loadProjectFor(trx, user, projectId, "project.edit");
    const { count } = await trx
      .selectFrom("webhook_endpoints")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    if (Number(count) >= MAX_WEBHOOKS_PER_PROJECT) {
      throw conflict(
        `A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks; delete one to add another`,
      );
    }
    const { id } = await trx
      .insertInto("webhook_endpoints")
      .values({
        project_id: projectId,
        url: input.url,
        secret: newSecret(),
        event_types: [...new Set(input.events)],
        allow_private_addresses: input.allowPrivateAddresses ?? false,
        after_event_id: await latestProjectEventId(trx, projectId),
        created_by: user.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const row = await endpointById(trx, id);
    await recordAudit(trx, {
      actorId: user.id,
      action: "webhook.create",
      projectId,
      subjectType: "webhook",
      subjectId: row.id,
      details: { url: row.url, events: row.event_types },
    });
    return { ...webhookView(row), secret: row.secret };
  });
}

/** The endpoint, if the user may manage the project it belongs to; 404 otherwise. */
async function manageableEndpoint(
  db: Kysely<Database>,
  user: User,
  webhookId: number,
): Promise<EndpointRow> {
  const row = await endpointsWithOwner(db)
    .where("webhook_endpoints.id", "=", webhookId)
    .executeTakeFirst();
  if (!row) throw notFound("No such webhook");
  await loadProjectFor(db, user, row.project_id, "project.edit").catch(() => {
    throw notFound("No such webhook");
  });
  return row;
}

/**
 * The endpoint read again inside a change's transaction, under the project's row (decision 040):
 * the caller still manages the project, and the endpoint is still there. A lead removed while
 * their change was checked changes nothing once the removal has been answered.
 */
async function lockManageableEndpoint(
  trx: Kysely<Database>,
  user: User,
  endpoint: EndpointRow,
): Promise<EndpointRow> {
  await lockProjectFor(trx, user, endpoint.project_id, "project.edit").catch((error: unknown) => {
    // A disabled account is told so (401), as every write tells it; the rest is not theirs.
    if (error instanceof AppError && error.status !== 401) throw notFound("No such webhook");
    throw error;
  });
  const row = await endpointsWithOwner(trx)
    .where("webhook_endpoints.id", "=", endpoint.id)
    .executeTakeFirst();
  if (!row) throw notFound("No such webhook");
  return row;
}

export async function updateWebhook(
  db: Kysely<Database>,
  user: User,
  webhookId: number,
  input: z.output<typeof updateWebhookSchema>,
): Promise<WebhookView> {
  const current = await manageableEndpoint(db, user, webhookId);
  refusePrivateForNonAdmins(user, input.allowPrivateAddresses);
  // An admin's leave to reach private addresses is for the URL they saw: whoever else moves the
  // endpoint elsewhere takes it away, or a lead could aim it at any host and port inside the
  // network and read what answers from the delivery log.
  const movedByNonAdmin = !user.is_admin && input.url !== undefined && input.url !== current.url;
  const allowPrivate = movedByNonAdmin
    ? false
    : (input.allowPrivateAddresses ?? current.allow_private_addresses);
  if (input.url !== undefined || input.allowPrivateAddresses === false) {
    await checkUrl(input.url ?? current.url, allowPrivate);
  }
  return db.transaction().execute(async (trx) => {
    const locked = await lockManageableEndpoint(trx, user, current);
    await trx
      .updateTable("webhook_endpoints")
      .set({
        // Whoever saves the endpoint answers for where its events go from now on: a lead taking
        // over one whose owner left the project resumes its sending.
        created_by: user.id,
        ...(input.url === undefined ? {} : { url: input.url }),
        ...(input.events === undefined ? {} : { event_types: [...new Set(input.events)] }),
        ...(input.enabled === undefined ? {} : { enabled: input.enabled, turned_off_at: null }),
        allow_private_addresses: allowPrivate,
        // Enabled again, it tries at once rather than at a retry time of before, and has as long
        // again before it is turned off for being unreachable.
        ...(input.enabled ? { next_attempt_at: null, unreachable_since: null } : {}),
      })
      .where("id", "=", webhookId)
      .execute();
    const row = await endpointById(trx, webhookId);
    await recordAudit(trx, {
      actorId: user.id,
      action: "webhook.update",
      projectId: row.project_id,
      subjectType: "webhook",
      subjectId: row.id,
      details: {
        ...input,
        ...(locked.created_by === user.id ? {} : { takenOverFrom: locked.created_by }),
      },
    });
    return webhookView(row);
  });
}

export async function deleteWebhook(
  db: Kysely<Database>,
  user: User,
  webhookId: number,
): Promise<void> {
  const current = await manageableEndpoint(db, user, webhookId);
  await db.transaction().execute(async (trx) => {
    const locked = await lockManageableEndpoint(trx, user, current);
    await trx.deleteFrom("webhook_endpoints").where("id", "=", webhookId).execute();
    await recordAudit(trx, {
      actorId: user.id,
      action: "webhook.delete",
      projectId: locked.project_id,
      subjectType: "webhook",
      subjectId: webhookId,
      details: { url: locked.url },
    });
  });
}

/** The delivery log: the endpoint, how many subscribed events wait, and the latest attempts. */
export async function listDeliveries(db: Kysely<Database>, user: User, webhookId: number) {
  const endpoint = await manageableEndpoint(db, user, webhookId);
  const { waiting } = await db
    .selectFrom("project_events")
    .select((eb) => eb.fn.countAll<number>().as("waiting"))
    .where("project_id", "=", endpoint.project_id)
    .where("id", ">", endpoint.after_event_id)
    .where("type", "in", endpoint.event_types)
    .executeTakeFirstOrThrow();
  const attempts = await db
    .selectFrom("webhook_attempts")
    .leftJoin("project_events", "project_events.id", "webhook_attempts.event_id")
    .select([
      "webhook_attempts.id",
      "webhook_attempts.event_id",
      "project_events.type",
      "webhook_attempts.attempt",
      "webhook_attempts.status_code",
      "webhook_attempts.error",
      "webhook_attempts.duration_ms",
      "webhook_attempts.outcome",
      "webhook_attempts.manual",
      "webhook_attempts.created_at",
    ])
    .where("webhook_attempts.endpoint_id", "=", webhookId)
    .orderBy("webhook_attempts.id", "desc")
    .limit(100)
    .execute();
  return {
    webhook: webhookView(endpoint),
    waiting: Number(waiting),
    attempts: attempts.map((attempt) => ({
      id: attempt.id,
      eventId: attempt.event_id,
      eventType: attempt.type,
      attempt: attempt.attempt,
      statusCode: attempt.status_code,
      error: attempt.error,
      durationMs: attempt.duration_ms,
      outcome: attempt.outcome,
      manual: attempt.manual,
      at: attempt.created_at.toISOString(),
    })),
  };
}

/**
 * Sends one of the project's events to the endpoint again, now, whatever its place in the
 * queue, and logs it as a manual attempt. When it is the event the endpoint is stuck on and it
 * gets through, the endpoint moves on as if the retry had succeeded.
 */
export async function redeliverEvent(
  db: Kysely<Database>,
  config: Pick<Config, "webhookTimeoutMs">,
  user: User,
  webhookId: number,
  eventId: number,
) {
  const endpoint = await manageableEndpoint(db, user, webhookId);
  const event = await db
    .selectFrom("project_events")
    .selectAll()
    .where("id", "=", eventId)
    .where("project_id", "=", endpoint.project_id)
    .executeTakeFirst();
  if (!event) throw notFound("No such event in this webhook's project");
  const result = await sendWebhook(endpoint, event, await webhookData(db, event), {
    timeoutMs: config.webhookTimeoutMs,
  });
  return db.transaction().execute(async (trx) => {
    const { count } = await trx
      .selectFrom("webhook_attempts")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("endpoint_id", "=", webhookId)
      .where("event_id", "=", eventId)
      .executeTakeFirstOrThrow();
    const attempt = Number(count) + 1;
    await trx
      .insertInto("webhook_attempts")
      .values({
        endpoint_id: webhookId,
        event_id: eventId,
        attempt,
        status_code: result.statusCode,
        error: result.error,
        duration_ms: result.durationMs,
        outcome: result.delivered ? "delivered" : "failed",
        manual: true,
      })
      .execute();
    if (result.delivered) {
      // It answers again: its run of failures is over, whatever event it waits on.
      await trx
        .updateTable("webhook_endpoints")
        .set({ unreachable_since: null })
        .where("id", "=", webhookId)
        .execute();
      await trx
        .updateTable("webhook_endpoints")
        .set({ after_event_id: eventId, attempts: 0, failing_since: null, next_attempt_at: null })
        .where("id", "=", webhookId)
        .where("after_event_id", "<", eventId)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("project_events")
                .select("project_events.id")
                .whereRef("project_events.project_id", "=", "webhook_endpoints.project_id")
                .whereRef("project_events.id", ">", "webhook_endpoints.after_event_id")
                .where("project_events.id", "<", eventId)
                .where(sql<boolean>`project_events.type = any(webhook_endpoints.event_types)`),
            ),
          ),
        )
        .execute();
    }
    return {
      eventId,
      attempt,
      delivered: result.delivered,
      statusCode: result.statusCode,
      error: result.error,
      durationMs: result.durationMs,
    };
  });
}
