import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import {
  createWebhook,
  createWebhookSchema,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  redeliverEvent,
  updateWebhook,
  webhookEventTypes,
} from "../../../server/services/webhooks/endpoints.ts";
import { appErrorToFormErrors } from "~/components/project/form-errors.server.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { formTextErrors, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

/** The project's endpoints, and the delivery log of the one chosen (`?webhook=`, or the first). */
export async function loadWebhooks(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "project.edit");
  const { db } = context.quorum;
  const webhooks = await listWebhooks(db, page.user, page.projectId).catch(throwAsRouteError);
  const chosenId = Number(new URL(request.url).searchParams.get("webhook"));
  const chosen = webhooks.find((webhook) => webhook.id === chosenId) ?? webhooks[0];
  const deliveries = chosen
    ? await listDeliveries(db, page.user, chosen.id).catch(throwAsRouteError)
    : null;
  return {
    navigation: page.navigation,
    webhooks,
    deliveries,
    eventTypes: webhookEventTypes,
    mayAllowPrivate: page.user.is_admin,
  };
}

const id = z.coerce.number().int().positive();

const webhookActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), url: z.string().trim() }),
  z.object({ intent: z.literal("enable"), webhookId: id, enabled: z.enum(["true", "false"]) }),
  z.object({ intent: z.literal("delete"), webhookId: id }),
  z.object({ intent: z.literal("redeliver"), webhookId: id, eventId: id }),
]);

export interface WebhookActionResult {
  errors: FormErrors;
  /** The new endpoint's signing secret, shown once. */
  created?: { id: number; secret: string };
  redelivered?: { eventId: number; delivered: boolean; error: string | null };
}

/** Registers, enables or disables, removes an endpoint, or sends an event again. */
export async function changeWebhooks(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "project.edit");
  const formData = await request.formData();
  const textErrors = formTextErrors(formData);
  const parsed = webhookActionSchema.safeParse(Object.fromEntries(formData));
  if (textErrors || !parsed.success) {
    const errors = textErrors ?? { formErrors: ["The form is not valid"], fieldErrors: {} };
    return data<WebhookActionResult>({ errors }, { status: 422 });
  }
  const { db, config } = context.quorum;
  const input = parsed.data;
  const here = `/projects/${page.projectId}/webhooks`;
  try {
    switch (input.intent) {
      case "create": {
        const body = createWebhookSchema.safeParse({
          url: input.url,
          events: formData.getAll("events"),
          ...(formData.get("allowPrivateAddresses") === "on"
            ? { allowPrivateAddresses: true }
            : {}),
        });
        if (!body.success) {
          const fieldErrors = z.flattenError(body.error).fieldErrors;
          return data<WebhookActionResult>(
            { errors: { formErrors: [], fieldErrors } },
            { status: 422 },
          );
        }
        const created = await createWebhook(db, page.user, page.projectId, body.data);
        return data<WebhookActionResult>({
          errors: { formErrors: [], fieldErrors: {} },
          created: { id: created.id, secret: created.secret },
        });
      }
      case "enable":
        await updateWebhook(db, page.user, input.webhookId, {
          enabled: input.enabled === "true",
        });
        return redirect(`${here}?webhook=${input.webhookId}`);
      case "delete":
        await deleteWebhook(db, page.user, input.webhookId);
        return redirect(here);
      case "redeliver": {
        const delivery = await redeliverEvent(
          db,
          config,
          page.user,
          input.webhookId,
          input.eventId,
        );
        return data<WebhookActionResult>({
          errors: { formErrors: [], fieldErrors: {} },
          redelivered: {
            eventId: delivery.eventId,
            delivered: delivery.delivered,
            error: delivery.error,
          },
        });
      }
    }
  } catch (error) {
    const status = error instanceof AppError ? error.status : 400;
    return data<WebhookActionResult>({ errors: appErrorToFormErrors(error) }, { status });
  }
}
