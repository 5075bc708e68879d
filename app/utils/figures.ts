import { undefinedReasons, type Estimate, type UndefinedReason } from "~/domain/estimate.ts";

/**
 * How the quality and progress figures read on the pages: money from whole cents, durations in
 * hours and minutes, shares with their 95 % interval as "0.62 (0.48–0.74)", and a figure the
 * data cannot give as the reason in words, never "NaN" or "null". Formatting is fixed to en-US
 * so that the page the server renders and the one the browser hydrates are the same.
 */

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const fineMoney = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 4,
});
const count = new Intl.NumberFormat("en-US");

/** Whole cents as dollars and cents; a fraction of a cent (a cost per answer) to the hundredth. */
export function formatCents(cents: number): string {
  return Number.isInteger(cents) ? money.format(cents / 100) : fineMoney.format(cents / 100);
}

export function formatCount(value: number): string {
  return count.format(value);
}

/** "3 h 05 min", "42 min", "under a minute", "none". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "none";
  const minutes = Math.round(ms / 60_000);
  if (minutes === 0) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Two decimals, negatives with a minus sign: "−0.42 (−0.89–0.06)" reads, "-0.89–0.06" not. */
export function formatShare(value: number): string {
  const fixed = value.toFixed(2);
  // -0.001 rounds to "-0.00", which is no negative number.
  if (Number(fixed) === 0) return "0.00";
  return fixed.startsWith("-") ? `−${fixed.slice(1)}` : fixed;
}

/** "0.62 (0.48–0.74)", or the value alone when there is no interval. */
export function formatWithInterval(value: number, interval: readonly [number, number] | null) {
  return interval === null
    ? formatShare(value)
    : `${formatShare(value)} (${formatShare(interval[0])}–${formatShare(interval[1])})`;
}

/** A few words for a table cell; `reasonSentence` says the same in full. */
const reasonWords: Record<UndefinedReason, string> = {
  "no-data": "no data yet",
  "single-annotator": "one annotator only",
  "no-overlap": "no item in common",
  "no-variation": "no variation",
  "non-numeric-values": "values not numeric",
  "negative-values": "negative values",
  "incomplete-data": "incomplete data",
  "invalid-options": "invalid options",
  "missing-rate": "no hourly rate",
  "no-time": "no measured time",
  "self-decided": "only self-decided answers",
  "no-correct": "no correct answer yet",
  "not-scored": "not scored",
  "other-metric": "not defined for this field",
};

export function reasonInWords(reason: UndefinedReason): string {
  return reasonWords[reason];
}

/** The reason as a sentence, starting with a capital. */
export function reasonSentence(reason: UndefinedReason): string {
  const sentence = undefinedReasons[reason];
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** An estimate as text: its value formatted, or the reason it has none in words. */
export function estimateText(
  estimate: Estimate<number>,
  format: (value: number) => string = formatShare,
): string {
  return estimate.value === null ? reasonInWords(estimate.reason) : format(estimate.value);
}
