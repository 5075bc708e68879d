import type { Kysely } from "kysely";
import { checkAgreement, type AgreementCheck } from "../../app/domain/disputes.ts";
import type { Label, ResponseRef } from "../../app/domain/template.ts";
import type { Database, ItemStatus } from "../../db/schema.ts";
import { recordProjectEvent } from "./project-events.ts";
import type { ProjectModel } from "./project-model.ts";

export interface SettleOutcome {
  itemId: number;
  status: ItemStatus;
}

/** The rationale of a version that `settleItems` published because the annotators agreed. */
export const AUTOMATIC_CONSENSUS_RATIONALE =
  "Consensus of the independent labels, published automatically";

export interface CountedLabel {
  userId: number;
  label: Label;
}

/** The labels that count (not rejected in review) of each item, in the order they were given. */
export async function countedLabels(
  trx: Kysely<Database>,
  itemIds: ReadonlyArray<number>,
): Promise<Map<number, CountedLabel[]>> {
  const byItem = new Map<number, CountedLabel[]>();
  if (itemIds.length === 0) return byItem;
  const annotations = await trx
    .selectFrom("annotations")
    .select(["item_id", "user_id", "label"])
    .where("item_id", "in", [...itemIds])
    .where("rejected_at", "is", null)
    .orderBy("id")
    .execute();
  for (const annotation of annotations) {
    const labels = byItem.get(annotation.item_id) ?? [];
    labels.push({ userId: annotation.user_id, label: annotation.label as Label });
    byItem.set(annotation.item_id, labels);
  }
  return byItem;
}

/** Stores an item's agreement check: what the item list, the item page and the room read. */
export async function saveOutcome(
  trx: Kysely<Database>,
  itemId: number,
  check: AgreementCheck,
  labels: ReadonlyArray<CountedLabel>,
): Promise<void> {
  await trx
    .insertInto("item_outcomes")
    .values({
      item_id: itemId,
      disputed: check.disputed,
      fields: JSON.stringify(check.fields),
      aggregated_label: JSON.stringify(check.aggregated),
      annotators: JSON.stringify(labels.map((entry) => entry.userId)),
    })
    .onConflict((conflict) =>
      conflict.column("item_id").doUpdateSet((eb) => ({
        disputed: eb.ref("excluded.disputed"),
        fields: eb.ref("excluded.fields"),
        aggregated_label: eb.ref("excluded.aggregated_label"),
        annotators: eb.ref("excluded.annotators"),
        checked_at: new Date(),
      })),
    )
    .execute();
}

/**
 * Recounts items' labels and moves them forward once their labels are in: an item with all
 * `overlap` labels gets its agreement checked field by field and becomes consensus (published at
 * once, as version 1, when the project auto-publishes) or disputed; an item with some labels is
 * annotating. Items already past the annotation phase are left alone. Runs inside the caller's
 * transaction.
 *
 * A consensus label is what `checkAgreement` settled on: complete, and valid under
 * `validateFinalLabel` with the item's responses, the same check a lead's publish runs, so an
 * automatic version can never lack what a manual one must have.
 */
export async function settleItems(
  trx: Kysely<Database>,
  project: ProjectModel,
  itemIds: ReadonlyArray<number>,
): Promise<SettleOutcome[]> {
  if (itemIds.length === 0) return [];
  const items = await trx
    .selectFrom("items")
    .select(["id", "status", "responses"])
    .where("project_id", "=", project.id)
    .where("id", "in", [...itemIds])
    .where("status", "in", ["queued", "annotating"])
    .where("gold_label", "is", null)
    .forUpdate()
    .execute();
  if (items.length === 0) return [];
  const labelsByItem = await countedLabels(
    trx,
    items.map((item) => item.id),
  );

  const outcomes: SettleOutcome[] = [];
  for (const item of items) {
    const labels = labelsByItem.get(item.id) ?? [];
    let status: ItemStatus = labels.length === 0 ? item.status : "annotating";
    if (labels.length >= project.overlap) {
      const check = checkAgreement(
        project.template,
        project.disputePolicy,
        labels.map((entry) => entry.label),
        item.responses as ResponseRef[],
      );
      status = check.disputed
        ? "disputed"
        : project.autoPublishConsensus
          ? "published"
          : "consensus";
      await saveOutcome(trx, item.id, check, labels);
      if (status === "published") {
        await trx
          .insertInto("adjudications")
          .values({
            item_id: item.id,
            version: 1,
            label: JSON.stringify(check.aggregated),
            rationale: AUTOMATIC_CONSENSUS_RATIONALE,
            panel: JSON.stringify(labels.map((entry) => entry.userId)),
            votes: JSON.stringify(
              Object.fromEntries(labels.map((entry) => [entry.userId, entry.label])),
            ),
          })
          .execute();
        await recordProjectEvent(trx, project.id, {
          type: "item.published",
          itemId: item.id,
          version: 1,
          label: check.aggregated,
        });
      } else if (status === "disputed") {
        await recordProjectEvent(trx, project.id, { type: "item.disputed", itemId: item.id });
      }
    }
    await trx
      .updateTable("items")
      .set({ status, label_count: labels.length, updated_at: new Date() })
      .where("id", "=", item.id)
      .execute();
    outcomes.push({ itemId: item.id, status });
  }
  return outcomes;
}
