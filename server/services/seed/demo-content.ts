import type { Label, SpanAnnotation } from "../../../app/domain/template.ts";
import type { ItemStatus } from "../../../db/schema.ts";
import type { DemoUserKey } from "./demo-users.ts";
import type { DemoHistory } from "./history.ts";

export interface ConversationTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface DemoResponse {
  id: string;
  model?: string;
  text: string;
}

export interface DemoAnnotation {
  annotator: DemoUserKey;
  label: Label;
  /** How long before seeding it was submitted. */
  hoursAgo: number;
  durationMs: number;
  /** A junior's label the lead accepted in review, this long after it was submitted. */
  review?: { hoursAfter: number; activeMs: number };
}

/** How the lead published an item once its panel had settled it: its version 1. */
export interface DemoPublication {
  /**
   * What the panel settled that the independent labels could not (a free-text critique, say);
   * every other field is the aggregate of those labels.
   */
  label: Label;
  rationale: string;
  /** How long before seeding it was published. */
  hoursAgo: number;
  /** Each panel member's measured minutes in the room; none recorded when absent. */
  panelMinutes?: number;
}

export interface DemoItem {
  externalId: string;
  prompt: string | ConversationTurn[];
  responses: DemoResponse[];
  domain?: string;
  metadata?: Record<string, unknown>;
  /** `as labelled`: whatever the dispute detection makes of its labels. */
  status: ItemStatus | "as labelled";
  annotations: DemoAnnotation[];
  /** Annotators who hold an open reservation on the item. */
  reservedBy?: DemoUserKey[];
  /** Required with status `published`, whose labels must leave it disputed or consensus. */
  publication?: DemoPublication;
}

export interface DemoProject {
  presetId: string;
  name: string;
  description: string;
  domain: string | null;
  items: DemoItem[];
  history?: DemoHistory;
}

type SpanDetails = Pick<SpanAnnotation, "category" | "severity" | "note">;

/**
 * A span over the first occurrence of `quote` in the response, so that the demo's offsets are
 * computed from the text rather than counted by hand.
 */
export function mark(
  response: DemoResponse,
  quote: string,
  category: string,
  severity: string,
  note?: string,
): SpanAnnotation {
  const start = response.text.indexOf(quote);
  if (start < 0) throw new Error(`"${quote}" does not occur in response ${response.id}`);
  const details: SpanDetails = { category, severity, ...(note ? { note } : {}) };
  return { responseId: response.id, start, end: start + quote.length, ...details };
}
