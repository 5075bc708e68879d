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
import { MOST_QUOTED_CHARACTERS, quoted, type AnnotatorMapping, type RowError } from "./rows.ts";

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
    // Its annotator, sergei@heartex.e2e, is an address no Quorum account can have: mapped here.
    const parsed = readImport(fixture("json-min-text-choices.json"), "json", sentiment, {
      userMap: { "sergei@heartex.e2e": "exp1@x.test" },
    });
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
            annotator: "exp1@x.test",
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
    expect(
      results.map((result) => [result.from_name, result.to_name, result.type, result.value]),
    ).toEqual([
      ["pw:choices", "r1", "choices", { choices: ["right, clearly"] }],
      ["rank", "responses", "ranker", { ranker: { rank: ["r2", "r1"] } }],
      ["stars", "r1", "rating", { rating: 4 }],
      ["verdict", "r1", "choices", { choices: ["safe"] }],
      ["why", "r1", "textarea", { text: ["cites the guideline"] }],
      [
        "errors",
        "r1",
        "labels",
        {
          start: 4,
          end: 9,
          text: responses[0]!.text.slice(4, 9),
          labels: ["factual error", "major"],
        },
      ],
    ]);
    // A List shows its items' title and body, and nothing else.
    expect(exported.data.responses).toEqual(
      responses.map((response) => ({ ...response, title: response.id, body: response.text })),
    );
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

/**
 * Label Studio's editor keeps a result only when its `from_name` and `to_name` are both tags of
 * the labeling config (`fixBrokenAnnotation` in its Annotation.js), and each control tag writes
 * a fixed `to_name`: a Pairwise its own name, a Ranker the List it ranks (keying the order by its
 * own name), the others the one object tag of their `toName`.
 */
interface ConfigTag {
  type: string;
  toName: string[];
}

/** The tags of a labeling config, by name, as written in XML. */
function configTags(xml: string): Map<string, ConfigTag> {
  const tags = new Map<string, ConfigTag>();
  for (const match of xml.matchAll(/<([A-Za-z]+)\s+name="([^"]+)"(?:\s+toName="([^"]+)")?/g)) {
    tags.set(match[2]!, { type: match[1]!, toName: match[3]?.split(",") ?? [] });
  }
  return tags;
}

const tagOfResult: Record<string, string> = {
  pairwise: "Pairwise",
  choices: "Choices",
  rating: "Rating",
  textarea: "TextArea",
  ranker: "Ranker",
  labels: "Labels",
};

/** Why Label Studio's editor would drop or misread a result under `tags`, or undefined. */
function editorProblem(
  result: { from_name: string; to_name: string; type: string; value: Record<string, unknown> },
  tags: Map<string, ConfigTag>,
): string | undefined {
  const control = tags.get(result.from_name);
  if (control?.type !== tagOfResult[result.type]) {
    return `${result.type} from "${result.from_name}", which is no ${tagOfResult[result.type]} tag`;
  }
  if (!tags.has(result.to_name)) return `to_name "${result.to_name}" is no tag`;
  const expectedTo =
    result.type === "pairwise" ? [result.from_name] : (control.toName as readonly string[]);
  if (!expectedTo.includes(result.to_name)) {
    return `to_name "${result.to_name}" is not what ${control.type} "${result.from_name}" writes`;
  }
  if (result.type === "ranker") {
    const keys = Object.keys(result.value.ranker as Record<string, unknown>);
    if (keys.join() !== result.from_name) return `ranker keyed by ${keys.join()}`;
  }
  return undefined;
}

/** The labeling config docs/data-formats.md describes, for any template and response ids. */
function documentedConfig(on: Template, responseIds: string[]): string {
  const texts = responseIds.map(
    (id, index) => `<Text name="${id}" value="$responses.${index}.text"/>`,
  );
  const first = responseIds[0]!;
  const controls = on.fields.flatMap((field) => {
    switch (field.type) {
      case "preference":
        return [
          `<Pairwise name="${field.id}" toName="${responseIds.slice(0, 2).join(",")}"/>`,
          `<Choices name="${field.id}:choices" toName="${first}"/>`,
        ];
      case "ranking":
        return [`<Ranker name="${field.id}" toName="responses"/>`];
      case "choice":
        return [`<Choices name="${field.id}" toName="${first}"/>`];
      case "rating":
        return [`<Rating name="${field.id}" toName="${first}"/>`];
      case "text":
      case "rewrite":
        return [`<TextArea name="${field.id}" toName="${first}"/>`];
      case "spans":
        return [`<Labels name="${field.id}" toName="${responseIds.join(",")}"/>`];
    }
  });
  return [
    "<View>",
    '<Text name="prompt" value="$prompt"/>',
    ...texts,
    '<List name="responses" value="$responses"/>',
    ...controls,
    "</View>",
  ].join("\n");
}

describe("what Label Studio's editor keeps of the export", () => {
  it("every result names a tag of the documented config, as that tag writes it", () => {
    fc.assert(
      fc.property(
        templateArbitrary.chain((on) => fc.tuple(fc.constant(on), labelArbitrary(on))),
        ([on, label]) => {
          const tags = configTags(
            documentedConfig(
              on,
              responses.map((response) => response.id),
            ),
          );
          const results = labelStudioResults(
            on,
            labelSchemaFor(on, responses).parse(label),
            responses.map((response) => response.id),
          );
          expect(results.map((result) => editorProblem(result, tags))).toEqual(
            results.map(() => undefined),
          );
          // One result per control tag (spans aside): a tag holds one result of its own.
          const singles = results.filter((result) => result.type !== "labels");
          expect(new Set(singles.map((result) => result.from_name)).size).toBe(singles.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the config docs/data-formats.md gives shows every result of its template", () => {
    const docs = readFileSync(
      path.resolve(import.meta.dirname, "../../../docs/data-formats.md"),
      "utf8",
    );
    const xml = /```xml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(xml).toBeDefined();
    const tags = configTags(xml!);
    const on = template({
      fields: [
        { id: "preference", type: "preference", label: "Better", scale: 2 },
        { id: "order", type: "ranking", label: "Order" },
        { id: "safety", type: "choice", label: "Safety", options: ["safe", "unsafe"] },
        { id: "score", type: "rating", label: "Score", min: 1, max: 5 },
        { id: "critique", type: "text", label: "Critique" },
        { id: "errors", type: "spans", label: "Errors", categories: ["factual", "style"] },
      ],
    });
    const pair = [
      { id: "a", text: "Ibuprofen is fine with lisinopril." },
      { id: "b", text: "NSAIDs can blunt lisinopril." },
    ];
    for (const preference of [-2, -1, 0, 1, 2]) {
      const label = labelSchemaFor(on, pair).parse({
        preference,
        order: ["b", "a"],
        safety: "safe",
        score: 4,
        critique: "cites no source",
        errors: [
          { responseId: "a", start: 0, end: 9, category: "factual", severity: "major" },
          { responseId: "b", start: 0, end: 6, category: "style", severity: "minor" },
        ],
      });
      const results = labelStudioResults(on, label, ["a", "b"]);
      expect(results).toHaveLength(7);
      expect(results.map((result) => editorProblem(result, tags))).toEqual(
        results.map(() => undefined),
      );
      // Each category, severity and choice written is one the config offers.
      for (const result of results) {
        const offered = result.type === "labels" ? "Label" : "Choice";
        const values = (result.value.labels ?? result.value.choices ?? []) as string[];
        for (const value of values) expect(xml).toContain(`<${offered} value="${value}"/>`);
      }
    }
    // The List shows the responses through the `$responses` the export writes.
    expect(tags.get("responses")).toEqual({ type: "List", toName: [] });
    expect(xml).toContain('<List name="responses" value="$responses"');
  });
});

describe("Label Studio's own templates and what the import refuses", () => {
  const rankTemplate = template({ fields: [{ id: "rank", type: "ranking", label: "Rank" }] });
  const llmRankerData = JSON.parse(fixture("ls-template-llm-ranker.json")) as {
    items: Array<{ id: string; title: string; body: string }>;
  };
  const ranked = llmRankerData.items.map((item) => item.id).reverse();
  const rankerTask = (ranker: Record<string, string[]>, id = 2) => ({
    id,
    data: llmRankerData,
    annotations: [
      {
        completed_by: { id: 14, email: "exp1@x.test" },
        // As the template's Ranker (name "rank", on the List "answers") writes it.
        result: [{ from_name: "rank", to_name: "answers", type: "ranker", value: { ranker } }],
      },
    ],
  });

  it("reads the LLM Ranker template's List items as the responses, and its ranking", () => {
    const { items, errors } = read(JSON.stringify([rankerTask({ rank: ranked })]), rankTemplate);
    expect(errors).toEqual([]);
    expect(items[0]!.prompt).toBe(
      "Discuss the implications of artificial intelligence on the job market.",
    );
    expect(items[0]!.responses).toEqual(
      llmRankerData.items.map((item) => ({ id: item.id, text: item.body })),
    );
    expect(items[0]!.annotations).toEqual([{ annotator: "exp1@x.test", label: { rank: ranked } }]);
    expect(itemInputSchema.safeParse(items[0]).success).toBe(true);
  });

  it("names the buckets of a Ranker with Buckets, which a ranking cannot hold", () => {
    const { errors } = read(
      JSON.stringify([
        rankerTask({ relevant_results: ranked.slice(0, 3), biased_results: ranked.slice(3) }),
      ]),
      rankTemplate,
    );
    expect(errors).toEqual([
      {
        row: 1,
        field: "annotations.0.result.0",
        message: expect.stringMatching(
          /^task 2, result 0 from "rank": .*buckets \(relevant_results, biased_results\)/,
        ),
      },
    ]);
  });

  it("says which keys it reads for a task without responses (the Chatbot Model Assessment)", () => {
    const chatbot = JSON.parse(fixture("ls-template-chatbot-assessment.json")) as object;
    const rating = template({
      fields: [{ id: "likert_scale", type: "rating", label: "Quality", min: 1, max: 7 }],
    });
    const { items, errors } = read(
      JSON.stringify([
        {
          id: 4,
          ...chatbot,
          annotations: [
            {
              completed_by: { email: "exp1@x.test" },
              result: [
                {
                  from_name: "likert_scale",
                  to_name: "dialogue",
                  type: "rating",
                  value: { rating: 5 },
                },
              ],
            },
          ],
        },
      ]),
      rating,
    );
    expect(items).toEqual([]);
    expect(errors).toEqual([
      {
        row: 1,
        field: "data",
        message: expect.stringMatching(
          /^task 4: no responses to judge: expected data\.responses .*data\.items.*answer1\/answer2/,
        ),
      },
    ]);
  });

  it("refuses several choices for a single-choice field, naming the task and field", () => {
    const task2024 = (
      JSON.parse(fixture("converter-text-choices-2024.json")) as Array<{
        annotations: Array<{ result: Array<{ value: { choices: string[] } }> }>;
      }>
    )[0]!;
    task2024.annotations[0]!.result[0]!.value.choices = ["Positive", "Negative"];
    const single = template({
      fields: [
        { id: "sentiment", type: "choice", label: "Sentiment", options: ["Positive", "Negative"] },
      ],
    });
    const userMap = { "14": "exp1@x.test" };
    const refused = read(JSON.stringify([task2024]), single, { userMap });
    expect(refused.errors).toEqual([
      {
        row: 1,
        field: "annotations.0.result.0",
        message: expect.stringMatching(
          /^task 6141, result 0 from "sentiment": \["Positive","Negative"\] selects 2 choices, but the choice field "sentiment" takes one/,
        ),
      },
    ]);
    const multiple = template({
      fields: [
        {
          id: "sentiment",
          type: "choice",
          label: "Sentiment",
          options: ["Positive", "Negative"],
          multiple: true,
        },
      ],
    });
    const kept = read(JSON.stringify([task2024]), multiple, { userMap });
    expect(kept.errors).toEqual([]);
    expect(kept.items[0]!.annotations![0]!.label).toEqual({ sentiment: ["Positive", "Negative"] });
  });

  it("joins a TextArea's several answers with a line break", () => {
    const why = template({ fields: [{ id: "why", type: "text", label: "Why" }] });
    const { items, errors } = read(
      JSON.stringify([
        {
          id: 5,
          data: { text: "Calif. wildfires signal the arrival of a planetary fire age" },
          annotations: [
            {
              completed_by: { email: "exp1@x.test" },
              result: [
                {
                  from_name: "why",
                  to_name: "text",
                  type: "textarea",
                  value: { text: ["first answer", "second answer"] },
                },
              ],
            },
          ],
        },
      ]),
      why,
    );
    expect(errors).toEqual([]);
    expect(items[0]!.annotations![0]!.label).toEqual({ why: "first answer\nsecond answer" });
  });

  it("names an annotator address no account can have, and maps it by address or user id", () => {
    const sentiment = template({
      fields: [
        { id: "sentiment", type: "choice", label: "Sentiment", options: ["Positive", "Negative"] },
      ],
    });
    const file = fixture("converter-text-choices-2024.json");
    const refused = read(file, sentiment);
    expect(refused.errors).toEqual([
      {
        row: 1,
        field: "annotations.0.completed_by",
        message:
          'task 6141, annotation 0: names the annotator "sergei@heartex.e2e", which is not an email address a Quorum account can have: map it to a Quorum user with userMap {"sergei@heartex.e2e": "<email>"} or by its Label Studio user id, {"14": "<email>"} (CLI --user-map), or pass assignUnmapped=importer (CLI --assign-unmapped importer) to credit the importer',
      },
    ]);
    const mappings: AnnotatorMapping[] = [
      { userMap: { "sergei@heartex.e2e": "exp1@x.test" } },
      { userMap: { "14": "exp1@x.test" } },
      { unmappedAnnotator: "exp1@x.test" },
    ];
    for (const options of mappings) {
      const mapped = read(file, sentiment, options);
      expect(mapped.errors).toEqual([]);
      expect(mapped.items[0]!.annotations![0]!.annotator).toBe("exp1@x.test");
      expect(itemInputSchema.safeParse(mapped.items[0]).success).toBe(true);
    }
  });

  it("reads files written in the earlier layout: joined to_name, choices and ranker by the old names", () => {
    const on = template({
      fields: [
        { id: "pw", type: "preference", label: "Better", scale: 2 },
        { id: "rank", type: "ranking", label: "Rank" },
      ],
    });
    const earlier = (preference: Record<string, unknown>, id: number) => ({
      id,
      data: { prompt: "Which?", responses },
      annotations: [
        {
          completed_by: { email: "ada@lab.test" },
          result: [
            { ...preference, from_name: "pw", to_name: "r1,r2" },
            {
              from_name: "rank",
              to_name: "responses",
              type: "ranker",
              value: { ranker: { responses: ["r2", "r1"] } },
            },
          ],
        },
      ],
    });
    const { items, errors } = read(
      JSON.stringify([
        earlier({ type: "pairwise", value: { selected: "right" } }, 1),
        earlier({ type: "choices", value: { choices: ["left, clearly"] } }, 2),
      ]),
      on,
    );
    expect(errors).toEqual([]);
    expect(items.map((item) => item.annotations![0]!.label)).toEqual([
      { pw: 1, rank: ["r2", "r1"] },
      { pw: -2, rank: ["r2", "r1"] },
    ]);
  });

  it("reads a tie from the preference's own Choices tag in JSON-MIN", () => {
    const { items, errors } = read(
      JSON.stringify([
        {
          id: 1,
          prompt: "p",
          answer1: "A",
          answer2: "B",
          annotator: "ada@lab.test",
          annotation_id: 3,
          "pw:choices": "tie",
        },
      ]),
      pairTemplate,
    );
    expect(errors).toEqual([]);
    expect(items[0]!.annotations![0]!.label).toEqual({ pw: 0 });
  });
});

describe("values an import error quotes", () => {
  it("quotes a value whole as JSON up to the limit, and cuts a longer one saying by how much", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.array(fc.string())), (value) => {
        const json = JSON.stringify(value);
        const shown = quoted(value);
        if (json.length <= MOST_QUOTED_CHARACTERS) {
          expect(shown).toBe(json);
        } else {
          const omitted = json.length - MOST_QUOTED_CHARACTERS;
          expect(shown).toBe(
            `${json.slice(0, MOST_QUOTED_CHARACTERS)}… (${omitted} more characters)`,
          );
        }
      }),
    );
  });

  it("keeps a misplaced span's error short however long its text and response", () => {
    const response = "a".repeat(200_000);
    const result = labelStudioSpanOffsets(response, 0, 200_000, "b".repeat(200_000));
    expect("error" in result).toBe(true);
    const { error } = result as { error: string };
    expect(error.length).toBeLessThan(1_000);
    expect(error).toContain("(199802 more characters)");
  });
});
