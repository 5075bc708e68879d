import { data, redirect, type AppLoadContext } from "@remix-run/node";
import { AppError, assertCleanText, type FieldError } from "../../../server/errors.ts";
import {
  getShortcutOverrides,
  saveShortcutOverrides,
} from "../../../server/services/preferences.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

export async function loadShortcutSettings(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  return { overrides: await getShortcutOverrides(context.quorum.db, user) };
}

/** Saves the keymap the page sends (as JSON: `{ shortcuts }`), or says what is wrong with it. */
export async function saveShortcutSettings(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  const body: unknown = await request.json().catch(() => null);
  try {
    assertCleanText(body);
    await saveShortcutOverrides(context.quorum.db, user, body);
  } catch (error) {
    if (error instanceof AppError && error.code === "validation_failed") {
      const details = Array.isArray(error.details) ? (error.details as FieldError[]) : [];
      return data({ message: error.message, fieldErrors: details }, { status: 422 });
    }
    throwAsRouteError(error);
  }
  return redirect("/settings/shortcuts?saved=1");
}
