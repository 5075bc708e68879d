import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import {
  inspectPasswordLink,
  redeemPasswordLink,
  type PasswordLinkState,
} from "../../../server/services/password-links.ts";
import { MIN_PASSWORD_CHARACTERS } from "../../../server/services/users.ts";
import { appErrorToFormErrors } from "~/components/project/form-errors.server.ts";
import { parseFormData } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

/** Why a link cannot be used, as the page's error boundary reads it. */
export interface UnusableLink {
  linkState: Exclude<PasswordLinkState, "valid">;
}

/** An unknown link is "not found"; one that was good once is "gone" (410), with the reason. */
function unusable(state: UnusableLink["linkState"]): never {
  throw data<UnusableLink>(
    { linkState: state },
    { status: state === "unknown" ? 404 : 410, headers: { "Cache-Control": "no-store" } },
  );
}

export async function loadInvite(context: AppLoadContext, params: Params) {
  const link = await inspectPasswordLink(context.quorum.db, params.token ?? "").catch(
    throwAsRouteError,
  );
  if (link.state !== "valid") unusable(link.state);
  return data(
    {
      purpose: link.purpose,
      name: link.name,
      email: link.email,
      expiresAt: link.expiresAt.toISOString(),
      minPasswordCharacters: MIN_PASSWORD_CHARACTERS,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

const passwordFormSchema = z
  .object({
    password: z.string({ error: "Choose a password" }).min(1, "Choose a password"),
    confirmation: z.string({ error: "Type the password again" }),
  })
  .refine((form) => form.password === form.confirmation, {
    message: "The two passwords differ",
    path: ["confirmation"],
  });

/** Sets the password through the link and signs the person in, or says why not. */
export async function acceptInvite(request: Request, context: AppLoadContext, params: Params) {
  const parsed = parseFormData(passwordFormSchema, await request.formData());
  if (!parsed.success) return data({ errors: parsed.errors }, { status: 422 });
  const { db, config, sessionCookie } = context.quorum;
  let result: Awaited<ReturnType<typeof redeemPasswordLink>>;
  try {
    result = await redeemPasswordLink(
      db,
      {
        token: params.token ?? "",
        password: parsed.data.password,
        ip: context.clientIp,
        userAgent: request.headers.get("User-Agent"),
      },
      config.sessionTtlMs,
    );
  } catch (error) {
    if (error instanceof AppError && error.code === "validation_failed") {
      return data({ errors: appErrorToFormErrors(error) }, { status: 422 });
    }
    throwAsRouteError(error);
  }
  if (!result.ok) unusable(result.state);
  // Sessions the person had elsewhere ended with the new password; their open rooms close too.
  context.quorum.accessChanges.notify();
  throw redirect("/projects", {
    headers: {
      "Set-Cookie": await sessionCookie.serialize(result.sessionToken, {
        expires: result.expiresAt,
      }),
    },
  });
}
