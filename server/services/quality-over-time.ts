import {
  finalAccuracyFigure,
  noAnswers,
  countOutcome,
  outcomesAgainstFinal,
  type AnswerOutcome,
} from "../../app/domain/accuracy.ts";
import type { CostedItem } from "../../app/domain/cost.ts";
import type { UndefinedReason } from "../../app/domain/estimate.ts";
import type { ProjectModel } from "./project-model.ts";
import { fieldAlphasOfItems, itemsOfLabels, type ItemLabels } from "./quality-agreement.ts";
import type { QualityData } from "./quality-economics.ts";
import { THROUGHPUT_DAYS } from "./throughput.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A figure of one day: its value, or null with the reason it has none. */
export interface DailyFigure {
  value: number | null;
  reason: UndefinedReason | null;
}

/**
 * The quality of one UTC day's work: the items whose latest label was submitted that day, their
 * agreement per field (Krippendorff's alpha, as the quality page measures it) and the share of
 * their labels that agree with the item's final label (as `accuracyVsFinal` counts it).
 */
export interface DailyQuality {
  /** A UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Items (not gold) whose latest label was submitted that day. */
  items: number;
  /** Alpha per field that alpha is measured for (not spans, text or rewrites). */
  alpha: Array<{ fieldId: string } & DailyFigure>;
  accuracyVsFinal: DailyFigure & { correct: number; scored: number };
}

const utcDay = (instant: Date) => instant.toISOString().slice(0, 10);

/**
 * Quality over the last `THROUGHPUT_DAYS` UTC days, oldest first, today last, beside the daily
 * throughput: each item counts on the day its latest label was submitted (the day its labelling
 * last moved), so each item is in one day, and a day's figures are those of the items finished
 * then, judged as their labels and final labels stand now. Gold items are left out, as agreement
 * and accuracy against the final label leave them out. A day without items, or whose items give
 * no figure, has null with the reason, never NaN.
 *
 * With `reuse`, the days not in `changedDays` are taken from `previous` (the same window, template
 * and policy): a day's figures depend on its own items only, and only the changed items' days,
 * before and after the change, are computed again. With `againstFinal`, an item's outcomes
 * against its final label are those the economics judged and kept (the same rule and options);
 * with `rows`, each item's labels as kept, whose agreement units are kept with them.
 */
export function qualityOverTime(
  project: Pick<ProjectModel, "template" | "disputePolicy">,
  data: Pick<QualityData, "labels" | "items">,
  options: {
    now?: Date;
    reuse?: { previous: ReadonlyArray<DailyQuality>; changedDays: ReadonlySet<string> };
    againstFinal?: (
      item: CostedItem<number>,
      judge: () => Array<Record<string, AnswerOutcome>>,
    ) => Array<Record<string, AnswerOutcome>>;
    rows?: ReadonlyMap<number, ItemLabels>;
  } = {},
): DailyQuality[] {
  const { now = new Date(), reuse, againstFinal = (_item, judge) => judge() } = options;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: THROUGHPUT_DAYS }, (_, index) =>
    utcDay(new Date(today - (THROUGHPUT_DAYS - 1 - index) * DAY_MS)),
  );
  const firstDay = today - (THROUGHPUT_DAYS - 1) * DAY_MS;
  const previous = new Map(reuse?.previous.map((daily) => [daily.day, daily]));
  const computed = (day: string) =>
    reuse === undefined || reuse.changedDays.has(day) || !previous.has(day);
  const dayOfItem = new Map<number, string>();
  const answers = new Map(days.map((day) => [day, noAnswers()]));
  const items = new Map(days.map((day) => [day, 0]));
  for (const item of data.items) {
    if (item.gold || item.lastLabelAt === null) continue;
    // UTC days are 86,400,000 ms each: the day's index is a division, not a date string per item.
    const offset = Math.floor((item.lastLabelAt.getTime() - firstDay) / DAY_MS);
    if (offset < 0 || offset >= THROUGHPUT_DAYS) continue;
    const day = days[offset]!;
    if (!computed(day)) continue;
    dayOfItem.set(item.id, day);
    items.set(day, items.get(day)! + 1);
    if (!item.final) continue;
    const counts = answers.get(day)!;
    const final = item.final;
    const judged = againstFinal(item, () =>
      outcomesAgainstFinal(project.template, project.disputePolicy, {
        labels: item.labels,
        final,
      }).map((entry) => entry.outcomes),
    );
    for (const outcomes of judged) {
      for (const field in outcomes) countOutcome(counts, outcomes[field]!);
    }
  }
  const rows =
    options.rows ??
    new Map(
      itemsOfLabels(data.labels.filter((label) => dayOfItem.has(label.itemId))).map((item) => [
        item.labels[0]!.itemId,
        item,
      ]),
    );
  const itemsByDay = new Map<string, ItemLabels[]>(days.map((day) => [day, []]));
  for (const [itemId, day] of dayOfItem) {
    const row = rows.get(itemId);
    if (row) itemsByDay.get(day)!.push(row);
  }
  return days.map((day) => {
    if (!computed(day)) return previous.get(day)!;
    const alphas = fieldAlphasOfItems(project.template, itemsByDay.get(day)!);
    const counts = answers.get(day)!;
    const accuracy = finalAccuracyFigure(counts.correct, counts.scored, counts.selfDecided);
    return {
      day,
      items: items.get(day)!,
      alpha: alphas.map((field) => ({
        fieldId: field.fieldId,
        value: field.alpha.value,
        reason: field.alpha.reason,
      })),
      accuracyVsFinal: {
        value: accuracy.value.value,
        reason: accuracy.value.reason,
        correct: accuracy.correct,
        scored: accuracy.scored,
      },
    };
  });
}
