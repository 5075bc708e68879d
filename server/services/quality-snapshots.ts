import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/**
 * The shape of the stored figures: raised whenever `QualityFigures` changes shape or a figure
 * changes meaning, so that a release never reads figures an older one stored as its own. Format
 * 2: costs per correct answer to the hundredth of a cent, ranking pairs' `items` counted per
 * item, costs at the rate recorded with the work.
 */
export const QUALITY_FIGURES_FORMAT = 2;

/** A project's figures as stored, with what they were computed from. */
export interface StoredQuality<Figures> {
  fingerprint: string;
  figures: Figures;
  /** When the data were last seen to have this fingerprint (ms since the epoch). */
  matchedAt: number;
  computeMs: number;
}

/** The project's stored figures, if any were stored in this format. */
export async function readStoredQuality<Figures>(
  db: Kysely<Database>,
  projectId: number,
): Promise<StoredQuality<Figures> | null> {
  const row = await db
    .selectFrom("quality_snapshots")
    .select(["fingerprint", "figures", "matched_at", "compute_ms"])
    .where("project_id", "=", projectId)
    .where("format", "=", QUALITY_FIGURES_FORMAT)
    .executeTakeFirst();
  if (!row) return null;
  return {
    fingerprint: row.fingerprint,
    // Written by `storeQuality` below from the same type, in this format.
    figures: JSON.parse(row.figures) as Figures,
    matchedAt: row.matched_at.getTime(),
    computeMs: row.compute_ms,
  };
}

/** The fingerprint of the project's stored figures, without reading them; null when none are. */
export async function readStoredFingerprint(
  db: Kysely<Database>,
  projectId: number,
): Promise<string | null> {
  const row = await db
    .selectFrom("quality_snapshots")
    .select("fingerprint")
    .where("project_id", "=", projectId)
    .where("format", "=", QUALITY_FIGURES_FORMAT)
    .executeTakeFirst();
  return row?.fingerprint ?? null;
}

/**
 * Stores a project's figures, unless the stored ones' data were seen more recently: two
 * processes storing at once keep the figures of the later data.
 */
export async function storeQuality<Figures>(
  db: Kysely<Database>,
  projectId: number,
  stored: StoredQuality<Figures>,
): Promise<void> {
  const matchedAt = new Date(stored.matchedAt);
  await db
    .insertInto("quality_snapshots")
    .values({
      project_id: projectId,
      format: QUALITY_FIGURES_FORMAT,
      fingerprint: stored.fingerprint,
      figures: JSON.stringify(stored.figures),
      compute_ms: Math.round(stored.computeMs),
      matched_at: matchedAt,
    })
    .onConflict((conflict) =>
      conflict
        .column("project_id")
        .doUpdateSet((update) => ({
          format: update.ref("excluded.format"),
          fingerprint: update.ref("excluded.fingerprint"),
          figures: update.ref("excluded.figures"),
          compute_ms: update.ref("excluded.compute_ms"),
          matched_at: update.ref("excluded.matched_at"),
          computed_at: update.ref("excluded.computed_at"),
        }))
        .where("quality_snapshots.matched_at", "<=", matchedAt),
    )
    .execute();
}

/** Records that the data were seen to still have the stored figures' fingerprint. */
export async function touchStoredQuality(
  db: Kysely<Database>,
  projectId: number,
  fingerprint: string,
  matchedAt: number,
): Promise<void> {
  await db
    .updateTable("quality_snapshots")
    .set({ matched_at: new Date(matchedAt) })
    .where("project_id", "=", projectId)
    .where("format", "=", QUALITY_FIGURES_FORMAT)
    .where("fingerprint", "=", fingerprint)
    .where("matched_at", "<", new Date(matchedAt))
    .execute();
}

/**
 * Puts the stored figures under `fingerprint` if they are still under `storedUnder`, as seen
 * now: for figures a write stored before its commit gave its events their ids.
 */
export async function refingerprintStoredQuality(
  db: Kysely<Database>,
  projectId: number,
  storedUnder: string,
  fingerprint: string,
): Promise<void> {
  await db
    .updateTable("quality_snapshots")
    .set({ fingerprint, matched_at: new Date() })
    .where("project_id", "=", projectId)
    .where("format", "=", QUALITY_FIGURES_FORMAT)
    .where("fingerprint", "=", storedUnder)
    .execute();
}
