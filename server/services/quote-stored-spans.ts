import { sql, type Kysely } from "kysely";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import {
  QUOTE_LIMIT_HINT,
  quoteLabelSpans,
  quoteLimit,
  quoteSpan,
} from "../../app/domain/span-offsets.ts";
import type { Label, ResponseRef, SpanAnnotation, Template } from "../../app/domain/template.ts";
import type { Database } from "../../db/schema.ts";
import { projectModel } from "./project-model.ts";

const PAGE_SIZE = 500;

export interface QuoteStoredSpansOutcome {
  /** Stored labels, votes and review comments given quoted text. */
  rowsUpdated: number;
  spansQuoted: number;
  /** Spans of mutable labels whose offsets split a character, widened to the whole character. */
  spansWidened: number;
  /**
   * Spans left without a quote because their label's (or review's comments') quotes reached the
   * limit a label has (span-offsets.ts `quoteLimit`): quoting adds at most that to a row.
   */
  spansOverLimit: number;
  /**
   * Published versions with a span that splits a character, or whose spans quote more than a
   * label may, flagged `invalid` instead.
   */
  versionsFlagged: number;
}

type Json = Record<string, unknown>;

/**
 * Gives every span stored before spans carried their quoted text its `text`, the response text
 * at its offsets (docs/decisions/020-span-offsets.md): gold labels, annotations, outcomes,
 * review corrections and the spans review comments are anchored to, and the labels, votes and
 * minority positions of published versions. A span whose offsets split a surrogate pair is
 * widened to the whole character where labels may change; a published version is immutable, so
 * such a span keeps its offsets (and no text) and the version is flagged `invalid` for a lead to
 * reopen. Quotes stop at the limit a label has: a label that would quote more keeps its further
 * spans unquoted, and a version with such a label is flagged `invalid` too. The quote is the one
 * thing a version gains: the trigger that keeps versions immutable is switched off for this
 * transaction only. Drafts are left as they are (they are checked on submission), and so are
 * approvals, which are of the label as it was validated then.
 */
export async function quoteStoredSpans(trx: Kysely<Database>): Promise<QuoteStoredSpansOutcome> {
  const outcome: QuoteStoredSpansOutcome = {
    rowsUpdated: 0,
    spansQuoted: 0,
    spansWidened: 0,
    spansOverLimit: 0,
    versionsFlagged: 0,
  };
  const projects = await trx.selectFrom("projects").selectAll().orderBy("id").execute();
  let versionsUnlocked = false;
  const unlockVersions = async () => {
    if (versionsUnlocked) return;
    await sql`alter table adjudications disable trigger adjudications_immutable`.execute(trx);
    versionsUnlocked = true;
  };
  for (const row of projects) {
    const { template } = projectModel(row);
    if (!template.fields.some((field) => field.type === "spans")) continue;
    await quoteProject(trx, row.id, template, outcome, unlockVersions);
  }
  if (versionsUnlocked) {
    await sql`alter table adjudications enable trigger adjudications_immutable`.execute(trx);
  }
  return outcome;
}

async function quoteProject(
  trx: Kysely<Database>,
  projectId: number,
  template: Template,
  outcome: QuoteStoredSpansOutcome,
  unlockVersions: () => Promise<void>,
): Promise<void> {
  let cursor = 0;
  for (;;) {
    const items = await trx
      .selectFrom("items")
      .select(["id", "responses", "gold_label"])
      .where("project_id", "=", projectId)
      .where("id", ">", cursor)
      .orderBy("id")
      .limit(PAGE_SIZE)
      .execute();
    if (items.length === 0) return;
    const ids = items.map((item) => item.id);
    const responsesOf = new Map(items.map((item) => [item.id, item.responses as ResponseRef[]]));

    /** The label quoted, or undefined when nothing in it changes. */
    const quoted = (itemId: number, label: unknown, widen: boolean): Label | undefined => {
      if (typeof label !== "object" || label === null) return undefined;
      const result = quoteLabelSpans(template, label as Label, responsesOf.get(itemId)!, {
        widen,
      });
      outcome.spansQuoted += result.quoted;
      outcome.spansWidened += result.widened;
      outcome.spansOverLimit += result.overLimit;
      return result.quoted > 0 ? result.label : undefined;
    };

    for (const item of items) {
      const gold = quoted(item.id, item.gold_label, true);
      if (!gold) continue;
      await trx
        .updateTable("items")
        .set({ gold_label: JSON.stringify(gold) })
        .where("id", "=", item.id)
        .execute();
      outcome.rowsUpdated++;
    }

    const annotations = await trx
      .selectFrom("annotations")
      .select(["id", "item_id", "label"])
      .where("item_id", "in", ids)
      .execute();
    for (const annotation of annotations) {
      const label = quoted(annotation.item_id, annotation.label, true);
      if (!label) continue;
      await trx
        .updateTable("annotations")
        .set({ label: JSON.stringify(label) })
        .where("id", "=", annotation.id)
        .execute();
      outcome.rowsUpdated++;
    }

    const outcomes = await trx
      .selectFrom("item_outcomes")
      .select(["item_id", "aggregated_label"])
      .where("item_id", "in", ids)
      .execute();
    for (const settled of outcomes) {
      const label = quoted(settled.item_id, settled.aggregated_label, true);
      if (!label) continue;
      await trx
        .updateTable("item_outcomes")
        .set({ aggregated_label: JSON.stringify(label) })
        .where("item_id", "=", settled.item_id)
        .execute();
      outcome.rowsUpdated++;
    }

    const reviews = await trx
      .selectFrom("reviews")
      .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
      .select(["reviews.id", "annotations.item_id", "reviews.corrected_label", "reviews.comments"])
      .where("annotations.item_id", "in", ids)
      .execute();
    for (const review of reviews) {
      const corrected = quoted(review.item_id, review.corrected_label, true);
      const anchors = quoteCommentAnchors(review.comments, responsesOf.get(review.item_id)!);
      outcome.spansQuoted += anchors.quoted;
      outcome.spansOverLimit += anchors.overLimit;
      const comments = anchors.quoted > 0 ? anchors.comments : undefined;
      if (!corrected && !comments) continue;
      await trx
        .updateTable("reviews")
        .set({
          ...(corrected ? { corrected_label: JSON.stringify(corrected) } : {}),
          ...(comments ? { comments: JSON.stringify(comments) } : {}),
        })
        .where("id", "=", review.id)
        .execute();
      outcome.rowsUpdated++;
    }

    const versions = await trx
      .selectFrom("adjudications")
      .select(["id", "item_id", "version", "label", "votes", "minority"])
      .where("item_id", "in", ids)
      .execute();
    for (const version of versions) {
      const responses = responsesOf.get(version.item_id)!;
      const label = quoted(version.item_id, version.label, false);
      const votes = mapValues(version.votes, (vote) => quoted(version.item_id, vote, false));
      const minority = mapValues(version.minority, (positions, fieldId) =>
        quoteMinority(positions, fieldId, (fieldLabel) =>
          quoted(version.item_id, fieldLabel, false),
        ),
      );
      if (label || votes || minority) {
        await unlockVersions();
        await trx
          .updateTable("adjudications")
          .set({
            ...(label ? { label: JSON.stringify(label) } : {}),
            ...(votes ? { votes: JSON.stringify(votes) } : {}),
            ...(minority ? { minority: JSON.stringify(minority) } : {}),
          })
          .where("id", "=", version.id)
          .execute();
        outcome.rowsUpdated++;
      }
      const check = validateFinalLabel(template, responses, label ?? version.label);
      const problems = check.valid
        ? []
        : check.issues.filter(
            (issue) =>
              /surrogate pair/.test(issue.message) || issue.message.startsWith(QUOTE_LIMIT_HINT),
          );
      if (problems.length === 0) continue;
      const flagged = await trx
        .insertInto("version_flags")
        .values({
          item_id: version.item_id,
          version: version.version,
          reason: "invalid",
          details: JSON.stringify(
            problems.map((issue) => ({
              field: issue.path.map(String).join("."),
              message: issue.message,
            })),
          ),
        })
        .onConflict((conflict) => conflict.columns(["item_id", "version", "reason"]).doNothing())
        .returning("item_id")
        .execute();
      outcome.versionsFlagged += flagged.length;
    }

    if (items.length < PAGE_SIZE) return;
    cursor = ids[ids.length - 1]!;
  }
}

/** An object's values mapped, or undefined when `change` changes none of them. */
function mapValues(
  value: unknown,
  change: (entry: unknown, key: string) => unknown,
): Json | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  let changed = false;
  const result: Json = {};
  for (const [key, entry] of Object.entries(value)) {
    const next = change(entry, key);
    changed ||= next !== undefined;
    result[key] = next ?? entry;
  }
  return changed ? result : undefined;
}

/** One field's minority positions `[{ member, value }]` quoted, or undefined when none changes. */
function quoteMinority(
  positions: unknown,
  fieldId: string,
  quoteLabel: (label: Label) => Label | undefined,
): unknown[] | undefined {
  if (!Array.isArray(positions)) return undefined;
  let changed = false;
  const result = positions.map((position: unknown) => {
    if (typeof position !== "object" || position === null) return position;
    const { value } = position as { value?: unknown };
    if (!Array.isArray(value)) return position;
    const quoted = quoteLabel({ [fieldId]: value as SpanAnnotation[] });
    if (!quoted) return position;
    changed = true;
    return { ...position, value: quoted[fieldId] };
  });
  return changed ? result : undefined;
}

/**
 * The spans review comments are anchored to, quoted until their quotes reach the limit a label
 * has, and how many were quoted and left unquoted for the limit.
 */
function quoteCommentAnchors(
  comments: unknown,
  responses: ReadonlyArray<ResponseRef>,
): { comments: unknown[]; quoted: number; overLimit: number } {
  if (!Array.isArray(comments)) return { comments: [], quoted: 0, overLimit: 0 };
  const limit = quoteLimit(responses);
  let quotedLength = 0;
  let quoted = 0;
  let overLimit = 0;
  const result = comments.map((comment: unknown) => {
    if (typeof comment !== "object" || comment === null) return comment;
    const { span } = comment as {
      span?: { responseId?: unknown; start: number; end: number; text?: unknown };
    };
    if (typeof span !== "object" || span === null || typeof span.responseId !== "string") {
      return comment;
    }
    const responseId = span.responseId;
    const text = responses.find((response) => response.id === responseId)?.text;
    const quote = text === undefined ? null : quoteSpan(span, text, true);
    if (!quote) return comment;
    if (quotedLength + quote.text.length > limit) {
      overLimit++;
      return comment;
    }
    quotedLength += quote.text.length;
    if (quote.text === span.text && quote.start === span.start && quote.end === span.end) {
      return comment;
    }
    quoted++;
    return { ...comment, span: quote };
  });
  return { comments: result, quoted, overLimit };
}
