import {
  finalAccuracyFigure,
  noAnswers,
  countOutcome,
  outcomesAgainstFinal,
  type AnswerCounts,
  type AnswerOutcome,
} from "../../app/domain/accuracy.ts";
import type { CostedItem } from "../../app/domain/cost.ts";
import type { UndefinedReason } from "../../app/domain/estimate.ts";
import type { ProjectModel } from "./project-model.ts";
import { AlphaTallies, itemsOfLabels, type ItemLabels } from "./quality-agreement.ts";
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

/** A UTC day as the number of days since 1970-01-01: a division, not a date string per item. */
const epochDay = (instant: number) => Math.floor(instant / DAY_MS);
const utcDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** An item as quality over time reads it: when its labelling last moved, and its final label. */
export type DayItem = CostedItem<number> & { id: number; lastLabelAt: Date | null };

/** What one counted item added to its day, kept to be taken away when the item changes. */
interface CountedItem {
  day: number;
  labels: ItemLabels | undefined;
  answers: AnswerCounts;
}

interface DayCounts {
  items: number;
  answers: AnswerCounts;
  alpha: AlphaTallies;
}

/**
 * Each UTC day's counts from the first day of a window on: items, answers against the final
 * label and alpha's counts, all whole numbers. A computation keeps them, and the next one takes
 * them over and patches them with the items that changed, so that a change costs its items, not
 * the project's (decision 031). They belong to one computation at a time.
 */
export class DailyTallies {
  /** The template and policy the items were judged by; other ones count from none. */
  judgedBy: string | undefined;
  /** The first day counted: days before it are not, and a window reaching back counts anew. */
  firstDay = Number.POSITIVE_INFINITY;
  readonly days = new Map<number, DayCounts>();
  readonly items = new Map<number, CountedItem>();
}

/**
 * Quality over the last `THROUGHPUT_DAYS` UTC days, oldest first, today last, beside the daily
 * throughput: each item counts on the day its latest label was submitted (the day its labelling
 * last moved), so each item is in one day, and a day's figures are those of the items finished
 * then, judged as their labels and final labels stand now. Gold items are left out, as agreement
 * and accuracy against the final label leave them out. A day without items, or whose items give
 * no figure, has null with the reason, never NaN.
 *
 * With `tallies` and `changed`, the tallies of an earlier computation (of the same project) are
 * patched: the items in `changed` are taken away as they were counted and counted as they are
 * now, unless the template, the policy or a window reaching further back asks to count every
 * item anew. With `againstFinal`, an item's outcomes against its final label are those the
 * economics judged and kept (the same rule and options); with `rows`, each item's labels as kept,
 * whose agreement units are kept with them.
 */
export function qualityOverTime(
  project: Pick<ProjectModel, "template" | "disputePolicy">,
  data: { items: ReadonlyArray<DayItem>; labels: QualityData["labels"] },
  options: {
    now?: Date;
    tallies?: DailyTallies;
    changed?: Iterable<number>;
    againstFinal?: (
      item: CostedItem<number>,
      judge: () => Array<Record<string, AnswerOutcome>>,
    ) => Array<Record<string, AnswerOutcome>>;
    rows?: ReadonlyMap<number, ItemLabels & { item: DayItem }>;
  } = {},
): DailyQuality[] {
  const { now = new Date(), againstFinal = (_item, judge) => judge() } = options;
  const today = epochDay(now.getTime());
  const firstDay = today - (THROUGHPUT_DAYS - 1);
  const judgedBy = JSON.stringify([project.template, project.disputePolicy]);
  const tallies = options.tallies ?? new DailyTallies();
  const labelsOf = labelsByItem(data, options.rows);

  const change = (counted: CountedItem, sign: 1 | -1) => {
    let counts = tallies.days.get(counted.day);
    if (!counts) {
      if (sign < 0) return;
      counts = { items: 0, answers: noAnswers(), alpha: new AlphaTallies(project.template) };
      tallies.days.set(counted.day, counts);
    }
    counts.items += sign;
    counts.answers.correct += sign * counted.answers.correct;
    counts.answers.scored += sign * counted.answers.scored;
    counts.answers.selfDecided += sign * counted.answers.selfDecided;
    if (counted.labels) counts.alpha.change(counted.labels, sign);
  };
  const count = (item: DayItem) => {
    if (item.gold || item.lastLabelAt === null) return;
    const day = epochDay(item.lastLabelAt.getTime());
    if (day < tallies.firstDay) return;
    const answers = noAnswers();
    const final = item.final;
    if (final) {
      const judged = againstFinal(item, () =>
        outcomesAgainstFinal(project.template, project.disputePolicy, {
          labels: item.labels,
          final,
        }).map((entry) => entry.outcomes),
      );
      for (const outcomes of judged) {
        for (const field in outcomes) countOutcome(answers, outcomes[field]!);
      }
    }
    const counted = { day, labels: labelsOf(item.id), answers };
    tallies.items.set(item.id, counted);
    change(counted, 1);
  };

  const { changed } = options;
  const patching =
    changed !== undefined && tallies.judgedBy === judgedBy && firstDay >= tallies.firstDay;
  if (patching) {
    for (const day of tallies.days.keys()) if (day < firstDay) tallies.days.delete(day);
    tallies.firstDay = firstDay;
    const byId = options.rows ?? new Map(data.items.map((item) => [item.id, { item }]));
    for (const id of changed) {
      const counted = tallies.items.get(id);
      if (counted) {
        change(counted, -1);
        tallies.items.delete(id);
      }
      const current = byId.get(id);
      if (current) count(current.item);
    }
  } else {
    tallies.judgedBy = judgedBy;
    tallies.firstDay = firstDay;
    tallies.days.clear();
    tallies.items.clear();
    for (const item of data.items) count(item);
  }

  const none = new AlphaTallies(project.template).alphas();
  return Array.from({ length: THROUGHPUT_DAYS }, (_, index) => {
    const day = firstDay + index;
    const counts = tallies.days.get(day);
    const alphas = counts?.alpha.alphas() ?? none;
    const answers = counts?.answers ?? noAnswers();
    const accuracy = finalAccuracyFigure(answers.correct, answers.scored, answers.selfDecided);
    return {
      day: utcDay(day),
      items: counts?.items ?? 0,
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

/** Each item's labels as kept (`rows`), or grouped from the data's labels. */
function labelsByItem(
  data: { labels: QualityData["labels"] },
  rows: ReadonlyMap<number, ItemLabels> | undefined,
): (itemId: number) => ItemLabels | undefined {
  if (rows) return (itemId) => rows.get(itemId);
  let grouped: Map<number, ItemLabels> | undefined;
  return (itemId) => {
    grouped ??= new Map(itemsOfLabels(data.labels).map((item) => [item.labels[0]!.itemId, item]));
    return grouped.get(itemId);
  };
}
