import { sourceRangeOfSelection } from "~/components/markdown/selection.ts";
import { trimSelection } from "~/domain/span-offsets.ts";

export type SelectedSpan =
  | { kind: "span"; responseId: string; start: number; end: number }
  | { kind: "nothing selected" }
  | { kind: "only punctuation" };

/**
 * The span of a response that the page's selection marks, as the labeling page and the room
 * mark spans: the selection mapped to source offsets of the response it lies in, then trimmed
 * of the spaces and punctuation around it (span-offsets.ts), so that the offsets are UTF-16 code
 * units of the response text and never split a character.
 */
export function selectedResponseSpan(
  readers: ReadonlyArray<Element | null>,
  responses: ReadonlyArray<{ id: string; text: string }>,
  selection: Selection | null,
): SelectedSpan {
  for (const [index, reader] of readers.entries()) {
    const response = responses[index];
    if (!reader || !response) continue;
    const range = sourceRangeOfSelection(reader, selection);
    if (!range) continue;
    const trimmed = trimSelection(response.text, range.start, range.end);
    if (!trimmed) return { kind: "only punctuation" };
    return { kind: "span", responseId: response.id, ...trimmed };
  }
  return { kind: "nothing selected" };
}

/** What to tell the user when a selection marks no span. */
export const selectionProblem: Record<Exclude<SelectedSpan["kind"], "span">, string> = {
  "nothing selected": "Select some text in a response first.",
  "only punctuation": "Only spaces and punctuation are selected: select the words to mark.",
};
