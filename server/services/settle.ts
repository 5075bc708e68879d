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

/**
 * The labels that count of each item, in the order they were given: those not rejected in
 * review, a label a lead corrected in review as corrected. The annotator is still judged by
 * what they gave (quality reads the annotations themselves); the item's outcome, and so its
 * training data, follows the lead's correction.
 */
export async function countedLabels(
  trx: Kysely<Database>,
  itemIds: ReadonlyArray<number>,
): Promise<Map<number, CountedLabel[]>> {
  const byItem = new Map<number, CountedLabel[]>();
  if (itemIds.length === 0) return byItem;
  const annotations = await trx
    .selectFrom("annotations")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .select([
      "annotations.item_id",
      "annotations.user_id",
      "annotations.label",
      "reviews.verdict",
      "reviews.corrected_label",
    ])
    .where("annotations.item_id", "in", [...itemIds])
    .where("annotations.rejected_at", "is", null)
    .orderBy("annotations.id")
    .execute();
  for (const annotation of annotations) {
    const labels = byItem.get(annotation.item_id) ?? [];
    const corrected = annotation.verdict === "corrected" && annotation.corrected_label !== null;
    labels.push({
      userId: annotation.user_id,
      label: (corrected ? annotation.corrected_label : annotation.label) as Label,
    });
    byItem.set(annotation.item_id, labels);
  }
  return byItem;
}

/**
 * Checks an item's labels again after one of them stopped counting or changed in review: an item
 * that had all its labels (consensus or disputed) is settled anew, one still waiting stays so.
 * Items in adjudication or published keep their state: their labels were the panel's start, and
 * a lead reopens them to change what was published.
 */
export async function settleAgain(
  trx: Kysely<Database>,
  project: ProjectModel,
  itemId: number,
): Promise<void> {
  await trx.deleteFrom("item_outcomes").where("item_id", "=", itemId).execute();
  await trx
    .updateTable("items")
    .set({ status: "annotating", updated_at: new Date() })
    .where("id", "=", itemId)
    .where("status", "in", ["consensus", "disputed"])
    .execute();
  await settleItems(trx, project, [itemId]);
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
 * An item is disputed: its annotators may read one another's labels from now on
 * (`annotatorMaySeeLabels`), so their labels are fixed. Should the item go back to the queue (a
 * lead rejects one of its labels, a policy change), none of them may be revised to match what
 * its author has read.
 */
export async function disputeItem(
  trx: Kysely<Database>,
  projectId: number,
  itemId: number,
): Promise<void> {
  await trx
    .updateTable("annotations")
    .set({ revealed_at: new Date() })
    .where("item_id", "=", itemId)
    .where("rejected_at", "is", null)
    .where("revealed_at", "is", null)
    .execute();
  await recordProjectEvent(trx, projectId, { type: "item.disputed", itemId });
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
        await disputeItem(trx, project.id, item.id);
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
