import { SeededRandom } from "../../../app/domain/random.ts";
import type { Label, LabelValue, SpanAnnotation, Template } from "../../../app/domain/template.ts";
import type { DemoAnnotation, DemoItem, DemoResponse } from "./demo-content.ts";
import { demoUsers, type DemoUserKey } from "./demo-users.ts";

/**
 * One item of a demo project's labelling history: the label a careful expert gives it, from
 * which each annotator's label departs as often as their level makes likely. The history gives
 * the overview's throughput and quality charts and the quality page's tables days of work to
 * show, with the experts right more often than the juniors and slower at it.
 */
export interface HistoryCase {
  externalId: string;
  prompt: string;
  responses: DemoResponse[];
  domain: string;
  metadata?: Record<string, unknown>;
  truth: Label;
  /** A gold item: the truth is its gold label, and it is never published. */
  gold?: boolean;
}

export interface DemoHistory {
  /** The three annotators who label every case, as a project's overlap of 3 asks. */
  annotators: readonly [DemoUserKey, DemoUserKey, DemoUserKey];
  cases: readonly HistoryCase[];
}

/** The history is spread over this many hours before seeding, the newest case last. */
const HISTORY_HOURS = 6 * 24;
/** Cases labelled in the last two days wait for adjudication; earlier ones are published. */
const RECENT_HOURS = 48;

/** How often an annotator's label agrees with the truth, field by field. */
const RELIABILITY = { expert: 0.9, junior: 0.65 } as const;
/** Typical minutes of measured work on one label. */
const MINUTES_PER_LABEL = { expert: 5, junior: 3 } as const;

/**
 * The demo items of a history, in the order they were labelled. Seeded, so every demo workspace
 * is the same; items whose labels agree settle as consensus, the others as disputes, and the
 * older ones are published with the truth as their adjudicated label.
 */
export function historyItems(
  history: DemoHistory,
  template: Template,
  seed: number,
): { items: DemoItem[]; gold: Map<string, Label> } {
  const random = new SeededRandom(seed);
  const gold = new Map<string, Label>();
  const items = history.cases.map((historyCase, index): DemoItem => {
    const startHoursAgo =
      HISTORY_HOURS - (index * HISTORY_HOURS) / Math.max(history.cases.length, 1);
    const annotations = history.annotators.map((annotator, position): DemoAnnotation => {
      const level = demoUsers[annotator].level === "junior" ? "junior" : "expert";
      const durationMs = Math.round(
        MINUTES_PER_LABEL[level] * 60_000 * (0.6 + 0.8 * random.nextDouble()),
      );
      const hoursAgo = Math.max(startHoursAgo - position * 2 - random.nextDouble() * 3, 1);
      const review =
        level === "junior" && hoursAgo > RECENT_HOURS
          ? { hoursAfter: 4 + random.nextInt(20), activeMs: 60_000 + random.nextInt(120_000) }
          : undefined;
      return {
        annotator,
        hoursAgo,
        durationMs,
        label: departFrom(historyCase.truth, template, RELIABILITY[level], random),
        ...(review ? { review } : {}),
      };
    });
    if (historyCase.gold) gold.set(historyCase.externalId, historyCase.truth);
    const lastHoursAgo = Math.min(...annotations.map((annotation) => annotation.hoursAgo));
    const publish = !historyCase.gold && lastHoursAgo > RECENT_HOURS;
    return {
      externalId: historyCase.externalId,
      prompt: historyCase.prompt,
      responses: historyCase.responses,
      domain: historyCase.domain,
      metadata: { ...historyCase.metadata, batch: "history" },
      status: historyCase.gold ? "queued" : publish ? "published" : "as labelled",
      annotations,
      ...(publish
        ? {
            publication: {
              label: historyCase.truth,
              rationale:
                "The panel checked each independent label against the sources and kept the reading the evidence supports.",
              hoursAgo: lastHoursAgo - 6 - random.nextDouble() * 12,
              panelMinutes: 6 + random.nextInt(14),
            },
          }
        : {}),
    };
  });
  return { items, gold };
}

/** The truth as an annotator of the given reliability labels it. */
function departFrom(
  truth: Label,
  template: Template,
  reliability: number,
  random: SeededRandom,
): Label {
  const label: Label = {};
  for (const field of template.fields) {
    const value = truth[field.id];
    if (value === undefined) continue;
    const right = random.nextDouble() < reliability;
    label[field.id] = right ? value : departedValue(field, value, random);
  }
  return label;
}

type Field = Template["fields"][number];

function departedValue(field: Field, value: LabelValue, random: SeededRandom): LabelValue {
  switch (field.type) {
    case "rating":
      return typeof value === "number" ? nearby(value, field.min, field.max, random) : value;
    case "preference":
      return typeof value === "number" ? nearby(value, -field.scale, field.scale, random) : value;
    case "choice":
      if (Array.isArray(value)) {
        const chosen = value.filter((option): option is string => typeof option === "string");
        const extra = field.options[random.nextInt(field.options.length)];
        return chosen.length > 0 && random.nextDouble() < 0.5
          ? chosen.slice(1)
          : [...new Set([...chosen, extra])];
      }
      return field.options[(field.options.indexOf(String(value)) + 1) % field.options.length];
    case "spans":
      return Array.isArray(value)
        ? missedOrMisjudged(value as SpanAnnotation[], field, random)
        : value;
    default:
      return value;
  }
}

/** One step up or down the scale, staying on it. */
function nearby(value: number, min: number, max: number, random: SeededRandom): number {
  const step = random.nextDouble() < 0.5 ? -1 : 1;
  const moved = value + step;
  return moved < min || moved > max ? value - step : moved;
}

/** A span left unmarked, or marked with another severity. */
function missedOrMisjudged(
  spans: SpanAnnotation[],
  field: Extract<Field, { type: "spans" }>,
  random: SeededRandom,
): SpanAnnotation[] {
  if (spans.length === 0) return spans;
  const target = random.nextInt(spans.length);
  if (random.nextDouble() < 0.5) return spans.filter((_, index) => index !== target);
  return spans.map((span, index) =>
    index === target
      ? {
          ...span,
          severity:
            field.severities[
              (field.severities.indexOf(span.severity) + 1) % field.severities.length
            ],
        }
      : span,
  );
}
