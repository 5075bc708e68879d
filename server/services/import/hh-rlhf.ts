import { createHash } from "node:crypto";
import type { ConversationTurn } from "../../../app/domain/item.ts";
import { isRecord, type ImportRow, type ParsedImport, type RowError } from "./rows.ts";

/**
 * Anthropic's HH-RLHF format: `{"chosen", "rejected"}`, each a whole transcript in
 * `\n\nHuman: … \n\nAssistant: …` form, sharing every turn but the last assistant reply.
 */
export function isHhRlhfRecord(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.chosen === "string" &&
    typeof value.rejected === "string" &&
    !("prompt" in value)
  );
}

const HUMAN = "Human";
const ASSISTANT = "Assistant";
const speakerRoles: Record<string, string> = { [HUMAN]: "user", [ASSISTANT]: "assistant" };
const turnMarker = /\n\n(Human|Assistant): /g;

interface Turn {
  speaker: string;
  content: string;
  /** Where the turn's marker starts in the transcript. */
  start: number;
}

function splitTranscript(transcript: string): { lead: string; turns: Turn[] } {
  const turns: Turn[] = [];
  const markers = [...transcript.matchAll(turnMarker)];
  markers.forEach((marker, index) => {
    const contentStart = marker.index + marker[0].length;
    const end = markers[index + 1]?.index ?? transcript.length;
    turns.push({
      speaker: marker[1]!,
      content: transcript.slice(contentStart, end),
      start: marker.index,
    });
  });
  return { lead: transcript.slice(0, markers[0]?.index ?? transcript.length), turns };
}

/** The text of the transcript from a turn on: the reply, plus any turns the model went on to write. */
function replyFrom(transcript: string, turn: Turn): string {
  return transcript.slice(turn.start + `\n\n${turn.speaker}: `.length);
}

function responseId(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Turns one pair into an item: the shared turns become a conversation prompt and the two final
 * replies its responses. The responses get neutral ids `a` and `b` in an order that depends on
 * their text, not on which was chosen, so that annotators cannot learn that the first is the
 * better one; metadata records which was chosen, so that the pair can be exported again as it was.
 * In a few published pairs the model's reply runs on into further turns; such a reply keeps
 * them, as text, so that nothing of the original is lost.
 */
export function hhRlhfRecordToItem(
  value: unknown,
  row: number,
  errors: RowError[],
): Record<string, unknown> | undefined {
  if (!isHhRlhfRecord(value)) {
    errors.push({ row, field: "(root)", message: 'expected {"chosen": "...", "rejected": "..."}' });
    return undefined;
  }
  const { chosen, rejected } = value as { chosen: string; rejected: string };
  const chosenTranscript = splitTranscript(chosen);
  const rejectedTranscript = splitTranscript(rejected);
  if (chosenTranscript.lead.trim().length > 0 || rejectedTranscript.lead.trim().length > 0) {
    errors.push({
      row,
      field: chosenTranscript.lead.trim().length > 0 ? "chosen" : "rejected",
      message: 'must start with "\\n\\nHuman: "',
    });
    return undefined;
  }

  // The prompt is the longest run of shared turns that ends with a human turn and is followed,
  // in both transcripts, by an assistant reply.
  let shared = 0;
  const limit = Math.min(chosenTranscript.turns.length, rejectedTranscript.turns.length);
  while (
    shared < limit &&
    chosenTranscript.turns[shared]!.speaker === rejectedTranscript.turns[shared]!.speaker &&
    chosenTranscript.turns[shared]!.content === rejectedTranscript.turns[shared]!.content
  ) {
    shared += 1;
  }
  let promptLength = Math.min(shared, limit - 1);
  while (
    promptLength > 0 &&
    (chosenTranscript.turns[promptLength - 1]!.speaker !== HUMAN ||
      chosenTranscript.turns[promptLength]!.speaker !== ASSISTANT ||
      rejectedTranscript.turns[promptLength]!.speaker !== ASSISTANT)
  ) {
    promptLength -= 1;
  }
  if (promptLength === 0) {
    errors.push({
      row,
      field: "chosen",
      message: "the two transcripts share no human turn followed by an assistant reply",
    });
    return undefined;
  }

  const prompt: ConversationTurn[] = chosenTranscript.turns
    .slice(0, promptLength)
    .map((turn) => ({ role: speakerRoles[turn.speaker]!, content: turn.content }));
  const chosenReply = replyFrom(chosen, chosenTranscript.turns[promptLength]!);
  const rejectedReply = replyFrom(rejected, rejectedTranscript.turns[promptLength]!);
  const chosenFirst = responseId(chosenReply) <= responseId(rejectedReply);
  const [first, second] = chosenFirst ? [chosenReply, rejectedReply] : [rejectedReply, chosenReply];
  // The pair's identity is its two transcripts in the responses' order, not in chosen-rejected
  // order: the same pair with chosen and rejected swapped is the same item, whose second
  // preference then conflicts with the first instead of adding a duplicate.
  const pairDigest = createHash("sha256")
    .update(JSON.stringify(chosenFirst ? [chosen, rejected] : [rejected, chosen]))
    .digest("hex")
    .slice(0, 32);
  return {
    externalId: `hh-rlhf-${pairDigest}`,
    prompt,
    responses: [
      { id: "a", text: first },
      { id: "b", text: second },
    ],
    metadata: {
      source: "hh-rlhf",
      chosen: chosenFirst ? "a" : "b",
      rejected: chosenFirst ? "b" : "a",
    },
  };
}

export function readHhRlhf(records: ImportRow[]): ParsedImport {
  const errors: RowError[] = [];
  const rows = records.map(({ row, value }) => ({
    row,
    value: hhRlhfRecordToItem(value, row, errors),
  }));
  return { rows: rows.filter((entry) => entry.value !== undefined), errors };
}
