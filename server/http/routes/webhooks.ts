import type { Router } from "express";
import type { QuorumContext } from "../../context.ts";
import {
  createWebhook,
  createWebhookSchema,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  redeliverEvent,
  updateWebhook,
  updateWebhookSchema,
} from "../../services/webhooks/endpoints.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseBody, parseId } from "../parse.ts";

/**
 * Webhook endpoints of a project, for its leads and admins (docs/decisions/029): register,
 * change, remove, read the delivery log and send an event again.
 */
export function registerWebhookRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/projects/:id/webhooks",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: { webhooks: await listWebhooks(db, user, parseId(request.params.id, "Project id")) },
    })),
  );

  router.post(
    "/projects/:id/webhooks",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const projectId = parseId(request.params.id, "Project id");
      const input = parseBody(createWebhookSchema, request.body);
      return { status: 201, body: { webhook: await createWebhook(db, user, projectId, input) } };
    }),
  );

  router.patch(
    "/webhooks/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const webhookId = parseId(request.params.id, "Webhook id");
      const input = parseBody(updateWebhookSchema, request.body);
      return { body: { webhook: await updateWebhook(db, user, webhookId, input) } };
    }),
  );

  router.delete(
    "/webhooks/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      await deleteWebhook(db, user, parseId(request.params.id, "Webhook id"));
      return undefined;
    }),
  );

  router.get(
    "/webhooks/:id/deliveries",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: await listDeliveries(db, user, parseId(request.params.id, "Webhook id")),
    })),
  );

  router.post(
    "/webhooks/:id/deliveries/:eventId/redeliver",
    authenticatedHandler(quorum, async ({ quorum: { db, config }, user, request }) => ({
      body: {
        delivery: await redeliverEvent(
          db,
          config,
          user,
          parseId(request.params.id, "Webhook id"),
          parseId(request.params.eventId, "Event id"),
        ),
      },
    })),
  );
}
