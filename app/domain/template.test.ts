import { describe, expect, it } from "vitest";
import { labelSchemaFor, templateSchema, type Template, type TemplateInput } from "./template.ts";

function issuesOf(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) {
  return result.error?.issues.map((issue) => issue.path.join(".")) ?? [];
}

describe("templateSchema", () => {
  it("fills in the documented defaults", () => {
    const template = templateSchema.parse({
      fields: [
        { id: "quality", type: "rating", label: "Quality", min: 1, max: 5 },
        { id: "pick", type: "preference", label: "Preference" },
        { id: "kind", type: "choice", label: "Kind", options: ["a", "b"] },
        { id: "errors", type: "spans", label: "Errors", categories: ["factual"] },
      ],
    });
    expect(template.fields).toEqual([
      expect.objectContaining({ required: false, level: "ordinal" }),
      expect.objectContaining({ required: false, scale: 2 }),
      expect.objectContaining({ multiple: false }),
      expect.objectContaining({ severities: ["minor", "major", "critical"] }),
    ]);
  });

  it("accepts every field type", () => {
    const result = templateSchema.safeParse({
      fields: [
        { id: "r", type: "rating", label: "R", min: 0, max: 10, level: "interval", required: true },
        { id: "p", type: "preference", label: "P", scale: 1 },
        { id: "rank", type: "ranking", label: "Rank" },
        { id: "c", type: "choice", label: "C", options: ["x", "y"], multiple: true },
        { id: "s", type: "spans", label: "S", categories: ["a"], severities: ["low", "high"] },
        { id: "t", type: "text", label: "T", description: "Why?" },
        { id: "w", type: "rewrite", label: "W" },
      ],
    });
    expect(result.success).toBe(true);
  });

  it.each<[string, TemplateInput["fields"], string]>([
    ["an empty template", [], "fields"],
    [
      "min not below max",
      [{ id: "r", type: "rating", label: "R", min: 5, max: 5 }],
      "fields.0.max",
    ],
    [
      "a fractional rating bound",
      [{ id: "r", type: "rating", label: "R", min: 1, max: 4.5 }],
      "fields.0.max",
    ],
    [
      "a preference scale of 3",
      [{ id: "p", type: "preference", label: "P", scale: 3 as 2 }],
      "fields.0.scale",
    ],
    [
      "no choice options",
      [{ id: "c", type: "choice", label: "C", options: [] }],
      "fields.0.options",
    ],
    [
      "repeated choice options",
      [{ id: "c", type: "choice", label: "C", options: ["a", "a"] }],
      "fields.0.options",
    ],
    [
      "no span categories",
      [{ id: "s", type: "spans", label: "S", categories: [] }],
      "fields.0.categories",
    ],
    [
      "repeated severities",
      [{ id: "s", type: "spans", label: "S", categories: ["a"], severities: ["x", "x"] }],
      "fields.0.severities",
    ],
    ["an id that is not a slug", [{ id: "Bad Id", type: "text", label: "T" }], "fields.0.id"],
    ["an unknown type", [{ id: "x", type: "slider" as "text", label: "X" }], "fields.0.type"],
    ["an empty label", [{ id: "x", type: "text", label: "  " }], "fields.0.label"],
    [
      "duplicate field ids",
      [
        { id: "x", type: "text", label: "X" },
        { id: "x", type: "rewrite", label: "Y" },
      ],
      "fields.1.id",
    ],
  ])("refuses %s", (_name, fields, path) => {
    expect(issuesOf(templateSchema.safeParse({ fields }))).toContain(path);
  });
});

const responses = [
  { id: "a", text: "Take 500 mg twice daily." },
  { id: "b", text: "Take 5 g once." },
];

const template: Template = templateSchema.parse({
  fields: [
    { id: "preference", type: "preference", label: "Preference", scale: 2, required: true },
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5, required: true },
    { id: "ranking", type: "ranking", label: "Ranking" },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "flags", type: "choice", label: "Flags", options: ["dose", "timing"], multiple: true },
    {
      id: "errors",
      type: "spans",
      label: "Errors",
      categories: ["dosing error", "omission"],
      severities: ["minor", "major", "critical"],
    },
    { id: "critique", type: "text", label: "Critique", required: true },
    { id: "rewrite", type: "rewrite", label: "Rewrite" },
  ],
});

const validLabel = {
  preference: -2,
  accuracy: 4,
  ranking: ["a", "b"],
  verdict: "unsafe",
  flags: ["dose"],
  errors: [
    { responseId: "b", start: 5, end: 8, category: "dosing error", severity: "critical" },
    {
      id: "span-1",
      responseId: "a",
      start: 0,
      end: 24,
      category: "omission",
      severity: "minor",
      note: "no duration given",
    },
  ],
  critique: "B gives ten times the usual dose.",
  rewrite: "Take 500 mg twice daily for 7 days.",
};

describe("labelSchemaFor", () => {
  const schema = labelSchemaFor(template, responses);

  it("accepts a complete, valid label, and quotes its spans", () => {
    const [dose, omission] = validLabel.errors;
    expect(schema.parse(validLabel)).toEqual({
      ...validLabel,
      errors: [
        { ...dose, text: "5 g" },
        { ...omission, text: "Take 500 mg twice daily." },
      ],
    });
  });

  it("accepts a label with only the required fields, and an empty span list", () => {
    const minimal = { preference: 0, accuracy: 1, critique: "Both fine.", errors: [] };
    expect(schema.safeParse(minimal).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a missing required rating", { accuracy: undefined }, "accuracy"],
    ["a rating above max", { accuracy: 6 }, "accuracy"],
    ["a rating below min", { accuracy: 0 }, "accuracy"],
    ["a fractional rating", { accuracy: 3.5 }, "accuracy"],
    ["a rating given as a string", { accuracy: "4" }, "accuracy"],
    ["a preference beyond the scale", { preference: 3 }, "preference"],
    ["a preference below the scale", { preference: -3 }, "preference"],
    ["a ranking missing a response", { ranking: ["a"] }, "ranking"],
    ["a ranking with an unknown response", { ranking: ["a", "c"] }, "ranking"],
    ["a ranking with a repeat", { ranking: ["a", "a"] }, "ranking"],
    ["a choice not among the options", { verdict: "maybe" }, "verdict"],
    ["an array for a single choice", { verdict: ["safe"] }, "verdict"],
    ["a repeated multiple choice", { flags: ["dose", "dose"] }, "flags"],
    ["an empty required text", { critique: "   " }, "critique"],
    ["an unknown field", { extra: 1 }, ""],
  ])("refuses %s", (_name, change, path) => {
    expect(issuesOf(schema.safeParse({ ...validLabel, ...change }))).toContain(path);
  });

  const span = validLabel.errors[0];
  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown response", { responseId: "c" }, "errors.0.responseId"],
    ["an end past the text", { start: 10, end: 15 }, "errors.0.end"],
    ["start equal to end", { start: 5, end: 5 }, "errors.0.end"],
    ["a negative start", { start: -1 }, "errors.0.start"],
    ["an unknown category", { category: "style" }, "errors.0.category"],
    ["an unknown severity", { severity: "fatal" }, "errors.0.severity"],
    ["an unknown property", { colour: "red" }, "errors.0"],
  ])("refuses a span with %s", (_name, change, path) => {
    const label = { ...validLabel, errors: [{ ...span, ...change }] };
    expect(issuesOf(schema.safeParse(label))).toContain(path);
  });

  it("counts span offsets in UTF-16 code units, as browsers do", () => {
    const arabic = [{ id: "t", text: "تناول قرصًا واحدًا" }];
    const spans = labelSchemaFor(
      templateSchema.parse({
        fields: [{ id: "errors", type: "spans", label: "E", categories: ["terminology"] }],
      }),
      arabic,
    );
    const at = (end: number) => ({
      errors: [{ responseId: "t", start: 0, end, category: "terminology", severity: "minor" }],
    });
    expect(spans.safeParse(at(arabic[0].text.length)).success).toBe(true);
    expect(spans.safeParse(at(arabic[0].text.length + 1)).success).toBe(false);
  });

  it("without responses, checks everything that does not depend on them", () => {
    const withoutResponses = labelSchemaFor(template);
    expect(withoutResponses.safeParse({ ...validLabel, ranking: ["x", "y", "z"] }).success).toBe(
      true,
    );
    expect(issuesOf(withoutResponses.safeParse({ ...validLabel, ranking: ["x", "x"] }))).toContain(
      "ranking",
    );
    expect(issuesOf(withoutResponses.safeParse({ ...validLabel, accuracy: 9 }))).toContain(
      "accuracy",
    );
  });

  it("requires at least one option of a required multiple choice", () => {
    const required = labelSchemaFor(
      templateSchema.parse({
        fields: [
          { id: "f", type: "choice", label: "F", options: ["a"], multiple: true, required: true },
        ],
      }),
    );
    expect(required.safeParse({ f: [] }).success).toBe(false);
    expect(required.safeParse({ f: ["a"] }).success).toBe(true);
    expect(required.safeParse({}).success).toBe(false);
  });
});
