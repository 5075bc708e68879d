import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ExportItem } from "../../../app/domain/export.ts";
import { itemInputSchema } from "../../../app/domain/item.ts";
import { labelStudioResults, labelStudioTask } from "../../../app/domain/label-studio-export.ts";
import {
  labelSchemaFor,
  templateSchema,
  type Label,
  type Template,
  type TemplateInput,
} from "../../../app/domain/template.ts";
import { MAX_CLAIMED_DURATION_MS } from "../../../app/domain/work-time.ts";
import {
  labelArbitrary,
  responses,
  templateArbitrary,
} from "../../../tests/fixtures/label-arbitraries.ts";
import { parseUserMap, readImport } from "./formats.ts";
import { labelStudioSpanOffsets, labelStudioTaskToItem } from "./label-studio.ts";
import type { AnnotatorMapping, RowError } from "./rows.ts";

const fixtures = path.resolve(import.meta.dirname, "../../../tests/fixtures/label-studio");
const fixture = (name: string) => readFileSync(path.join(fixtures, name), "utf8");

const template = (input: TemplateInput): Template => templateSchema.parse(input);

const nerTemplate = template({
  fields: [{ id: "ner", type: "spans", label: "Entities", categories: ["Date", "Person"] }],
});
const pairTemplate = template({
  fields: [
    { id: "pw", type: "preference", label: "Better", scale: 2 },
    { id: "verdict", type: "choice", label: "Safe?", options: ["safe", "unsafe"] },
  ],
});

interface ImportedItem {
  externalId: string;
  prompt: unknown;
  responses: Array<{ id: string; text: string }>;
  gold?: { label: Label };
  annotations?: Array<{ annotator: string; label: Label }>;
}

function read(text: string, on: Template, options: AnnotatorMapping = {}) {
  const parsed = readImport(text, "label-studio", on, options);
  return { items: parsed.rows.map((row) => row.value as ImportedItem), errors: parsed.errors };
}

function task(annotation: Record<string, unknown>, id = 7) {
  return {
    id,
    data: { prompt: "Which is right?", answer1: "One.", answer2: "Two." },
    annotations: [
      {
        result: [
          {
            from_name: "pw",
            to_name: "answer1,answer2",
            type: "pairwise",
            value: { selected: "left" },
          },
        ],
        ...annotation,
      },
    ],
  };
}

describe("Label Studio annotators", () => {
  it("finds the email inside a created_username that carries a name", () => {
    const { items, errors } = read(
      JSON.stringify([task({ completed_by: 3, created_username: "Expert One exp1@x.test, 3" })]),
      pairTemplate,
    );
    expect(errors).toEqual([]);
    expect(items[0]!.annotations).toEqual([{ annotator: "exp1@x.test", label: { pw: -1 } }]);
  });

  it("maps integer and expanded completed_by through the user map, by id before email", () => {
    const userMap = parseUserMap('{"3": "Ada@Lab.test", "old@ls.test": "bo@lab.test"}', "map");
    const { items, errors } = read(
      JSON.stringify([
        task({ completed_by: 3 }, 1),
        task({ completed_by: { id: 3, email: "someone@ls.test" } }, 2),
        task({ completed_by: { id: 9, email: "old@ls.test" } }, 3),
        task({ completed_by: { id: 9, email: "kept@ls.test" } }, 4),
      ]),
      pairTemplate,
      { userMap },
    );
    expect(errors).toEqual([]);
    expect(items.map((item) => item.annotations![0]!.annotator)).toEqual([
      "ada@lab.test",
      "ada@lab.test",
      "bo@lab.test",
      "kept@ls.test",
    ]);
  });

  it("names the task and the unmapped user, or credits the importer when asked", () => {
    const text = JSON.stringify([task({ completed_by: 3 }, 41), task({}, 42)]);
    const refused = read(text, pairTemplate);
    expect(refused.items).toHaveLength(2);
    expect(refused.errors).toEqual([
      {
        row: 1,
        field: "annotations.0.completed_by",
        message: expect.stringMatching(/^task 41, annotation 0: .*user 3 is not in the user map/),
      },
      {
        row: 2,
        field: "annotations.0.completed_by",
        message: expect.stringMatching(/^task 42, annotation 0: names no annotator email/),
      },
    ]);
    const credited = read(text, pairTemplate, { unmappedAnnotator: "lead@lab.test" });
    expect(credited.errors).toEqual([]);
    expect(credited.items.map((item) => item.annotations![0]!.annotator)).toEqual([
      "lead@lab.test",
      "lead@lab.test",
    ]);
  });

  it("refuses a user map that does not map to emails", () => {
    expect(() => parseUserMap('{"3": "ada"}', "users.json")).toThrow(/users\.json must map/);
    expect(() => parseUserMap("{3: ada}", "userMap")).toThrow(/userMap is not JSON/);
  });
});

describe("Label Studio results", () => {
  it("reads a real pairwise task: two texts without a prompt, the right one selected", () => {
    const { items, errors } = read(fixture("ls-example-pairwise.json"), pairTemplate, {
      unmappedAnnotator: "lead@lab.test",
    });
    expect(errors).toEqual([]);
    expect(items[0]).toMatchObject({
      externalId: "label-studio-1",
      prompt: "",
      responses: [{ id: "text1" }, { id: "text2" }],
      annotations: [{ annotator: "lead@lab.test", label: { pw: 1 } }],
    });
  });

  it("reads custom pairwise choice values that name the compared texts", () => {
    const custom = (selected: string) =>
      task({
        completed_by: { email: "a@lab.test" },
        result: [
          { from_name: "pw", to_name: "answer1,answer2", type: "pairwise", value: { selected } },
        ],
      });
    const { items, errors } = read(
      JSON.stringify([
        custom("answer2"),
        { ...custom("answer1"), id: 8 },
        { ...custom("up"), id: 9 },
      ]),
      pairTemplate,
    );
    expect(items.slice(0, 2).map((item) => item.annotations?.[0]?.label)).toEqual([
      { pw: 1 },
      { pw: -1 },
    ]);
    expect(errors).toEqual([
      {
        row: 3,
        field: "annotations.0.result.0",
        message: expect.stringMatching(/^task 9, result 0 from "pw": .*"left" or "right"/),
      },
    ]);
  });

  it("reads a real NER span onto the spans field, as the text it quotes", () => {
    const { items, errors } = read(fixture("ls-example-named-entity.json"), nerTemplate, {
      unmappedAnnotator: "lead@lab.test",
    });
    expect(errors).toEqual([]);
    const [item] = items;
    expect(item!.responses.map((response) => response.id)).toEqual(["text"]);
    const [span] = item!.annotations![0]!.label.ner as Array<{ start: number; end: number }>;
    expect(span).toEqual({
      responseId: "text",
      start: 343,
      end: 354,
      category: "Date",
      severity: "minor",
    });
    expect(item!.responses[0]!.text.slice(span!.start, span!.end)).toBe("February 22");
  });

  it("takes data.text as the prompt of a task with responses", () => {
    const { items } = read(
      JSON.stringify([{ id: 3, data: { text: "Which?", answer_a: "A", answer_b: "B" } }]),
      pairTemplate,
    );
    expect(items[0]).toMatchObject({
      prompt: "Which?",
      responses: [{ id: "answer_a" }, { id: "answer_b" }],
    });
  });

  it("names every unsupported result of a real mixed file, by task and result", () => {
    const mixed = template({
      fields: [
        { id: "num", type: "rating", label: "Number", min: 0, max: 5 },
        { id: "txt", type: "text", label: "Text" },
        { id: "choices", type: "choice", label: "Choice", options: ["Choice 1", "Choice 2"] },
      ],
    });
    const { errors } = read(fixture("ls-example-classification-mixed.json"), mixed, {
      unmappedAnnotator: "lead@lab.test",
    });
    expect(errors.filter((error) => error.field.includes("result"))).toEqual([
      {
        row: 1,
        field: "annotations.0.result.1",
        message: expect.stringMatching(
          /^task 1, result 1 from "dt": .*"datetime" cannot be imported/,
        ),
      },
      {
        row: 1,
        field: "annotations.0.result.4",
        message: expect.stringMatching(
          /^task 1, result 4 from "taxonomy": .*"taxonomy" cannot be imported/,
        ),
      },
    ]);
  });

  it("refuses a span whose quote is not at its offsets, in either unit", () => {
    const text = "😀 wrong dose";
    const errors: RowError[] = [];
    const span = (start: number, end: number, quote: string) =>
      labelStudioTaskToItem(
        {
          id: 5,
          data: { prompt: "p", answer1: text },
          annotations: [
            {
              completed_by: { email: "a@lab.test" },
              result: [
                {
                  from_name: "ner",
                  to_name: "answer1",
                  type: "labels",
                  value: { start, end, text: quote, labels: ["Date"] },
                },
              ],
            },
          ],
        },
        1,
        nerTemplate,
        errors,
      ) as unknown as ImportedItem;
    // "wrong" is at 3–8 in UTF-16 and at 2–7 in code points (as Python counts).
    expect(span(3, 8, "wrong").annotations![0]!.label.ner).toMatchObject([{ start: 3, end: 8 }]);
    expect(span(2, 7, "wrong").annotations![0]!.label.ner).toMatchObject([{ start: 3, end: 8 }]);
    expect(errors).toEqual([]);
    span(4, 9, "wrong");
    expect(errors).toEqual([
      {
        row: 1,
        field: "annotations.0.result.0",
        message: expect.stringMatching(
          /^task 5, result 0 from "ner": a span in response "answer1": its text "wrong" is not what start 4 and end 9 mark/,
        ),
      },
    ]);
  });
});

describe("Label Studio JSON-MIN", () => {
  it("reads the converter's JSON-MIN of a text classification, recognised without a format", () => {
    const sentiment = template({
      fields: [
        { id: "sentiment", type: "choice", label: "Sentiment", options: ["Positive", "Negative"] },
      ],
    });
    const parsed = readImport(fixture("json-min-text-choices.json"), "json", sentiment);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((row) => row.value)).toEqual([
      {
        externalId: "label-studio-6141",
        prompt: "",
        responses: [
          {
            id: "text",
            text: "Calif. wildfires signal the arrival of a planetary fire age https://t.co/Vvo9noqQfA",
          },
        ],
        metadata: { labelStudioTaskId: 6141 },
        annotations: [
          {
            annotator: "sergei@heartex.e2e",
            label: { sentiment: "Positive" },
            submittedAt: "2024-05-15T12:09:16.789536Z",
            durationMs: 1849,
          },
        ],
      },
    ]);
  });

  it("reads the converter's JSON-MIN of spans and of a pairwise choice", () => {
    const importer = { unmappedAnnotator: "lead@lab.test" };
    const spans = read(fixture("json-min-named-entity.json"), nerTemplate, importer);
    expect(spans.errors).toEqual([]);
    expect(spans.items[0]!.annotations![0]!.label).toEqual({
      ner: [{ responseId: "text", start: 343, end: 354, category: "Date", severity: "minor" }],
    });
    const pairwise = read(fixture("json-min-pairwise.json"), pairTemplate, importer);
    expect(pairwise.errors).toEqual([]);
    expect(pairwise.items[0]!.annotations![0]!.label).toEqual({ pw: 1 });
  });

  it("groups the records of one task and names results without a field", () => {
    const records = [
      {
        id: 1,
        prompt: "p",
        answer1: "A",
        answer2: "B",
        pw: [{ selected: "left" }],
        annotator: "a@lab.test",
        annotation_id: 1,
      },
      {
        id: 1,
        prompt: "p",
        answer1: "A",
        answer2: "B",
        pw: [{ selected: "right" }],
        annotator: "b@lab.test",
        annotation_id: 2,
      },
      {
        id: 2,
        prompt: "q",
        answer1: "A",
        answer2: "B",
        mood: [{ choices: ["x"] }],
        annotator: "a@lab.test",
        annotation_id: 3,
      },
    ];
    const { items, errors } = read(JSON.stringify(records), pairTemplate);
    expect(
      items[0]!.annotations!.map((annotation) => [annotation.annotator, annotation.label]),
    ).toEqual([
      ["a@lab.test", { pw: -1 }],
      ["b@lab.test", { pw: 1 }],
    ]);
    expect(errors).toEqual([
      {
        row: 3,
        field: "mood",
        message: 'task 2: results from "mood" need a field in the template named "mood"',
      },
    ]);
  });
});

/** `labels` as a validated label holds them: spans quoted, an empty optional list absent. */
function normalised(on: Template, label: Label): Label {
  const parsed = labelSchemaFor(on, responses).parse(label);
  for (const field of on.fields) {
    const value = parsed[field.id];
    if (field.type === "spans" && !field.required && Array.isArray(value) && value.length === 0) {
      delete parsed[field.id];
    }
  }
  return parsed;
}

describe("Label Studio export and import", () => {
  it("reads every exported label back to the same label", () => {
    fc.assert(
      fc.property(
        templateArbitrary.chain((on) =>
          fc.tuple(fc.constant(on), labelArbitrary(on), labelArbitrary(on)),
        ),
        ([on, annotated, final]) => {
          const item: ExportItem = {
            externalId: "q-1",
            prompt: "Which?",
            responses,
            metadata: {},
            source: "published",
            label: labelSchemaFor(on, responses).parse(final),
            annotations: [
              { annotator: "ada@lab.test", label: labelSchemaFor(on, responses).parse(annotated) },
            ],
          };
          const exported = JSON.parse(JSON.stringify(labelStudioTask(on, item))) as unknown;
          const errors: RowError[] = [];
          const imported = labelStudioTaskToItem(
            exported,
            1,
            on,
            errors,
          ) as unknown as ImportedItem;
          expect(errors).toEqual([]);
          expect(imported.externalId).toBe("q-1");
          expect(imported.responses).toEqual(responses);
          expect(normalised(on, imported.annotations![0]!.label)).toEqual(
            normalised(on, annotated),
          );
          expect(normalised(on, imported.gold!.label)).toEqual(normalised(on, final));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("carries span offsets over in UTF-16 and translates code points, with astral characters", () => {
    const character = fc.oneof(
      fc.constantFrom("a", " ", "é", "中"),
      fc.constantFrom("😀", "𝒳", "𠀋", "👍🏽"),
    );
    const spanCase = fc.array(character, { minLength: 1, maxLength: 12 }).chain((characters) =>
      fc
        .tuple(
          fc.integer({ min: 0, max: characters.length - 1 }),
          fc.integer({ min: 1, max: characters.length }),
        )
        .filter(([from, to]) => from < to)
        .map(([from, to]) => ({ characters, from, to })),
    );
    fc.assert(
      fc.property(spanCase, ({ characters, from, to }) => {
        const text = characters.join("");
        // Each character here may be several code points and code units: boundaries in each unit.
        const units = (count: number) => characters.slice(0, count).join("").length;
        const points = (count: number) => [...characters.slice(0, count).join("")].length;
        const quote = characters.slice(from, to).join("");
        const start = units(from);
        const end = units(to);
        expect(labelStudioSpanOffsets(text, start, end, quote)).toEqual({ start, end });
        const translated = labelStudioSpanOffsets(text, points(from), points(to), quote);
        expect("error" in translated).toBe(false);
        const { start: s, end: e } = translated as { start: number; end: number };
        expect(text.slice(s, e)).toBe(quote);
        if (text.slice(points(from), points(to)) !== quote) expect([s, e]).toEqual([start, end]);
        // And back: what the export writes is what the import reads.
        const on = template({
          fields: [{ id: "ner", type: "spans", label: "E", categories: ["Date"] }],
        });
        const span = {
          responseId: "r",
          start,
          end,
          text: quote,
          category: "Date",
          severity: "major",
        };
        const [result] = labelStudioResults(on, { ner: [span] }, ["r"]);
        expect(result!.value).toEqual({ start, end, text: quote, labels: ["Date", "major"] });
      }),
      { numRuns: 500 },
    );
  });
});

describe("the exported shape", () => {
  /** Every key Label Studio writes at each level, from the documented task and a real export. */
  function keysOf(tasks: unknown[]) {
    const keys = {
      task: new Set<string>(),
      annotation: new Set<string>(),
      result: new Set<string>(),
    };
    for (const value of tasks as Array<Record<string, unknown>>) {
      Object.keys(value).forEach((key) => keys.task.add(key));
      for (const annotation of value.annotations as Array<Record<string, unknown>>) {
        Object.keys(annotation).forEach((key) => keys.annotation.add(key));
        for (const result of annotation.result as Array<Record<string, unknown>>) {
          Object.keys(result).forEach((key) => keys.result.add(key));
        }
      }
    }
    return keys;
  }

  it("uses only keys that Label Studio's documented and real exports use", () => {
    const documented = keysOf([
      JSON.parse(fixture("ls-docs-task-format.json")),
      ...(JSON.parse(fixture("converter-text-choices-2024.json")) as unknown[]),
      ...(JSON.parse(fixture("sdk-integer-completed-by-2024.json")) as unknown[]),
    ]);
    const on = template({
      fields: [
        { id: "pw", type: "preference", label: "Better", scale: 2 },
        { id: "rank", type: "ranking", label: "Rank" },
        { id: "stars", type: "rating", label: "Stars", min: 1, max: 5 },
        { id: "verdict", type: "choice", label: "Safe?", options: ["safe", "unsafe"] },
        { id: "why", type: "text", label: "Why" },
        { id: "errors", type: "spans", label: "Errors", categories: ["factual error"] },
      ],
    });
    const label = labelSchemaFor(on, responses).parse({
      pw: 2,
      rank: ["r2", "r1"],
      stars: 4,
      verdict: "safe",
      why: "cites the guideline",
      errors: [
        {
          responseId: "r1",
          start: 4,
          end: 9,
          category: "factual error",
          severity: "major",
          note: "n",
        },
      ],
    });
    const exported = labelStudioTask(on, {
      externalId: "q-1",
      prompt: "Which?",
      responses,
      metadata: {},
      source: "published",
      label,
      version: 2,
      publishedAt: "2026-12-01T10:00:00.000Z",
      annotations: [{ annotator: "ada@lab.test", label }],
    });
    const ours = keysOf([JSON.parse(JSON.stringify(exported))]);
    expect([...ours.task].filter((key) => !documented.task.has(key))).toEqual([]);
    expect([...ours.annotation].filter((key) => !documented.annotation.has(key))).toEqual([]);
    // A region's `meta` holds its note, as Label Studio's editor stores region notes.
    expect([...ours.result].filter((key) => !documented.result.has(key))).toEqual(["meta"]);
    const results = exported.annotations[0]!.result;
    expect(results.map((result) => [result.type, result.value])).toEqual([
      ["choices", { choices: ["right, clearly"] }],
      ["ranker", { ranker: { responses: ["r2", "r1"] } }],
      ["rating", { rating: 4 }],
      ["choices", { choices: ["safe"] }],
      ["textarea", { text: ["cites the guideline"] }],
      [
        "labels",
        {
          start: 4,
          end: 9,
          text: responses[0]!.text.slice(4, 9),
          labels: ["factual error", "major"],
        },
      ],
    ]);
    expect(exported.annotations.map((annotation) => annotation.ground_truth)).toEqual([
      false,
      true,
    ]);
    expect(exported.annotations[0]!.completed_by).toEqual({ email: "ada@lab.test" });
  });
});

describe("Label Studio lead_time", () => {
  it("becomes durationMs, cut to the most a label may claim, in both layouts", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 0, max: 1e9, noNaN: true }),
          fc.constantFrom(2_500_000, MAX_CLAIMED_DURATION_MS / 1000, Number.MAX_VALUE),
        ),
        (leadTime) => {
          const expected = Math.min(Math.round(leadTime * 1000), MAX_CLAIMED_DURATION_MS);
          const full = read(
            JSON.stringify([
              task({ completed_by: { email: "ada@lab.test" }, lead_time: leadTime }),
            ]),
            pairTemplate,
          );
          const min = read(
            JSON.stringify([
              {
                id: 1,
                prompt: "p",
                answer1: "A",
                answer2: "B",
                annotator: "ada@lab.test",
                pw: { selected: "left" },
                lead_time: leadTime,
              },
            ]),
            pairTemplate,
          );
          for (const { items, errors } of [full, min]) {
            expect(errors).toEqual([]);
            const [annotation] = items[0]!.annotations as Array<{ durationMs?: number }>;
            expect(annotation!.durationMs).toBe(expected);
            expect(itemInputSchema.safeParse(items[0]).success).toBe(true);
          }
        },
      ),
    );
  });
});
