import { describe, expect, it } from "vitest";
import { templateSchema } from "~/domain/template.ts";
import { correctionErrorsByField } from "./correction-editor.tsx";

describe("correctionErrorsByField", () => {
  it.each(["constructor", "verdict2"])("gives a field named %s its own error", (fieldId) => {
    const template = templateSchema.parse({
      fields: [{ id: fieldId, type: "choice", label: "Verdict", options: ["yes", "no"] }],
    });
    const { byField, general } = correctionErrorsByField(template, [
      `${fieldId}: Invalid option: expected one of "yes"|"no"`,
    ]);
    expect(Object.keys(byField)).toEqual([fieldId]);
    expect(byField[fieldId]).toEqual(expect.any(String));
    expect(general).toEqual([]);
  });
});
