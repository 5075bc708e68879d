import { describe, expect, it } from "vitest";
import { findPreset, presets } from "./presets.ts";
import { labelSchemaFor, templateSchema, type Template } from "./template.ts";

describe("presets", () => {
  it("offers the four presets of the design and pairwise preference alone", () => {
    expect(presets.map((preset) => preset.name)).toEqual([
      "Pairwise preference with a clinical rubric",
      "Single-response rubric with error spans",
      "Code correctness review",
      "Translation quality (MQM-style spans)",
      "Pairwise preference",
    ]);
    expect(new Set(presets.map((preset) => preset.id)).size).toBe(presets.length);
  });

  it.each(presets.map((preset) => [preset.name, preset.template] as const))(
    "%s is a valid template, already normalised",
    (_name, template) => {
      expect(templateSchema.parse(template)).toEqual(template);
    },
  );

  it.each(presets.map((preset) => [preset.name, preset.template] as const))(
    "%s requires something, so an empty label is refused",
    (_name, template) => {
      expect(labelSchemaFor(template).safeParse({}).success).toBe(false);
    },
  );

  it("asks MQM categories with minor, major and critical severities for translations", () => {
    const spans = fieldOf(findPreset("translation-mqm")?.template, "spans");
    expect(spans.categories).toEqual(
      expect.arrayContaining([
        "accuracy/mistranslation",
        "fluency/grammar",
        "terminology",
        "style",
        "locale convention",
      ]),
    );
    expect(spans.severities).toEqual(["minor", "major", "critical"]);
  });

  it("rates both clinical answers on accuracy and safety and asks a preference on a 5-point scale", () => {
    const template = findPreset("pairwise-clinical")?.template;
    expect(fieldOf(template, "preference").scale).toBe(2);
    const ratingIds = template?.fields.filter((f) => f.type === "rating").map((f) => f.id);
    expect(ratingIds).toEqual(
      expect.arrayContaining(["accuracy_a", "accuracy_b", "safety_a", "safety_b"]),
    );
  });

  it("asks nothing but a preference between two responses in the pairwise preset", () => {
    const template = findPreset("pairwise-preference")?.template;
    expect(template?.fields.map((field) => field.type)).toEqual(["preference"]);
    expect(fieldOf(template, "preference")).toMatchObject({ required: true, scale: 2 });
  });

  it("gives code reviews a verdict, bug spans and a rewrite", () => {
    const template = findPreset("code-correctness")?.template;
    expect(fieldOf(template, "choice").options).toEqual([
      "correct",
      "partially correct",
      "incorrect",
    ]);
    expect(fieldOf(template, "spans").categories).toContain("off-by-one");
    expect(template?.fields.some((field) => field.type === "rewrite")).toBe(true);
  });
});

function fieldOf<T extends Template["fields"][number]["type"]>(
  template: Template | undefined,
  type: T,
) {
  const field = template?.fields.find((candidate) => candidate.type === type);
  if (!field) throw new Error(`no ${type} field`);
  return field as Extract<Template["fields"][number], { type: T }>;
}
