import type { Kysely } from "kysely";
import { z } from "zod";
import {
  findConflicts,
  keymapOverridesSchema,
  mergeKeymap,
  overridesFrom,
  type KeymapOverrides,
} from "../../app/domain/shortcuts.ts";
import type { Database, User } from "../../db/schema.ts";
import { fieldErrors, validationFailed } from "../errors.ts";

export const shortcutPreferencesInputSchema = z
  .object({ shortcuts: keymapOverridesSchema })
  .strict();

/** The user's remapped shortcuts, as stored (only what differs from the defaults). */
export async function getShortcutOverrides(
  db: Kysely<Database>,
  user: Pick<User, "id">,
): Promise<KeymapOverrides> {
  const row = await db
    .selectFrom("user_preferences")
    .select("shortcuts")
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  const parsed = keymapOverridesSchema.safeParse(row?.shortcuts ?? {});
  // A remapping saved before an action was renamed must not lock anyone out of the page.
  return parsed.success ? parsed.data : {};
}

/**
 * Stores the user's remapping. A keymap where one key would do two things at once is refused,
 * naming each clash, because the labeling page could only guess which one was meant.
 */
export async function saveShortcutOverrides(
  db: Kysely<Database>,
  user: Pick<User, "id">,
  input: unknown,
): Promise<KeymapOverrides> {
  const parsed = shortcutPreferencesInputSchema.safeParse(input);
  if (!parsed.success) {
    throw validationFailed("The shortcuts are not valid", fieldErrors(parsed.error.issues));
  }
  const keymap = mergeKeymap(parsed.data.shortcuts);
  const conflicts = findConflicts(keymap);
  if (conflicts.length > 0) {
    throw validationFailed(
      "Some keys are bound to two actions",
      conflicts.map((conflict) => ({
        field: `shortcuts.${conflict.actionIds[0]}`,
        message: `${conflict.chord} is also bound to ${conflict.actionIds.slice(1).join(", ")}`,
      })),
    );
  }
  const overrides = overridesFrom(keymap);
  const shortcuts = JSON.stringify(overrides);
  const now = new Date();
  await db
    .insertInto("user_preferences")
    .values({ user_id: user.id, shortcuts, updated_at: now })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ shortcuts, updated_at: now }))
    .execute();
  return overrides;
}
