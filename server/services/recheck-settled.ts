import type { Kysely } from "kysely";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import { checkAgreement } from "../../app/domain/disputes.ts";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import { samePosition } from "../../app/domain/room.ts";
import { ownEntry, type Label, type ResponseRef } from "../../app/domain/template.ts";
import type { Database, VersionFlagReason } from "../../db/schema.ts";
import { projectModel, type ProjectModel } from "./project-model.ts";
import {
  AUTOMATIC_CONSENSUS_RATIONALE,
  countedLabels,
  disputeItem,
  saveOutcome,
  type CountedLabel,
} from "./settle.ts";
import { latestVersionByItem } from "./latest-versions.ts";

const PAGE_SIZE = 500;

export interface RecheckOutcome {
  /** Consensus items checked again, and how many of them went back to `disputed`. */
  consensusChecked: number;
  backToDisputed: number;
  /** Published items whose latest version was checked, and how many versions were flagged. */
  versionsChecked: number;
  versionsFlagged: number;
}

interface VersionFlag {
  reason: VersionFlagReason;
  details: Array<{ field: string; message: string }>;
}

/**
 * Checks items settled under earlier rules against the current ones (docs/decisions/018): every
 * consensus item is checked again by `checkAgreement` with its item's responses, and goes back to
 * `disputed` when its consensus no longer holds; its outcome is stored anew either way (the
 * aggregate may have changed, spans especially). The latest version of every published item,
 * immutable, is flagged for a lead to reopen when it fails `validateFinalLabel` (a required field
 * missing, say) or, published automatically as a consensus, when the current rule would not
 * settle on it. Runs inside the caller's transaction; running it twice changes nothing more.
 */
export async function recheckSettledItems(trx: Kysely<Database>): Promise<RecheckOutcome> {
  const outcome: RecheckOutcome = {
    consensusChecked: 0,
    backToDisputed: 0,
    versionsChecked: 0,
    versionsFlagged: 0,
  };
  const projects = await trx
    .selectFrom("projects")
    .selectAll()
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("items")
          .select("items.id")
          .whereRef("items.project_id", "=", "projects.id")
          .where("items.status", "in", ["consensus", "published"]),
      ),
    )
    .orderBy("id")
    .execute();
  for (const row of projects) await recheckProject(trx, projectModel(row), outcome);
  return outcome;
}

async function recheckProject(
  trx: Kysely<Database>,
  project: ProjectModel,
  outcome: RecheckOutcome,
): Promise<void> {
  let cursor = 0;
  for (;;) {
    const items = await trx
      .selectFrom("items")
      .select(["id", "status", "responses"])
      .where("project_id", "=", project.id)
      .where("status", "in", ["consensus", "published"])
      .where("gold_label", "is", null)
      .where("id", ">", cursor)
      .orderBy("id")
      .limit(PAGE_SIZE)
      .forUpdate()
      .execute();
    if (items.length === 0) return;
    const ids = items.map((item) => item.id);
    const labelsByItem = await countedLabels(trx, ids);
    const publishedIds = items.filter((item) => item.status === "published").map((item) => item.id);
    const versionByItem = await latestVersionByItem(trx, publishedIds);

    for (const item of items) {
      const labels = labelsByItem.get(item.id) ?? [];
      const responses = item.responses as ResponseRef[];
      if (item.status === "consensus") {
        outcome.consensusChecked++;
        const check = checkAgreement(
          project.template,
          project.disputePolicy,
          labels.map((entry) => entry.label),
          responses,
        );
        await saveOutcome(trx, item.id, check, labels);
        if (check.disputed) {
          outcome.backToDisputed++;
          await trx
            .updateTable("items")
            .set({ status: "disputed", updated_at: new Date() })
            .where("id", "=", item.id)
            .execute();
          await disputeItem(trx, project.id, item.id);
        }
        continue;
      }
      const version = versionByItem.get(item.id);
      if (!version) continue;
      outcome.versionsChecked++;
      const automatic =
        version.published_by === null && version.rationale === AUTOMATIC_CONSENSUS_RATIONALE;
      const flags = flagsFor(project, responses, version.label as Label, automatic ? labels : null);
      if (automatic) {
        await saveOutcome(
          trx,
          item.id,
          checkAgreement(
            project.template,
            project.disputePolicy,
            labels.map((entry) => entry.label),
            responses,
          ),
          labels,
        );
      }
      if (flags.length === 0) continue;
      outcome.versionsFlagged++;
      await trx
        .insertInto("version_flags")
        .values(
          flags.map((flag) => ({
            item_id: item.id,
            version: version.version,
            reason: flag.reason,
            details: JSON.stringify(flag.details),
          })),
        )
        .onConflict((conflict) => conflict.columns(["item_id", "version", "reason"]).doNothing())
        .execute();
    }
    if (items.length < PAGE_SIZE) return;
    cursor = ids[ids.length - 1]!;
  }
}

/**
 * What is wrong with a published label under the current rules: it fails the final-label check,
 * and (for a consensus published automatically, whose independent labels are given) the current
 * rule disputes the item or settles it on another label.
 */
function flagsFor(
  project: ProjectModel,
  responses: ReadonlyArray<ResponseRef>,
  label: Label,
  consensusOf: ReadonlyArray<CountedLabel> | null,
): VersionFlag[] {
  const flags: VersionFlag[] = [];
  const validation = validateFinalLabel(project.template, responses, label);
  if (!validation.valid) {
    flags.push({
      reason: "invalid",
      details: validation.issues.map((issue) => ({
        field: issue.path.map(String).join(".") || "(root)",
        message: issue.message,
      })),
    });
  }
  if (!consensusOf) return flags;
  const check = checkAgreement(
    project.template,
    project.disputePolicy,
    consensusOf.map((entry) => entry.label),
    responses,
  );
  const details = check.disputed
    ? check.fields
        .filter((field) => field.disputed)
        .map((field) => ({ field: field.fieldId, message: `now disputed: ${field.reason}` }))
    : project.template.fields
        .filter((field) => {
          const settled = ownEntry(check.aggregated, field.id);
          const published = ownEntry(label, field.id);
          if (settled === undefined || published === undefined) return settled !== published;
          return !samePosition(field, settled, published);
        })
        .map((field) => ({
          field: field.id,
          message: `the annotators' labels now settle on ${canonicalJson(ownEntry(check.aggregated, field.id) ?? null)}`,
        }));
  if (details.length > 0) flags.push({ reason: "consensus_changed", details });
  return flags;
}
