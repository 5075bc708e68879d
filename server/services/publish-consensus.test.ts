import { describe, expect, it } from "vitest";
import { templateSchema } from "../../app/domain/template.ts";
import { draftHoldsLabel } from "./publish-consensus.ts";

describe("draftHoldsLabel", () => {
  it.each(["constructor", "verdict2"])(
    "reads an empty span list in the room as a %s field the consensus leaves out",
    (fieldId) => {
      const template = templateSchema.parse({
        fields: [
          { id: "score", type: "rating", label: "Score", min: 1, max: 5, required: true },
          { id: fieldId, type: "spans", label: "Errors", categories: ["dosage"] },
        ],
      });
      expect(draftHoldsLabel(template, { score: 3, [fieldId]: [] }, { score: 3 })).toBe(true);
    },
  );
});
