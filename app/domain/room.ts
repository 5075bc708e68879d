import { digest } from "lib0/hash/sha256";
import * as Y from "yjs";
import { canonicalJson } from "./canonical-json.ts";
import { checkAgreement, type DisputePolicy, type FieldAgreement } from "./disputes.ts";
import { stripInvalidText } from "./strip-invalid-text.ts";
import {
  labelSchemaFor,
  ownEntry,
  type Label,
  type LabelValue,
  type ResponseRef,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "./template.ts";

/**
 * Accessors for a room document (DESIGN.md "The room document"). Every reader and writer of a
 * room — the pre-fill and publish services, the sync server, the room UI — goes through these,
 * so the shape of the document is decided in one place:
 *
 * - `label`: Y.Map, field id → value; a `spans` field is a Y.Array of Y.Map spans, a `text` or
 *   `rewrite` field a Y.Text, every other field a plain JSON value.
 * - `votes`: Y.Map, member id → Y.Map of field id → that member's position (plain JSON).
 * - `comments`: Y.Array of Y.Map `{ id, author, text, createdAt, fieldId?, spanId?, resolved }`.
 * - `meta`: Y.Map written by the server: `status`, `version`, `publishedBy`, `publishedAt`,
 *   `approvals`, `approvedLabels`.
 *
 * A member id is the person's participant key in the project: an opaque string that only the
 * server maps to a user (docs/decisions/016-participant-keys.md), so that a room names nobody to
 * those who see the panel under pseudonyms. What each participant may write is checked by the
 * sync server (server/sync/write-rules.ts).
 */

export const itemRoomName = (itemId: number): string => `item:${itemId}`;
export const reviewRoomName = (annotationId: number): string => `review:${annotationId}`;

export type Votes = Record<string, Label>;
export type RoomStatus = "open" | "published";

export interface RoomMeta {
  status: RoomStatus;
  /** The version the draft becomes when published; once published, the version it became. */
  version: number | null;
  /** Member id of whoever published the current version. */
  publishedBy: string | null;
  /** ISO time of the publication. */
  publishedAt: string | null;
  /** Member ids that approved the current draft version (projects with a quorum publish rule). */
  approvals: string[];
  /**
   * Member id → `labelDigest` of the label that member approved. An approval counts only while
   * the draft still has that label, which the room's readers check against the live draft.
   */
  approvedLabels: Record<string, string>;
}

export interface RoomComment {
  id: string;
  /** Member id of the author. */
  author: string;
  text: string;
  /** ISO time. */
  createdAt: string;
  fieldId?: string;
  spanId?: string;
  resolved: boolean;
}

export interface NewComment {
  author: string;
  text: string;
  fieldId?: string;
  spanId?: string;
  /** Given when copying an existing comment into a room; generated otherwise. */
  id?: string;
  createdAt?: string;
}

export type NewSpan = Omit<SpanAnnotation, "id"> & { id?: string };
export type SpanChanges = Partial<
  Pick<SpanAnnotation, "start" | "end" | "category" | "severity">
> & {
  /** A string sets the note, null removes it. */
  note?: string | null;
};

type SpanMap = Y.Map<string | number>;
type LabelEntry = number | string | string[] | Y.Text | Y.Array<SpanMap>;

export const labelMap = (doc: Y.Doc): Y.Map<LabelEntry> => doc.getMap<LabelEntry>("label");
export const votesMap = (doc: Y.Doc): Y.Map<Y.Map<LabelValue>> =>
  doc.getMap<Y.Map<LabelValue>>("votes");
export const commentsArray = (doc: Y.Doc): Y.Array<Y.Map<string | boolean>> =>
  doc.getArray<Y.Map<string | boolean>>("comments");
export const metaMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap<unknown>("meta");

/**
 * A short random id for spans and comments. `crypto.getRandomValues` exists in browsers (also
 * outside secure contexts, unlike `randomUUID`) and in Node.
 */
export function newRoomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function spanFromMap(span: SpanMap): SpanAnnotation {
  const json = span.toJSON() as SpanAnnotation & { note?: string | null };
  const result: SpanAnnotation = {
    id: json.id,
    responseId: json.responseId,
    start: json.start,
    end: json.end,
    category: json.category,
    severity: json.severity,
  };
  if (typeof json.text === "string") result.text = json.text;
  if (typeof json.note === "string") result.note = json.note;
  return result;
}

function spanToMap(span: NewSpan): SpanMap {
  const map: SpanMap = new Y.Map();
  map.set("id", span.id ?? newRoomId());
  map.set("responseId", span.responseId);
  map.set("start", span.start);
  map.set("end", span.end);
  map.set("category", span.category);
  map.set("severity", span.severity);
  if (span.text !== undefined) map.set("text", span.text);
  if (span.note !== undefined) map.set("note", span.note);
  return map;
}

function entryToJson(entry: unknown): unknown {
  if (entry instanceof Y.Text) return entry.toString();
  if (entry instanceof Y.Array) {
    return entry.toArray().map((span) => (span instanceof Y.Map ? spanFromMap(span) : span));
  }
  if (entry instanceof Y.AbstractType) return entry.toJSON();
  return entry;
}

/** The draft label as plain JSON: what publishing validates and stores. */
export function labelToJson(doc: Y.Doc): Label {
  // Built from entries, so that every key the room holds is an own key of the result, a
  // `__proto__` one included, which the template check then refuses by name; assigned, it
  // would have set the result's prototype instead.
  return Object.fromEntries(
    [...labelMap(doc).entries()].map(([fieldId, entry]) => [fieldId, entryToJson(entry)]),
  ) as Label;
}

/**
 * Replaces the draft label with `label`, field by field as the template says. Spans and text
 * fields get their shared type even when the label has no value for them (an empty array, an
 * empty text), so that participants edit one shared object instead of racing to create it.
 */
export function writeLabel(doc: Y.Doc, template: Template, label: Label): void {
  const map = labelMap(doc);
  const fieldIds = new Set(template.fields.map((field) => field.id));
  doc.transact(() => {
    for (const key of [...map.keys()]) if (!fieldIds.has(key)) map.delete(key);
    for (const field of template.fields) writeLabelField(map, field, ownEntry(label, field.id));
  });
}

function writeLabelField(
  map: Y.Map<LabelEntry>,
  field: TemplateField,
  value: LabelValue | undefined,
): void {
  switch (field.type) {
    case "spans": {
      const spans = new Y.Array<SpanMap>();
      spans.push(((value as SpanAnnotation[] | undefined) ?? []).map(spanToMap));
      map.set(field.id, spans);
      return;
    }
    case "text":
    case "rewrite":
      map.set(field.id, new Y.Text(typeof value === "string" ? value : ""));
      return;
    default:
      if (value === undefined) map.delete(field.id);
      else map.set(field.id, value as number | string | string[]);
  }
}

/** Sets (or with `undefined` clears) a rating, preference, choice or ranking field of the draft. */
export function setLabelValue(
  doc: Y.Doc,
  fieldId: string,
  value: number | string | string[] | undefined,
): void {
  if (value === undefined) labelMap(doc).delete(fieldId);
  else labelMap(doc).set(fieldId, value);
}

/** The shared text of a `text` or `rewrite` field, to bind to an editor. */
export function labelText(doc: Y.Doc, fieldId: string): Y.Text | undefined {
  const entry = labelMap(doc).get(fieldId);
  return entry instanceof Y.Text ? entry : undefined;
}

/** The shared span list of a `spans` field. */
export function labelSpans(doc: Y.Doc, fieldId: string): Y.Array<SpanMap> | undefined {
  const entry = labelMap(doc).get(fieldId);
  return entry instanceof Y.Array ? entry : undefined;
}

/** The spans of a draft field as plain objects, with their ids. */
export function spansOf(doc: Y.Doc, fieldId: string): SpanAnnotation[] {
  return (labelSpans(doc, fieldId)?.toArray() ?? []).map(spanFromMap);
}

/** Adds a span to a `spans` field of the draft and returns its id. */
export function addSpan(doc: Y.Doc, fieldId: string, span: NewSpan): string {
  const map = spanToMap(span);
  doc.transact(() => {
    let spans = labelSpans(doc, fieldId);
    if (!spans) {
      spans = new Y.Array<SpanMap>();
      labelMap(doc).set(fieldId, spans);
    }
    spans.push([map]);
  });
  return map.get("id") as string;
}

function findSpan(doc: Y.Doc, fieldId: string, spanId: string) {
  const spans = labelSpans(doc, fieldId);
  const index = spans?.toArray().findIndex((span) => span.get("id") === spanId) ?? -1;
  return spans && index >= 0 ? { spans, index, span: spans.get(index) } : undefined;
}

/**
 * Changes a span in place (other participants' concurrent edits to other keys survive). New
 * offsets drop the quoted text, which publishing quotes again from them.
 */
export function updateSpan(
  doc: Y.Doc,
  fieldId: string,
  spanId: string,
  changes: SpanChanges,
): boolean {
  const found = findSpan(doc, fieldId, spanId);
  if (!found) return false;
  doc.transact(() => {
    if (changes.start !== undefined || changes.end !== undefined) found.span.delete("text");
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) found.span.delete(key);
      else found.span.set(key, value);
    }
  });
  return true;
}

export function removeSpan(doc: Y.Doc, fieldId: string, spanId: string): boolean {
  const found = findSpan(doc, fieldId, spanId);
  if (!found) return false;
  found.spans.delete(found.index, 1);
  return true;
}

/** Every member's current positions as plain JSON. */
export function votesToJson(doc: Y.Doc): Votes {
  return votesMap(doc).toJSON() as Votes;
}

/** Replaces the votes of the given members (the pre-fill: each annotator's independent label). */
export function writeVotes(doc: Y.Doc, votes: Votes): void {
  doc.transact(() => {
    for (const [member, label] of Object.entries(votes)) {
      const positions = new Y.Map<LabelValue>();
      for (const [fieldId, value] of Object.entries(label)) positions.set(fieldId, value);
      votesMap(doc).set(member, positions);
    }
  });
}

/**
 * Sets (or with `undefined` withdraws) one member's position on one field. Only that member
 * writes their own votes, so creating their map on the first vote does not race anyone.
 */
export function setVote(
  doc: Y.Doc,
  member: string,
  fieldId: string,
  value: LabelValue | undefined,
): void {
  doc.transact(() => {
    let positions = votesMap(doc).get(member);
    if (!positions) {
      if (value === undefined) return;
      positions = new Y.Map<LabelValue>();
      votesMap(doc).set(member, positions);
    }
    if (value === undefined) positions.delete(fieldId);
    else positions.set(fieldId, value);
  });
}

export function commentsToJson(doc: Y.Doc): RoomComment[] {
  return commentsArray(doc)
    .toArray()
    .map((comment) => {
      const json = comment.toJSON() as RoomComment;
      return { ...json, resolved: json.resolved === true };
    });
}

export function addComment(doc: Y.Doc, input: NewComment, now: Date = new Date()): RoomComment {
  const comment: RoomComment = {
    id: input.id ?? newRoomId(),
    author: input.author,
    text: input.text,
    createdAt: input.createdAt ?? now.toISOString(),
    resolved: false,
  };
  if (input.fieldId !== undefined) comment.fieldId = input.fieldId;
  if (input.spanId !== undefined) comment.spanId = input.spanId;
  const map = new Y.Map<string | boolean>();
  for (const [key, value] of Object.entries(comment)) map.set(key, value);
  commentsArray(doc).push([map]);
  return comment;
}

export function resolveComment(doc: Y.Doc, commentId: string, resolved = true): boolean {
  const comment = commentsArray(doc)
    .toArray()
    .find((map) => map.get("id") === commentId);
  if (!comment) return false;
  comment.set("resolved", resolved);
  return true;
}

export function readMeta(doc: Y.Doc): RoomMeta {
  const meta = metaMap(doc);
  const text = (key: string) => {
    const value = meta.get(key);
    return typeof value === "string" ? value : null;
  };
  const version = meta.get("version");
  const approvals = meta.get("approvals");
  const approvedLabels = meta.get("approvedLabels");
  return {
    status: meta.get("status") === "published" ? "published" : "open",
    version: typeof version === "number" ? version : null,
    publishedBy: text("publishedBy"),
    publishedAt: text("publishedAt"),
    approvals: Array.isArray(approvals)
      ? approvals.filter((id): id is string => typeof id === "string")
      : [],
    approvedLabels:
      approvedLabels !== null &&
      typeof approvedLabels === "object" &&
      !Array.isArray(approvedLabels)
        ? Object.fromEntries(
            Object.entries(approvedLabels).filter(
              (entry): entry is [string, string] => typeof entry[1] === "string",
            ),
          )
        : {},
  };
}

/**
 * What an approval is of: a digest of the label as publishing validates and compares it, short
 * enough to keep one per panel member in `meta` and to recompute in the browser on every change.
 */
export function labelDigest(label: Label): string {
  const bytes = digest(new TextEncoder().encode(canonicalJson(label)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The digest an approval of the draft would get now: of the label as the server validates it
 * before storing an approval (with the characters no text may hold removed). Null while the
 * draft is not valid, when no approval can hold.
 */
export function draftDigest(
  template: Template,
  responses: ReadonlyArray<ResponseRef>,
  label: Label,
): string | null {
  const parsed = labelSchemaFor(template, responses).safeParse(stripInvalidText(label));
  return parsed.success ? labelDigest(parsed.data) : null;
}

/**
 * The approvals that still hold for the draft whose digest is `draft`, in the order given: those
 * of this very label. The others were of an earlier state of the draft and no longer count.
 */
export function approvalsHolding(meta: RoomMeta, draft: string | null): string[] {
  if (draft === null) return [];
  return meta.approvals.filter((member) => meta.approvedLabels[member] === draft);
}

/** Server-side: sets the given meta keys; `null` removes one. */
export function writeMeta(doc: Y.Doc, changes: Partial<RoomMeta>): void {
  const meta = metaMap(doc);
  doc.transact(() => {
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) meta.delete(key);
      else meta.set(key, value);
    }
  });
}

/** Fields whose values are positions one can hold; free text is commentary, not a position. */
const comparableTypes = new Set(["rating", "preference", "ranking", "choice", "spans"]);

/**
 * A value reduced to what makes two positions the same: spans without their ids and quoted text
 * (which the offsets determine) and in a fixed order, multiple choices as a set.
 */
function positionKey(field: TemplateField, value: LabelValue): string {
  if (field.type === "spans" && Array.isArray(value)) {
    const spans = (value as SpanAnnotation[]).map((span) => ({
      ...span,
      id: undefined,
      text: undefined,
    }));
    return canonicalJson(spans.map((span) => canonicalJson(span)).sort());
  }
  if (field.type === "choice" && Array.isArray(value)) {
    return canonicalJson([...(value as string[])].sort());
  }
  return canonicalJson(value);
}

/** Whether two values of a field are the same position (span ids and order do not matter). */
export function samePosition(field: TemplateField, first: LabelValue, second: LabelValue): boolean {
  return positionKey(field, first) === positionKey(field, second);
}

/**
 * Per field, whether the members' current votes disagree, by the project's dispute policy (the
 * same check that sent the item to adjudication).
 */
export function voteDisagreements(
  template: Template,
  policy: DisputePolicy,
  votes: Votes,
): FieldAgreement[] {
  return checkAgreement(template, policy, Object.values(votes)).fields;
}

/** The ids of the fields on which the votes disagree. */
export function disputedFieldIds(
  template: Template,
  policy: DisputePolicy,
  votes: Votes,
): string[] {
  return voteDisagreements(template, policy, votes)
    .filter((field) => field.disputed)
    .map((field) => field.fieldId);
}

export interface PositionTally {
  value: LabelValue;
  /** Member ids holding this position, in the order of `votes`. */
  members: string[];
}

/**
 * Per comparable field, the distinct positions the members hold, most held first (ties in the
 * order first seen). Free-text fields are left out.
 */
export function voteTallies(template: Template, votes: Votes): Record<string, PositionTally[]> {
  const tallies: Record<string, PositionTally[]> = {};
  for (const field of template.fields) {
    if (!comparableTypes.has(field.type)) continue;
    const byKey = new Map<string, PositionTally>();
    for (const [member, label] of Object.entries(votes)) {
      const value = ownEntry(label, field.id);
      if (value === undefined) continue;
      const key = positionKey(field, value);
      const tally = byKey.get(key) ?? { value, members: [] };
      tally.members.push(member);
      byKey.set(key, tally);
    }
    tallies[field.id] = [...byKey.values()].sort((a, b) => b.members.length - a.members.length);
  }
  return tallies;
}

export interface MinorityPosition {
  member: string;
  value: LabelValue;
}

/**
 * Per comparable field, the members whose final vote differs from the published value, with
 * their values: the dissent a published label keeps on record. A member who holds no position
 * on a field dissents from nothing; fields without dissent are left out.
 */
export function minorityPositions(
  template: Template,
  label: Label,
  votes: Votes,
): Record<string, MinorityPosition[]> {
  const minority: Record<string, MinorityPosition[]> = {};
  for (const field of template.fields) {
    if (!comparableTypes.has(field.type)) continue;
    const published = ownEntry(label, field.id);
    const dissent: MinorityPosition[] = [];
    for (const [member, positions] of Object.entries(votes)) {
      const value = ownEntry(positions, field.id);
      if (value === undefined) continue;
      if (published === undefined || !samePosition(field, value, published)) {
        dissent.push({ member, value });
      }
    }
    if (dissent.length > 0) minority[field.id] = dissent;
  }
  return minority;
}
