import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

// Placeholder until the demo workspace lands in this file.
export async function seedDemoWorkspaceOnFirstStart(_db: Kysely<Database>): Promise<boolean> {
  return false;
}
