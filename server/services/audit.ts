import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

export interface AuditEntry {
  actorId: number | null;
  action: string;
  projectId?: number | null;
  subjectType?: string;
  subjectId?: string | number;
  details?: Record<string, unknown>;
}

/** Appends to the audit log: who did what to which thing, for the provenance clients pay for. */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      project_id: entry.projectId ?? null,
      subject_type: entry.subjectType ?? null,
      subject_id: entry.subjectId === undefined ? null : String(entry.subjectId),
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
