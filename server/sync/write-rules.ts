import * as Y from "yjs";

/**
 * What one participant may change in a room (DESIGN.md "The room document"), decided at the
 * upgrade (permissions.ts) and checked on every update before anything of it is staged:
 *
 * - `label`, the draft: editors of an item room (leads and the panel); in a review room nobody,
 *   since it is the server's copy of the reviewed label.
 * - `votes`: a panel member writes the entry under their own participant key, a Y.Map of plain
 *   JSON positions, and nothing else of `votes`.
 * - `comments`: whoever may comment adds comments whose `author` is their own key, made of the
 *   known fields (`id`, `author`, `text`, `createdAt`, `fieldId`, `spanId` as strings,
 *   `resolved` as a boolean), a text of at most `MAX_COMMENT_LENGTH` characters and an id not
 *   starting with the server's `SERVER_COMMENT_ID_PREFIX`; on an existing comment they may set
 *   `resolved` (anyone who may comment: resolving is housekeeping of the discussion) and, on
 *   their own comment only, `text`. Comments are never deleted and nothing else of one changes.
 * - `meta`: only the server.
 * - Nothing else: a room has no other shared types.
 *
 * An update that touches anything else is refused as a whole (room.ts closes the connection
 * with 4403), so that its forged part never reaches storage, other participants or a published
 * version.
 */
export interface RoomWrites {
  /** The participant's key in the project: its vote is `votes[key]`, its comments' author. */
  participantKey: string | null;
  label: boolean;
  vote: boolean;
  comment: boolean;
}

/** An observer's writes: none (its updates are dropped before they are looked at). */
export const noWrites: RoomWrites = {
  participantKey: null,
  label: false,
  vote: false,
  comment: false,
};

/** Why an update was refused, and whether for touching `meta` (the server's part). */
export interface ForbiddenWrite {
  reason: string;
  part: string;
}

const commentFields = new Set(["id", "author", "text", "createdAt", "fieldId", "spanId"]);

/** A comment's text holds at most this many characters, as the pages and the API allow. */
export const MAX_COMMENT_LENGTH = 10_000;

/**
 * The ids the server gives the comments it writes (a lead's review comments, server/services
 * room.ts): a participant who could take one first would hide the server's comment.
 */
export const SERVER_COMMENT_ID_PREFIX = "review-";

const tooLong = `A comment's text is at most ${MAX_COMMENT_LENGTH.toLocaleString("en-US")} characters`;

/**
 * Checks what the transaction that has just applied a participant's update changed: every
 * struct it added (clocks from the transaction's `beforeState` on) and every one it deleted,
 * each placed by its parent chain up to the shared type at the root. Returns the first change
 * the participant may not make, or null when all are allowed. Runs inside the transaction, so
 * the document still holds what was deleted and nothing is merged yet.
 */
export function forbiddenWrite(
  doc: Y.Doc,
  transaction: Y.Transaction,
  writes: RoomWrites,
): ForbiddenWrite | null {
  const rootNames = new Map<object, string>();
  for (const [name, type] of doc.share) rootNames.set(type, name);
  const isNew = (item: Y.Item) =>
    item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0);
  const newComments: Y.Item[] = [];
  let refusal: ForbiddenWrite | null = null;

  const judge = (item: Y.Item, inserted: boolean): ForbiddenWrite | null => {
    const chain: Y.Item[] = [item];
    let parent = item.parent;
    while (parent instanceof Y.AbstractType && parent._item !== null) {
      // Nothing a participant writes lies deeper than a span's key in the label; a deeper
      // chain is refused before it is walked whole (a chain of nested maps in one small update
      // would otherwise cost its depth squared here, and overflow the stack of every later
      // recursive walk of the document: deleting it, publishing it).
      if (chain.length === deepestStruct) return tooDeep;
      chain.unshift(parent._item);
      parent = parent._item.parent;
    }
    const root = parent instanceof Y.AbstractType ? rootNames.get(parent) : undefined;
    switch (root) {
      case "meta":
        return { part: "meta", reason: "Only the server writes meta" };
      case "label":
        if (!writes.label) return { part: "label", reason: "You may not edit this label" };
        return inserted ? judgeLabelShape(chain) : null;
      case "votes":
        return judgeVote(chain, inserted, writes);
      case "comments": {
        if (!writes.comment || writes.participantKey === null) {
          return { part: "comments", reason: "You may not comment here" };
        }
        const [comment] = chain;
        if (isNew(comment)) {
          if (chain.length === 1 && inserted) newComments.push(comment);
          return chain.length <= 2 ? null : forbiddenComment("A comment holds plain values");
        }
        if (chain.length === 1) return forbiddenComment("Comments are not deleted");
        return chain.length === 2
          ? judgeCommentEdit(comment, item, inserted, writes.participantKey)
          : forbiddenComment("A comment holds plain values");
      }
      default:
        return { part: "other", reason: "A room holds only label, votes, comments and meta" };
    }
  };

  for (const [client, structs] of doc.store.clients) {
    const before = transaction.beforeState.get(client) ?? 0;
    if (Y.getState(doc.store, client) <= before) continue;
    for (let index = Y.findIndexSS(structs, before); index < structs.length; index++) {
      const struct = structs[index];
      // GC structs stand for content that is gone: they carry nothing to write.
      if (struct instanceof Y.Item) refusal ??= judge(struct, true);
    }
  }
  Y.iterateDeletedStructs(transaction, transaction.deleteSet, (struct) => {
    if (struct instanceof Y.Item) refusal ??= judge(struct, false);
  });
  if (refusal !== null) return refusal;
  for (const comment of newComments) {
    const problem = newCommentProblem(comment, writes.participantKey!);
    if (problem !== null) return forbiddenComment(problem);
  }
  return null;
}

/** How many levels of shared structure a room has under a root: label → spans → span → key. */
const deepestStruct = 3;
/** How deeply plain values nest: a spans field's vote is a list of span objects. */
const deepestPlainValue = 4;

const tooDeep: ForbiddenWrite = {
  part: "depth",
  reason: `A room's content nests at most ${deepestStruct} levels deep`,
};

/**
 * The draft's shape (app/domain/room.ts): under `label`, a field is a plain value, a Y.Text
 * holding text, or a Y.Array of Y.Map spans whose keys hold plain values.
 */
function judgeLabelShape(chain: Y.Item[]): ForbiddenWrite | null {
  const item = chain[chain.length - 1];
  if (item.content instanceof Y.ContentDeleted) return null;
  const wrong = (reason: string): ForbiddenWrite => ({ part: "label", reason });
  const typeOf = (entry: Y.Item) =>
    entry.content instanceof Y.ContentType ? entry.content.type : null;
  switch (chain.length) {
    case 1: {
      const type = typeOf(item);
      if (type instanceof Y.Text || type instanceof Y.Array) return null;
      return item.content instanceof Y.ContentAny && plainValues(item.content.arr)
        ? null
        : wrong("A label field is a plain value, a text or a list of spans");
    }
    case 2: {
      const holder = typeOf(chain[0]);
      if (holder instanceof Y.Text) {
        return item.content instanceof Y.ContentString ? null : wrong("A text holds characters");
      }
      return holder instanceof Y.Array && typeOf(item) instanceof Y.Map
        ? null
        : wrong("A list of spans holds spans");
    }
    default:
      return typeOf(chain[0]) instanceof Y.Array &&
        item.parentSub !== null &&
        item.content instanceof Y.ContentAny &&
        plainValues(item.content.arr)
        ? null
        : wrong("A span holds plain values");
  }
}

/** Whether values are JSON that nests no deeper than a label's values do. */
function plainValues(values: readonly unknown[]): boolean {
  const within = (value: unknown, depth: number): boolean => {
    if (typeof value !== "object" || value === null) return true;
    if (depth === deepestPlainValue || value instanceof Uint8Array) return false;
    const inside = Array.isArray(value) ? value : Object.values(value);
    return inside.every((entry) => within(entry, depth + 1));
  };
  return values.every((value) => within(value, 0));
}

function forbiddenComment(reason: string): ForbiddenWrite {
  return { part: "comments", reason };
}

/** Own entry only: a Y.Map of plain values directly under the participant's key. */
function judgeVote(chain: Y.Item[], inserted: boolean, writes: RoomWrites): ForbiddenWrite | null {
  const [entry, ...inside] = chain;
  if (!writes.vote || writes.participantKey === null) {
    return { part: "votes", reason: "You may not vote in this room" };
  }
  if (entry.parentSub !== writes.participantKey) {
    return { part: "votes", reason: "Only your own vote may be changed" };
  }
  if (!inserted) return null;
  const item = chain[chain.length - 1];
  const shapeHolds =
    inside.length === 0
      ? item.content instanceof Y.ContentType && item.content.type instanceof Y.Map
      : inside.length === 1 &&
        item.parentSub !== null &&
        item.content instanceof Y.ContentAny &&
        plainValues(item.content.arr);
  return shapeHolds
    ? null
    : { part: "votes", reason: "A vote is a map of field ids to plain values" };
}

/** On a comment made before: `resolved` by anyone who comments, `text` by its author. */
function judgeCommentEdit(
  comment: Y.Item,
  item: Y.Item,
  inserted: boolean,
  participantKey: string,
): ForbiddenWrite | null {
  const map = comment.content instanceof Y.ContentType ? comment.content.type : null;
  if (!(map instanceof Y.Map)) return forbiddenComment("Comments are maps");
  const value = inserted && item.content instanceof Y.ContentAny ? item.content.arr : null;
  if (item.parentSub === "resolved") {
    return !inserted || (value?.length === 1 && typeof value[0] === "boolean")
      ? null
      : forbiddenComment("A comment's resolved is true or false");
  }
  if (item.parentSub === "text") {
    if (map.get("author") !== participantKey) {
      return forbiddenComment("Only a comment's author edits its text");
    }
    if (!inserted) return null;
    if (value?.length !== 1 || typeof value[0] !== "string") {
      return forbiddenComment("A comment's text is a string");
    }
    return value[0].length > MAX_COMMENT_LENGTH ? forbiddenComment(tooLong) : null;
  }
  return forbiddenComment("Only a comment's text and resolved change");
}

/** What is wrong with a comment the update adds, as it stands once the update is applied. */
function newCommentProblem(comment: Y.Item, participantKey: string): string | null {
  if (comment.deleted) return null;
  const map = comment.content instanceof Y.ContentType ? comment.content.type : null;
  if (!(map instanceof Y.Map)) return "Comments are maps";
  if (map.get("author") !== participantKey) return "A comment's author must be you";
  for (const [key, value] of map.entries()) {
    if (key === "resolved") {
      if (typeof value !== "boolean") return "A comment's resolved is true or false";
    } else if (!commentFields.has(key)) {
      return `A comment has no field '${key}'`;
    } else if (typeof value !== "string") {
      return `A comment's ${key} is a string`;
    }
  }
  const id = map.get("id");
  if (typeof id === "string" && id.startsWith(SERVER_COMMENT_ID_PREFIX)) {
    return `Comment ids starting with '${SERVER_COMMENT_ID_PREFIX}' are the server's`;
  }
  const text = map.get("text");
  if (typeof text !== "string") return "A comment has a text";
  return text.length > MAX_COMMENT_LENGTH ? tooLong : null;
}
