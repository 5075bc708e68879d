import { sql, type Kysely } from "kysely";
import type { Database } from "../../../db/schema.ts";

/** Attempts an endpoint's delivery log always keeps, however old: as many as the log shows. */
export const ATTEMPTS_ALWAYS_KEPT = 100;
const ATTEMPTS_PER_DELETE = 5_000;

/**
 * Deletes the delivery log's attempts older than `keepDays`, except each endpoint's latest
 * `keepLatest` (by default what its log shows, so that a quiet endpoint's log never goes blank),
 * a few thousand rows per statement so that no statement holds many locks for long. Every
 * delivery adds an attempt, so without this the table grows by each event times each endpoint
 * for ever. Returns how many it deleted; `stop` ends it between two statements.
 */
export async function pruneWebhookLog(
  db: Kysely<Database>,
  { keepDays, keepLatest = ATTEMPTS_ALWAYS_KEPT }: { keepDays: number; keepLatest?: number },
  stop: AbortSignal,
): Promise<number> {
  let deleted = 0;
  while (!stop.aborted) {
    const result = await sql`
      delete from webhook_attempts where id in (
        select attempt.id from webhook_attempts attempt
        where attempt.created_at < now() - make_interval(days => ${keepDays})
          and attempt.id < coalesce((
            select kept.id from webhook_attempts kept
            where kept.endpoint_id = attempt.endpoint_id
            order by kept.id desc offset ${keepLatest - 1} limit 1), 0)
        limit ${ATTEMPTS_PER_DELETE})`.execute(db);
    const count = Number(result.numAffectedRows ?? 0n);
    deleted += count;
    if (count < ATTEMPTS_PER_DELETE) break;
  }
  return deleted;
}
