import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportRecords, ndjsonLine, type ExportItem } from "../../../app/domain/export.ts";
import { SUBMITTED_AT_RANGE } from "../../../app/domain/item.ts";
import { labelSchemaFor, templateSchema, type Template } from "../../../app/domain/template.ts";
import { MAX_CLAIMED_DURATION_MS } from "../../../app/domain/work-time.ts";
import {
  labelArbitrary,
  responses,
  templateArbitrary,
} from "../../../tests/fixtures/label-arbitraries.ts";
import { parseUserMap, readImport } from "./formats.ts";
import type { AnnotatorMapping } from "./rows.ts";
import { validateRows } from "./validate.ts";

const template = templateSchema.parse({
  fields: [
    { id: "preference", type: "preference", label: "Better?", scale: 2, required: true },
    { id: "note", type: "text", label: "Note" },
  ],
});

/** A line of the jsonl export of a published item, as a lead's export writes it. */
const exportLine = {
  externalId: "q-1",
  prompt: "Warfarin with an antibiotic?",
  responses: [
    { id: "r1", model: "m-1", text: "Check the INR first." },
    { id: "r2", text: "Take it daily." },
  ],
  domain: "medical",
  label: { preference: -2, note: "The INR decides it." },
  source: "published",
  version: 2,
  rationale: "The INR decides it.",
  publishedAt: "2026-01-02T03:04:05.000Z",
  annotations: [
    {
      annotator: "Ada@Lab.test",
      level: "expert",
      label: { preference: -1 },
      submittedAt: "2026-01-01T10:00:00.000Z",
      durationMs: 95_000,
    },
    {
      annotator: "bo@lab.test",
      level: null,
      label: { preference: 2 },
      submittedAt: "2026-01-01T11:00:00.000Z",
    },
  ],
  metadata: { batch: 3 },
};

/** The file's rows, validated as an import into a project with the template validates them. */
function imported(
  records: ReadonlyArray<unknown>,
  on: Template = template,
  annotators: AnnotatorMapping = {},
) {
  const text = records.map(ndjsonLine).join("");
  const parsed = readImport(text, "jsonl", on, annotators);
  const validated = validateRows(parsed.rows, { id: 1, template: on });
  return { ...validated, errors: [...parsed.errors, ...validated.errors] };
}

describe("a line of the jsonl export, imported as jsonl", () => {
  it("keeps the item and its annotators' labels, and leaves the project's outcome out", () => {
    const { items, errors } = imported([exportLine]);
    expect(errors).toEqual([]);
    expect(items).toHaveLength(1);
    const [{ item, gold, annotations }] = items as [(typeof items)[number]];
    expect(item).toEqual({
      externalId: "q-1",
      prompt: exportLine.prompt,
      responses: exportLine.responses,
      domain: "medical",
      metadata: { batch: 3 },
      annotations: [
        {
          annotator: "ada@lab.test",
          label: { preference: -1 },
          submittedAt: "2026-01-01T10:00:00.000Z",
          durationMs: 95_000,
        },
        {
          annotator: "bo@lab.test",
          label: { preference: 2 },
          submittedAt: "2026-01-01T11:00:00.000Z",
        },
      ],
    });
    expect(gold).toBeUndefined();
    expect(annotations.map(({ annotator, label }) => ({ annotator, label }))).toEqual([
      { annotator: "ada@lab.test", label: { preference: -1 } },
      { annotator: "bo@lab.test", label: { preference: 2 } },
    ]);
  });

  it("reads a consensus line, and a JSON array of export lines, the same way", () => {
    const { version: _version, rationale: _rationale, publishedAt: _at, ...published } = exportLine;
    const consensus = { ...published, source: "consensus" };
    const asLines = imported([consensus]);
    expect(asLines.errors).toEqual([]);
    const asArray = readImport(JSON.stringify([consensus]), "json", template);
    const validated = validateRows(asArray.rows, { id: 1, template });
    expect([...asArray.errors, ...validated.errors]).toEqual([]);
    expect(validated.items.map(({ item }) => item)).toEqual(asLines.items.map(({ item }) => item));
  });

  it("still refuses keys that are not the export's, and the outcome fields on other rows", () => {
    const { errors } = imported([
      { ...exportLine, externalId: "typo", lable: { preference: 1 } },
      {
        ...exportLine,
        externalId: "annotation-typo",
        annotations: [{ ...exportLine.annotations[0], commment: "why" }],
      },
      { externalId: "hand-written", prompt: "Which?", responses, label: { preference: 1 } },
      {
        externalId: "level-without-source",
        prompt: "Which?",
        responses,
        annotations: [{ annotator: "ada@lab.test", level: "expert", label: { preference: 1 } }],
      },
      { ...exportLine, externalId: "unknown-source", source: "room" },
    ]);
    expect(errors).toEqual([
      { row: 1, field: "(root)", message: expect.stringMatching(/lable/) },
      { row: 2, field: "annotations.0", message: expect.stringMatching(/commment/) },
      { row: 3, field: "(root)", message: expect.stringMatching(/"label"/) },
      { row: 4, field: "annotations.0", message: expect.stringMatching(/level/) },
      { row: 5, field: "annotations.0", message: expect.stringMatching(/level/) },
      { row: 5, field: "annotations.1", message: expect.stringMatching(/level/) },
      {
        row: 5,
        field: "(root)",
        message: 'Unrecognized keys: "label", "source", "version", "rationale", "publishedAt"',
      },
    ]);
  });

  it("maps names and pseudonyms by the user map, and other workspaces' emails too", () => {
    const userMap = parseUserMap(
      '{"Annotator A": "ada@lab.test", "Bo Brown": "bo@lab.test", "old@elsewhere.test": "cy@lab.test"}',
      "userMap",
    );
    const { items, errors } = imported(
      [
        {
          ...exportLine,
          annotations: [
            { annotator: "Annotator A", label: { preference: -1 } },
            { annotator: "Bo Brown", level: "junior", label: { preference: 2 } },
            { annotator: "Old@Elsewhere.test", level: null, label: { preference: 1 } },
          ],
        },
      ],
      template,
      { userMap },
    );
    expect(errors).toEqual([]);
    expect(items[0]!.annotations.map((annotation) => annotation.annotator)).toEqual([
      "ada@lab.test",
      "bo@lab.test",
      "cy@lab.test",
    ]);
  });

  it("names an annotator it cannot map and says how to map it, or credits the importer when asked", () => {
    const line = {
      ...exportLine,
      annotations: [
        { annotator: "Annotator A", label: { preference: -1 } },
        { annotator: "bo@lab.test", label: { preference: 7 } },
      ],
    };
    const refused = imported([{ ...line, prompt: 42 }]);
    // The rest of the row is still checked; its labels are once the annotators are mapped.
    expect(refused.errors).toEqual([
      {
        row: 1,
        field: "annotations.0.annotator",
        message: expect.stringContaining(
          '"Annotator A" is not an email: map it to one with userMap {"Annotator A": "<email>"}',
        ),
      },
      { row: 1, field: "prompt", message: expect.any(String) },
    ]);

    const credited = imported([line], template, { unmappedAnnotator: "lead@lab.test" });
    expect(credited.errors).toEqual([
      { row: 1, field: "annotations.1.label.preference", message: expect.any(String) },
    ]);
    const fixed = imported([{ ...line, annotations: [line.annotations[0]] }], template, {
      unmappedAnnotator: "lead@lab.test",
    });
    expect(fixed.errors).toEqual([]);
    expect(fixed.items[0]!.annotations[0]!.annotator).toBe("lead@lab.test");
  });

  it("keeps the content and the labels of any exported item", () => {
    const clean = (maxLength: number) => fc.string({ unit: "grapheme", maxLength });
    const emails = ["ada@lab.test", "bo@lab.test", "cy@lab.test", "di@lab.test"];
    const exported = templateArbitrary.chain((on) => {
      const label = labelArbitrary(on).map((value) => labelSchemaFor(on, responses).parse(value));
      return fc.record({
        on: fc.constant(on),
        item: fc.record(
          {
            externalId: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,19}$/),
            prompt: fc.oneof(
              clean(60),
              fc.array(
                fc.record({ role: fc.constantFrom("user", "assistant"), content: clean(30) }),
                { minLength: 1, maxLength: 4 },
              ),
            ),
            responses: fc.constant(responses),
            domain: fc.constantFrom("medical", "language:de-CH"),
            metadata: fc.dictionary(clean(8), fc.oneof(clean(12), fc.integer(), fc.boolean())),
            source: fc.constantFrom("published" as const, "consensus" as const),
            label,
            version: fc.integer({ min: 1, max: 9 }),
            rationale: fc.option(clean(30), { nil: null }),
            publishedAt: fc.constant("2026-01-02T03:04:05.000Z"),
            annotations: fc.uniqueArray(
              fc.record(
                {
                  annotator: fc.constantFrom(...emails),
                  level: fc.constantFrom("junior", "expert", null),
                  label,
                  submittedAt: fc
                    .integer({ min: SUBMITTED_AT_RANGE.earliest, max: SUBMITTED_AT_RANGE.latest })
                    .map((instant) => new Date(instant).toISOString()),
                  durationMs: fc.integer({ min: 0, max: MAX_CLAIMED_DURATION_MS }),
                },
                { requiredKeys: ["annotator", "level", "label", "submittedAt"] },
              ),
              { selector: (annotation) => annotation.annotator, maxLength: emails.length },
            ),
          },
          {
            requiredKeys: [
              "externalId",
              "prompt",
              "responses",
              "metadata",
              "source",
              "label",
              "annotations",
            ],
          },
        ),
      });
    });
    fc.assert(
      fc.property(exported, ({ on, item }) => {
        const exportItem: ExportItem = item;
        const { items, errors } = imported(exportRecords("jsonl", null, exportItem), on);
        expect(errors).toEqual([]);
        expect(items).toHaveLength(1);
        const [{ item: read, gold, annotations }] = items as [(typeof items)[number]];
        expect(read.externalId).toBe(item.externalId);
        expect(read.prompt).toEqual(item.prompt);
        expect(read.responses).toEqual(item.responses);
        expect(read.domain).toBe(item.domain);
        expect(read.metadata).toEqual(item.metadata);
        expect(gold).toBeUndefined();
        expect(
          annotations.map(({ annotator, label, submittedAt, durationMs }) => ({
            annotator,
            label,
            submittedAt,
            durationMs,
          })),
        ).toEqual(
          item.annotations.map(({ annotator, label, submittedAt, durationMs }) => ({
            annotator,
            label,
            submittedAt,
            durationMs,
          })),
        );
      }),
      { numRuns: 300 },
    );
  });
});
