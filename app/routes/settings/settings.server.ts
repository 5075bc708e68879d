import { data, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "../../../server/services/auth.ts";
import { publicUser } from "../../../server/services/users.ts";
import { requireUser } from "~/session.server.ts";
import { formError, parseFormData } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

export async function loadSettings(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  const tokens = await listApiTokens(context.quorum.db, user.id).catch(throwAsRouteError);
  return {
    profile: publicUser(user),
    tokens: tokens.map((token) => ({
      id: token.id,
      name: token.name,
      prefix: token.token_prefix,
      createdAt: token.created_at.toISOString(),
      lastUsedAt: token.last_used_at?.toISOString() ?? null,
      revokedAt: token.revoked_at?.toISOString() ?? null,
    })),
  };
}

const settingsActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("createToken"),
      name: z
        .string({ error: "Give the token a name" })
        .trim()
        .min(1, "Give the token a name")
        .max(100, "Keep the name under 100 characters"),
    }),
    z.object({
      intent: z.literal("revokeToken"),
      tokenId: z.coerce
        .number({ error: "Choose a token to revoke" })
        .int("Choose a token to revoke")
        .positive("Choose a token to revoke"),
    }),
  ],
  { error: "This form sent an action the settings page does not know" },
);

export type SettingsIntent = z.output<typeof settingsActionSchema>["intent"];

export async function updateSettings(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  const { db } = context.quorum;
  const formData = await request.formData();
  const submittedIntent = formData.get("intent");
  const intent = typeof submittedIntent === "string" ? submittedIntent : null;
  const parsed = parseFormData(settingsActionSchema, formData);
  if (!parsed.success) {
    return data({ intent, errors: parsed.errors, createdToken: null }, { status: 422 });
  }

  const submission = parsed.data;
  if (submission.intent === "createToken") {
    const created = await createApiToken(db, user.id, submission.name).catch(throwAsRouteError);
    // The secret is in this response and nowhere else: no cache may keep a copy.
    return data(
      {
        intent,
        errors: null,
        createdToken: { id: created.id, name: created.name, token: created.token },
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
  try {
    await revokeApiToken(db, user.id, submission.tokenId);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      return data(
        { intent, errors: formError("That token no longer exists."), createdToken: null },
        { status: 404 },
      );
    }
    throwAsRouteError(error);
  }
  return { intent, errors: null, createdToken: null };
}
