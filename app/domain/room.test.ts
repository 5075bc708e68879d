import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  addComment,
  addSpan,
  approvalsHolding,
  commentsToJson,
  disputedFieldIds,
  draftDigest,
  labelDigest,
  labelMap,
  labelSpans,
  labelText,
  labelToJson,
  minorityPositions,
  readMeta,
  removeSpan,
  resolveComment,
  setLabelValue,
  setVote,
  spansOf,
  updateSpan,
  votesToJson,
  voteTallies,
  writeLabel,
  writeMeta,
  writeVotes,
} from "./room.ts";
import { labelSchemaFor, templateSchema } from "./template.ts";

const template = templateSchema.parse({
  fields: [
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5, required: true },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "tags", type: "choice", label: "Tags", options: ["a", "b", "c"], multiple: true },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
    { id: "critique", type: "text", label: "Critique" },
  ],
});

const span = { responseId: "r1", start: 0, end: 5, category: "dosage", severity: "major" };

/** Two replicas of one room, kept in sync the way the sync server relays updates. */
function connectedPair() {
  const first = new Y.Doc();
  const second = new Y.Doc();
  first.on("update", (update: Uint8Array) => Y.applyUpdate(second, update));
  second.on("update", (update: Uint8Array) => Y.applyUpdate(first, update));
  return { first, second };
}

describe("the draft label", () => {
  it("writes a plain label as the room's shared types and reads it back", () => {
    const doc = new Y.Doc();
    writeLabel(doc, template, {
      accuracy: 4,
      tags: ["a", "c"],
      errors: [{ ...span, id: "s1", note: "too high" }],
      critique: "Dose is wrong",
    });
    const map = labelMap(doc);
    expect(map.get("accuracy")).toBe(4);
    expect(map.has("verdict")).toBe(false);
    expect(labelText(doc, "critique")).toBeInstanceOf(Y.Text);
    expect(labelSpans(doc, "errors")?.get(0)).toBeInstanceOf(Y.Map);
    expect(labelToJson(doc)).toEqual({
      accuracy: 4,
      tags: ["a", "c"],
      errors: [{ ...span, id: "s1", note: "too high" }],
      critique: "Dose is wrong",
    });
  });

  it("creates empty shared types for span and text fields without a value, and gives spans ids", () => {
    const doc = new Y.Doc();
    writeLabel(doc, template, { errors: [span] });
    const [written] = spansOf(doc, "errors");
    expect(written.id).toMatch(/^[0-9a-f]{24}$/);
    expect(labelToJson(doc)).toEqual({ errors: [written], critique: "" });
    writeLabel(doc, template, {});
    expect(labelToJson(doc)).toEqual({ errors: [], critique: "" });
  });

  it("yields a label the template's schema accepts", () => {
    const doc = new Y.Doc();
    writeLabel(doc, template, { accuracy: 2, errors: [span] });
    const responses = [{ id: "r1", text: "Take 50 mg" }];
    expect(labelSchemaFor(template, responses).safeParse(labelToJson(doc)).success).toBe(true);
    setLabelValue(doc, "accuracy", undefined);
    expect(labelSchemaFor(template, responses).safeParse(labelToJson(doc)).success).toBe(false);
  });

  it("merges concurrent edits to different spans and to the shared text", () => {
    const { first, second } = connectedPair();
    writeLabel(first, template, { errors: [{ ...span, id: "s1" }], critique: "" });
    const added = addSpan(second, "errors", { ...span, start: 6, end: 9, category: "interaction" });
    updateSpan(first, "errors", "s1", { severity: "critical", note: "lethal" });
    labelText(first, "critique")!.insert(0, "Wrong dose. ");
    labelText(second, "critique")!.insert(0, "Missing interaction. ");
    expect(labelToJson(first)).toEqual(labelToJson(second));
    expect(spansOf(first, "errors")).toEqual([
      { ...span, id: "s1", severity: "critical", note: "lethal" },
      { ...span, id: added, start: 6, end: 9, category: "interaction" },
    ]);
    expect(labelToJson(first).critique).toHaveLength(
      "Wrong dose. ".length + "Missing interaction. ".length,
    );
    updateSpan(second, "errors", "s1", { note: null });
    expect(spansOf(first, "errors")[0]).not.toHaveProperty("note");
    expect(removeSpan(first, "errors", added)).toBe(true);
    expect(removeSpan(first, "errors", "missing")).toBe(false);
    expect(spansOf(second, "errors").map((s) => s.id)).toEqual(["s1"]);
  });
});

describe("votes", () => {
  it("keeps each member's positions and lets a member change or withdraw one", () => {
    const { first, second } = connectedPair();
    writeVotes(first, { "7": { accuracy: 2, verdict: "unsafe" }, "8": { accuracy: 4 } });
    setVote(second, "8", "accuracy", 3);
    setVote(second, "9", "verdict", "safe");
    setVote(first, "7", "verdict", undefined);
    expect(votesToJson(first)).toEqual({
      "7": { accuracy: 2 },
      "8": { accuracy: 3 },
      "9": { verdict: "safe" },
    });
    expect(votesToJson(second)).toEqual(votesToJson(first));
  });

  it("names the fields the votes disagree on by the dispute policy", () => {
    const votes = { "1": { accuracy: 2, verdict: "safe" }, "2": { accuracy: 4, verdict: "safe" } };
    expect(disputedFieldIds(template, {}, votes)).toEqual(["accuracy"]);
    expect(disputedFieldIds(template, { accuracy: { spreadAtLeast: 3 } }, votes)).toEqual([]);
  });

  it("tallies positions per field, spans compared without ids and choices as sets", () => {
    const votes = {
      "1": { accuracy: 2, tags: ["a", "b"], errors: [{ ...span, id: "x" }], critique: "one" },
      "2": { accuracy: 4, tags: ["b", "a"], errors: [span], critique: "two" },
      "3": { accuracy: 4, tags: ["c"] },
    };
    const tallies = voteTallies(template, votes);
    expect(tallies.accuracy).toEqual([
      { value: 4, members: ["2", "3"] },
      { value: 2, members: ["1"] },
    ]);
    expect(tallies.tags.map((tally) => tally.members)).toEqual([["1", "2"], ["3"]]);
    expect(tallies.errors.map((tally) => tally.members)).toEqual([["1", "2"]]);
    expect(tallies.verdict).toEqual([]);
    expect(tallies).not.toHaveProperty("critique");
  });

  it("records the minority: members whose vote differs from the published value", () => {
    const votes = {
      "1": { accuracy: 2, verdict: "unsafe", errors: [span] },
      "2": { accuracy: 4, verdict: "safe", errors: [{ ...span, id: "kept" }] },
      "3": { accuracy: 4, critique: "no opinion on the verdict" },
    };
    const published = { accuracy: 4, verdict: "safe", errors: [{ ...span, id: "other" }] };
    expect(minorityPositions(template, published, votes)).toEqual({
      accuracy: [{ member: "1", value: 2 }],
      verdict: [{ member: "1", value: "unsafe" }],
    });
    expect(minorityPositions(template, {}, { "1": { accuracy: 3 } })).toEqual({
      accuracy: [{ member: "1", value: 3 }],
    });
  });
});

describe("comments and meta", () => {
  it("adds anchored comments and resolves them", () => {
    const { first, second } = connectedPair();
    const now = new Date("2026-01-02T03:04:05.000Z");
    const comment = addComment(
      first,
      { author: "7", text: "Check the dose", fieldId: "errors", spanId: "s1" },
      now,
    );
    addComment(second, { author: "8", text: "General remark", id: "given", createdAt: "x" });
    expect(resolveComment(second, comment.id)).toBe(true);
    expect(resolveComment(second, "missing")).toBe(false);
    expect(commentsToJson(first)).toEqual([
      { ...comment, createdAt: now.toISOString(), resolved: true },
      { id: "given", author: "8", text: "General remark", createdAt: "x", resolved: false },
    ]);
  });

  it("reads defaults from an empty room and what the server wrote", () => {
    const doc = new Y.Doc();
    expect(readMeta(doc)).toEqual({
      status: "open",
      version: null,
      publishedBy: null,
      publishedAt: null,
      approvals: [],
      approvedLabels: {},
    });
    writeMeta(doc, {
      status: "published",
      version: 2,
      publishedBy: "5",
      publishedAt: "t",
      approvals: ["5"],
      approvedLabels: { "5": "d1" },
    });
    expect(readMeta(doc)).toEqual({
      status: "published",
      version: 2,
      publishedBy: "5",
      publishedAt: "t",
      approvals: ["5"],
      approvedLabels: { "5": "d1" },
    });
    writeMeta(doc, { status: "open", publishedBy: null, publishedAt: null, approvals: [] });
    expect(readMeta(doc)).toMatchObject({ status: "open", version: 2, publishedBy: null });
  });

  it("counts only the approvals of the label the draft has now", () => {
    const responses = [{ id: "r1", text: "Take 50 mg." }];
    const approved = { accuracy: 4, errors: [{ ...span, id: "s1" }], critique: "" };
    const digest = draftDigest(template, responses, approved);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    // What the server stores for an approval is the label as parsed (spans quoted), in whatever
    // key order.
    const quoted = { ...span, id: "s1", text: "Take " };
    expect(labelDigest({ critique: "", errors: [quoted], accuracy: 4 })).toBe(digest);
    const meta = {
      ...readMeta(new Y.Doc()),
      approvals: ["7", "8", "9"],
      approvedLabels: {
        "7": digest!,
        "8": labelDigest({ ...approved, errors: [quoted], accuracy: 3 }),
      },
    };
    expect(approvalsHolding(meta, digest)).toEqual(["7"]);
    expect(
      approvalsHolding(meta, draftDigest(template, responses, { ...approved, accuracy: 3 })),
    ).toEqual(["8"]);
    // No approval holds for a draft that may not be published.
    expect(draftDigest(template, responses, { critique: "" })).toBeNull();
    expect(approvalsHolding(meta, null)).toEqual([]);
  });
});
