import { describe, expect, it } from "vitest";
import { outcomesAgainstFinal, outcomesAgainstGold } from "./accuracy.ts";
import { checkAgreement } from "./disputes.ts";
import { csvRow, exportedLabel, type ExportItem } from "./export.ts";
import { scoreLabelAgainstGold } from "./gold.ts";
import { labelStudioResults } from "./label-studio-export.ts";
import { minorityPositions, voteTallies, type Votes } from "./room.ts";
import { templateSchema, type Label, type Template } from "./template.ts";

/**
 * A field may be called `constructor`, a name every plain object answers to. Left out of a
 * label, it must count as left out: every figure, tally and export is the one the same template
 * gives with the field under an ordinary name (`verdict2`), the name aside.
 */

const ordinaryId = "verdict2";
const reservedId = "constructor";

const span = (start: number, end: number) => ({
  responseId: "a",
  start,
  end,
  category: "dosage",
  severity: "major",
});

/** A template field as written, before its id and defaults. */
type FieldInput = { type: string; label: string } & Record<string, unknown>;

/** The optional field, of each type, that no label in these tests answers. */
const optionalFields: ReadonlyArray<FieldInput> = [
  { type: "rating", label: "Extra", min: 1, max: 5 },
  { type: "preference", label: "Extra", scale: 2 },
  { type: "choice", label: "Extra", options: ["yes", "no"] },
  { type: "choice", label: "Extra", options: ["yes", "no"], multiple: true },
  { type: "spans", label: "Extra", categories: ["dosage"] },
  { type: "ranking", label: "Extra" },
  { type: "text", label: "Extra" },
];

function templateWith(extra: FieldInput, id: string): Template {
  return templateSchema.parse({
    fields: [
      { id: "score", type: "rating", label: "Score", min: 1, max: 5, required: true },
      { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
      { id: "errors", type: "spans", label: "Errors", categories: ["dosage"] },
      { ...extra, id },
    ],
  });
}

/** The same computation under both names, the ordinary one's result renamed to compare. */
function underBothNames<Result>(
  extra: FieldInput,
  compute: (template: Template) => Result,
): { reserved: unknown; ordinary: unknown } {
  const rename = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value ?? null).replaceAll(`"${ordinaryId}`, `"${reservedId}`));
  return {
    reserved: JSON.parse(JSON.stringify(compute(templateWith(extra, reservedId)) ?? null)),
    ordinary: rename(compute(templateWith(extra, ordinaryId))),
  };
}

const labels: Label[] = [
  { score: 4, verdict: "unsafe", errors: [span(0, 10)] },
  { score: 2, verdict: "safe", errors: [] },
  { score: 4, errors: [span(2, 12)] },
];

const described = optionalFields.map((field) => {
  const multiple = field.multiple ? " (multiple)" : "";
  return [`${field.type}${multiple}`, field] as const;
});

describe.each(described)(
  "an optional %s field named constructor that no label answers",
  (_name, extra) => {
    it("holds no position in the room's tallies and dissents from nothing", () => {
      const votes: Votes = { m1: labels[0]!, m2: labels[1]!, m3: labels[2]! };
      const tallies = underBothNames(extra, (template) => voteTallies(template, votes));
      expect(tallies.reserved).toEqual(tallies.ordinary);
      const minority = underBothNames(extra, (template) =>
        minorityPositions(template, labels[0]!, votes),
      );
      expect(minority.reserved).toEqual(minority.ordinary);
    });

    it("settles and scores as under any other name", () => {
      const agreement = underBothNames(extra, (template) => checkAgreement(template, {}, labels));
      expect(agreement.reserved).toEqual(agreement.ordinary);
      const item = {
        labels: labels.map((label, index) => ({ person: index, label })),
        final: { label: labels[0]! },
      };
      const final = underBothNames(extra, (template) => outcomesAgainstFinal(template, {}, item));
      expect(final.reserved).toEqual(final.ordinary);
    });

    it("is no gold answer, right or wrong", () => {
      const options = { ratingTolerance: 1 };
      for (const given of labels) {
        const scores = underBothNames(extra, (template) =>
          scoreLabelAgainstGold(template, labels[0]!, given, options),
        );
        expect(scores.reserved).toEqual(scores.ordinary);
        const outcomes = underBothNames(extra, (template) =>
          outcomesAgainstGold(template, {}, labels[0]!, given, options),
        );
        expect(outcomes.reserved).toEqual(outcomes.ordinary);
      }
    });

    it("exports no value", () => {
      const item: ExportItem = {
        externalId: "x",
        source: "consensus",
        prompt: "Dose?",
        responses: [{ id: "a", text: "Take 500 mg." }],
        metadata: {},
        label: labels[0]!,
        annotations: [],
      };
      const exports: Array<(template: Template) => unknown> = [
        (template) => exportedLabel(template, labels[0]!),
        (template) => csvRow(template, item),
        (template) => labelStudioResults(template, labels[0]!, ["a"]),
      ];
      for (const compute of exports) {
        const exported = underBothNames(extra, compute);
        expect(exported.reserved).toEqual(exported.ordinary);
      }
    });
  },
);

describe("a published answer on a field named constructor", () => {
  it("is dissented from only by members who answered it", () => {
    const published: Label = { score: 4, [reservedId]: "yes" };
    const votes: Votes = { m1: { score: 4, [reservedId]: "no" }, m2: { score: 4 } };
    const template = templateWith(optionalFields[2]!, reservedId);
    expect(minorityPositions(template, published, votes)).toEqual({
      [reservedId]: [{ member: "m1", value: "no" }],
    });
  });
});
