import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/**
 * The latest published version of each of the items, by item id; items never published are
 * absent. One query however many items, so pages of an export or a recheck read them at once.
 */
export async function latestVersionByItem(db: Kysely<Database>, itemIds: readonly number[]) {
  const versions =
    itemIds.length === 0
      ? []
      : await db
          .selectFrom("adjudications")
          .select(["item_id", "version", "label", "rationale", "published_by", "published_at"])
          .where("item_id", "in", itemIds)
          .distinctOn("item_id")
          .orderBy("item_id")
          .orderBy("version", "desc")
          .execute();
  return new Map(versions.map((version) => [version.item_id, version]));
}
