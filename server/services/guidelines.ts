import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database, User } from "../../db/schema.ts";
import { conflict, fieldErrors, notFound, validationFailed } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { loadProjectFor, lockProjectFor } from "./project-model.ts";

/** Long enough for a real annotation manual, short enough to render on every labeling page. */
export const MAX_GUIDELINES_LENGTH = 100_000;

export const guidelinesInputSchema = z
  .object({
    body: z.string().max(MAX_GUIDELINES_LENGTH),
    /**
     * The version the lead edited; a save over a newer one is refused, so two leads editing at
     * once never overwrite each other unseen. 0 for a project without guidelines yet.
     */
    expectedVersion: z.number().int().min(0),
  })
  .strict();

export interface Guidelines {
  version: number;
  /** Markdown, shown as sanitised markdown like item content. */
  body: string;
  createdAt: string;
  createdBy: { id: number; name: string } | null;
}

function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw validationFailed("The request is not valid", fieldErrors(parsed.error.issues));
  return parsed.data;
}

function selectGuidelines(db: Kysely<Database>, projectId: number) {
  return db
    .selectFrom("project_guidelines")
    .leftJoin("users", "users.id", "project_guidelines.created_by")
    .select([
      "project_guidelines.version",
      "project_guidelines.body",
      "project_guidelines.created_at",
      "users.id as user_id",
      "users.name as user_name",
    ])
    .where("project_guidelines.project_id", "=", projectId);
}

function toGuidelines(row: {
  version: number;
  body: string;
  created_at: Date | string;
  user_id: number | null;
  user_name: string | null;
}): Guidelines {
  return {
    version: row.version,
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy:
      row.user_id !== null && row.user_name !== null
        ? { id: row.user_id, name: row.user_name }
        : null,
  };
}

/**
 * A project's guidelines, the latest version or the one asked for, for anyone in the project
 * (annotators label by them, clients may read what annotators were told). Null when the project
 * has none yet.
 */
export async function getGuidelines(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  version?: number,
): Promise<Guidelines | null> {
  await loadProjectFor(db, user, projectId, "project.view");
  const row = await selectGuidelines(db, projectId)
    .$if(version !== undefined, (query) => query.where("project_guidelines.version", "=", version!))
    .orderBy("project_guidelines.version", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row && version !== undefined) throw notFound(`No version ${version} of the guidelines`);
  return row ? toGuidelines(row) : null;
}

/** Every version, newest first, without their text: the history a lead browses. */
export async function listGuidelineVersions(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<Array<Omit<Guidelines, "body"> & { length: number }>> {
  await loadProjectFor(db, user, projectId, "project.view");
  const rows = await selectGuidelines(db, projectId)
    .orderBy("project_guidelines.version", "desc")
    .execute();
  return rows.map((row) => {
    const { body, ...rest } = toGuidelines(row);
    return { ...rest, length: body.length };
  });
}

/**
 * Stores a lead's edit as the next version. The version number is the expected one plus one
 * and the table's key refuses a second row with it, so of two saves from the same version one
 * wins and the other is a 409, in one statement, however they interleave.
 */
export async function saveGuidelines(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  input: unknown,
): Promise<Guidelines> {
  const { body, expectedVersion } = parse(guidelinesInputSchema, input);
  await loadProjectFor(db, user, projectId, "project.edit");
  const staleMessage = "The guidelines were changed meanwhile; reload them and edit again";
  const inserted = await db.transaction().execute(async (trx) => {
    // Saved by someone still leading the project when it commits (decision 040).
    await lockProjectFor(trx, user, projectId, "project.edit");
    const current = await trx
      .selectFrom("project_guidelines")
      .select((eb) => eb.fn.max("version").as("version"))
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    if ((current.version ?? 0) !== expectedVersion) {
      throw conflict(staleMessage, { currentVersion: current.version ?? 0 });
    }
    const row = await trx
      .insertInto("project_guidelines")
      .values({ project_id: projectId, version: expectedVersion + 1, body, created_by: user.id })
      .onConflict((oc) => oc.columns(["project_id", "version"]).doNothing())
      .returning("version")
      .executeTakeFirst();
    if (!row) throw conflict(staleMessage);
    await recordAudit(trx, {
      actorId: user.id,
      action: "guidelines.save",
      projectId,
      subjectType: "project",
      subjectId: projectId,
      details: { version: row.version },
    });
    return row;
  });
  const saved = await selectGuidelines(db, projectId)
    .where("project_guidelines.version", "=", inserted.version)
    .executeTakeFirstOrThrow();
  return toGuidelines(saved);
}
