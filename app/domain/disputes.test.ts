import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kendallTau } from "./aggregation.ts";
import {
  checkAgreement,
  defaultSpreadAtLeast,
  disputePolicySchema,
  type FieldPolicy,
} from "./disputes.ts";
import { validateFinalLabel } from "./final-label.ts";
import { meanPairwiseSpanF1 } from "./spans.ts";
import { caseArbitrary, responses } from "../../tests/fixtures/label-arbitraries.ts";
import {
  templateSchema,
  type Label,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "./template.ts";

const template = templateSchema.parse({
  fields: [
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5 },
    { id: "preference", type: "preference", label: "Preference", scale: 2 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
    { id: "order", type: "ranking", label: "Order" },
    { id: "critique", type: "text", label: "Critique" },
  ],
});

const span = (start: number, end: number, severity = "major") => ({
  responseId: "a",
  start,
  end,
  category: "dosage",
  severity,
});

const agreeing = [
  {
    accuracy: 4,
    preference: 2,
    verdict: "safe",
    errors: [span(0, 10)],
    order: ["a", "b"],
    critique: "x",
  },
  {
    accuracy: 5,
    preference: 1,
    verdict: "safe",
    errors: [span(2, 10)],
    order: ["a", "b"],
    critique: "y",
  },
  {
    accuracy: 4,
    preference: 2,
    verdict: "safe",
    errors: [span(0, 9)],
    order: ["a", "b"],
    critique: "z",
  },
];

const check = (
  labels: ReadonlyArray<Record<string, unknown>>,
  policy: Record<string, unknown> = {},
  on: Template = template,
) => checkAgreement(on, disputePolicySchema.parse(policy), labels as Label[]);

const disputedFields = (labels: Array<Record<string, unknown>>, policy = {}) =>
  check(labels, policy)
    .fields.filter((field) => field.disputed)
    .map((field) => field.fieldId);

describe("checkAgreement", () => {
  it("finds consensus and aggregates it, keeping the error all three marked", () => {
    const result = check(agreeing);
    expect(result.disputed).toBe(false);
    expect(result.aggregated).toEqual({
      accuracy: 4,
      preference: 2,
      verdict: "safe",
      errors: [span(0, 10)],
      order: ["a", "b"],
    });
  });

  it("keeps a unanimous error marked at slightly different offsets (the vanished-errors case)", () => {
    // [0,10), [1,10) and [0,9): span F1 said they agree, and the old aggregate was `errors: []`.
    const result = check([
      { accuracy: 4, preference: 1, errors: [span(0, 10)] },
      { accuracy: 4, preference: 1, errors: [span(1, 10)] },
      { accuracy: 4, preference: 1, errors: [span(0, 9)] },
    ]);
    expect(result.disputed).toBe(false);
    expect(result.aggregated.errors).toEqual([span(0, 10)]);
  });

  it("disputes a rating spread of a share of the scale, at least one step", () => {
    expect(disputedFields([{ accuracy: 2 }, { accuracy: 4 }, { accuracy: 3 }])).toEqual([
      "accuracy",
    ]);
    expect(disputedFields([{ accuracy: 3 }, { accuracy: 4 }])).toEqual([]);
    expect(defaultSpreadAtLeast({ min: 1, max: 5 })).toBe(2);
    expect(defaultSpreadAtLeast({ min: 1, max: 7 })).toBe(2);
    expect(defaultSpreadAtLeast({ min: 1, max: 3 })).toBe(1);
    expect(defaultSpreadAtLeast({ min: 0, max: 100 })).toBe(30);
    expect(defaultSpreadAtLeast({ min: 0, max: 1 })).toBe(1);
  });

  it("scales the default spread with the scale: noise on 0–100 is no dispute", () => {
    const wide = templateSchema.parse({
      fields: [{ id: "score", type: "rating", label: "Score", min: 0, max: 100, required: true }],
    });
    const narrow = templateSchema.parse({
      fields: [{ id: "score", type: "rating", label: "Score", min: 1, max: 3, required: true }],
    });
    expect(check([{ score: 70 }, { score: 72 }, { score: 75 }], {}, wide).disputed).toBe(false);
    expect(check([{ score: 40 }, { score: 72 }, { score: 75 }], {}, wide).disputed).toBe(true);
    // A spread of 2 on 1–3 is the whole scale.
    expect(check([{ score: 1 }, { score: 3 }, { score: 3 }], {}, narrow).disputed).toBe(true);
    expect(check([{ score: 2 }, { score: 3 }, { score: 3 }], {}, narrow).disputed).toBe(true);
    expect(check([{ score: 3 }, { score: 3 }, { score: 3 }], {}, narrow).disputed).toBe(false);
  });

  it("disputes preferences whose directions differ, including tie against preference", () => {
    expect(disputedFields([{ preference: 1 }, { preference: -1 }])).toEqual(["preference"]);
    expect(disputedFields([{ preference: 0 }, { preference: 2 }])).toEqual(["preference"]);
    expect(disputedFields([{ preference: 1 }, { preference: 2 }])).toEqual([]);
    expect(
      disputedFields([{ preference: 1 }, { preference: 2 }], { preference: { compare: "value" } }),
    ).toEqual(["preference"]);
  });

  it("aggregates mirrored preferences to mirrored values (the order-bias case)", () => {
    // The lower median gave +1 for [+1, +2] but −2 for [−1, −2].
    expect(check([{ preference: 1 }, { preference: 2 }]).aggregated.preference).toBe(1);
    expect(check([{ preference: -1 }, { preference: -2 }]).aggregated.preference).toBe(-1);
  });

  it("settles a choice by a majority by default, or by the policy's share", () => {
    const labels = [{ verdict: "safe" }, { verdict: "safe" }, { verdict: "unsafe" }];
    expect(disputedFields(labels)).toEqual([]);
    expect(check(labels).aggregated.verdict).toBe("safe");
    expect(disputedFields(labels, { verdict: { minShare: 1 } })).toEqual(["verdict"]);
    expect(disputedFields([{ verdict: "safe" }, { verdict: "unsafe" }])).toEqual(["verdict"]);
  });

  it("never settles a choice without a value (the consensus-without-a-value case)", () => {
    const required = templateSchema.parse({
      fields: [
        {
          id: "verdict",
          type: "choice",
          label: "Verdict",
          options: ["A", "B", "C"],
          required: true,
        },
      ],
    });
    // minShare 0.3: each option has a third, and the old rule called this consensus with `{}`.
    const result = check(
      [{ verdict: "A" }, { verdict: "B" }, { verdict: "C" }],
      { verdict: { minShare: 0.3 } },
      required,
    );
    expect(result.disputed).toBe(true);
    expect(result.aggregated).toEqual({});
    expect(result.fields[0]!.reason).toMatch(/no option chosen more often/);
    // With a share below a half, a unique most chosen option holding that share settles it.
    expect(
      check(
        [{ verdict: "A" }, { verdict: "A" }, { verdict: "B" }, { verdict: "C" }, { verdict: "B" }],
        { verdict: { minShare: 0.3 } },
        required,
      ).disputed,
    ).toBe(true);
    expect(
      check(
        [{ verdict: "A" }, { verdict: "A" }, { verdict: "B" }, { verdict: "C" }, { verdict: "A" }],
        { verdict: { minShare: 0.3 } },
        required,
      ).aggregated,
    ).toEqual({ verdict: "A" });
  });

  it("settles each option of a multiple choice by majority, and disputes a tied option", () => {
    const tags = templateSchema.parse({
      fields: [
        { id: "tags", type: "choice", label: "Tags", options: ["x", "y", "z"], multiple: true },
      ],
    });
    const settled = check([{ tags: ["x", "y"] }, { tags: ["x"] }, {}], {}, tags);
    expect(settled.disputed).toBe(false);
    expect(settled.aggregated).toEqual({ tags: ["x"] });
    const tied = check([{ tags: ["x", "y"] }, { tags: ["x"] }], {}, tags);
    expect(tied.disputed).toBe(true);
    expect(tied.fields[0]!.reason).toMatch(/"y"/);
  });

  it("disputes spans whose mean pairwise F1 is below 0.5", () => {
    expect(
      disputedFields([{ errors: [span(0, 10)] }, { errors: [] }, { errors: [span(50, 60)] }]),
    ).toEqual(["errors"]);
  });

  it("disputes an error marked by exactly half the annotators, drops one marked by fewer", () => {
    expect(
      disputedFields([{ errors: [span(0, 10), span(20, 30)] }, { errors: [span(0, 10)] }]),
    ).toEqual(["errors"]);
    const result = check([
      { errors: [span(0, 10), span(20, 30)] },
      { errors: [span(0, 10)] },
      { errors: [span(1, 10)] },
    ]);
    expect(result.disputed).toBe(false);
    expect(result.aggregated.errors).toEqual([span(0, 10)]);
  });

  it("matches spans by maximum matching (the greedy-matching case)", () => {
    const labels = [{ errors: [span(0, 10), span(10, 12)] }, { errors: [span(1, 11), span(0, 1)] }];
    // Greedy pairing gave F1 0.50 and, with exact halves, a dispute; both errors pair up.
    const result = check(labels);
    expect(result.fields.find((field) => field.fieldId === "errors")!.reason).toMatch(/F1 1\.00/);
    expect(result.disputed).toBe(false);
  });

  it("takes the median severity in the template's order", () => {
    const result = check([
      { errors: [span(0, 10, "minor")] },
      { errors: [span(0, 10, "critical")] },
      { errors: [span(0, 10, "critical")] },
    ]);
    expect(result.aggregated.errors).toEqual([span(0, 10, "critical")]);
  });

  it("quotes the aggregate span's text from the responses when spans carry text", () => {
    const responses = [
      { id: "a", text: "Take 5 mg of warfarin daily with the antibiotic." },
      { id: "b", text: "Check the INR." },
    ];
    const quoted = (start: number, end: number) => ({
      ...span(start, end),
      text: responses[0]!.text.slice(start, end),
    });
    const aggregated = checkAgreement(
      template,
      {},
      [{ errors: [quoted(5, 9)] }, { errors: [quoted(4, 9)] }, { errors: [quoted(5, 10)] }],
      responses,
    ).aggregated;
    expect(aggregated.errors).toEqual([
      { responseId: "a", start: 5, end: 9, category: "dosage", severity: "major", text: "5 mg" },
    ]);
  });

  it("disputes reversed rankings and a Borda tie, and never compares free text", () => {
    expect(disputedFields([{ order: ["a", "b"] }, { order: ["b", "a"] }])).toEqual(["order"]);
    expect(
      disputedFields([{ order: ["a", "b"] }, { order: ["b", "a"] }], {
        order: { minKendallTau: -1 },
      }),
    ).toEqual(["order"]);
    expect(disputedFields([{ critique: "fine" }, { critique: "dangerous" }])).toEqual([]);
  });

  it("disputes a required field that has no aggregate, such as free text", () => {
    const critique = templateSchema.parse({
      fields: [{ id: "critique", type: "text", label: "Critique", required: true }],
    });
    const differing = check([{ critique: "fine" }, { critique: "dangerous" }], {}, critique);
    expect(differing.disputed).toBe(true);
    expect(differing.fields[0]!.reason).toMatch(/required/);
    expect(check([{ critique: "fine" }], {}, critique)).toMatchObject({
      disputed: false,
      aggregated: { critique: "fine" },
    });
  });

  it("skips ignored fields, which still settle on their aggregate", () => {
    const result = check([{ accuracy: 1 }, { accuracy: 5 }], { accuracy: { ignore: true } });
    expect(result.disputed).toBe(false);
    expect(result.aggregated.accuracy).toBe(3);
    // A required field needs a value even when ignored: 2 and 3 on 1–4 have no median.
    const even = templateSchema.parse({
      fields: [{ id: "score", type: "rating", label: "Score", min: 1, max: 4, required: true }],
    });
    expect(check([{ score: 2 }, { score: 3 }], { score: { ignore: true } }, even).disputed).toBe(
      true,
    );
  });

  it("settles only labels the template accepts: validates the aggregate with the responses", () => {
    const result = checkAgreement(
      template,
      {},
      [{ order: ["a", "b"] }, { order: ["a", "b"] }],
      [
        { id: "a", text: "one" },
        { id: "b", text: "two" },
        { id: "c", text: "three" },
      ],
    );
    expect(result.disputed).toBe(true);
    expect(result.fields.find((field) => field.fieldId === "order")!.reason).toMatch(/not valid/);
  });

  it("aggregates each field as consensus does, leaving out fields without an aggregate", () => {
    const exportTemplate = templateSchema.parse({
      fields: [
        { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5 },
        { id: "preference", type: "preference", label: "Preference", scale: 2 },
        { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
        { id: "notes", type: "text", label: "Notes" },
      ],
    });
    expect(
      check(
        [
          { accuracy: 4, preference: -1, verdict: "safe", notes: "fine" },
          { accuracy: 5, preference: -2, verdict: "safe" },
          { accuracy: 3, preference: -1, verdict: "unsafe" },
        ],
        {},
        exportTemplate,
      ).aggregated,
    ).toEqual({ accuracy: 4, preference: -1, verdict: "safe" });
  });
});

// Property tests over random templates, policies and label sets.

const RUNS = 500;

type Case = typeof caseArbitrary extends fc.Arbitrary<infer Drawn> ? Drawn : never;

const sign = Math.sign;
const given = (labels: ReadonlyArray<Label>, fieldId: string) =>
  labels.map((label) => label[fieldId]).filter((value) => value !== undefined);

/** Whether the policy's share holds: by default more than half. */
const holds = (policy: FieldPolicy, count: number, total: number) =>
  policy.minShare === undefined ? count * 2 > total : count / total >= policy.minShare;

function expectSupported(
  field: TemplateField,
  policy: FieldPolicy,
  labels: Label[],
  value: unknown,
) {
  const values = given(labels, field.id);
  switch (field.type) {
    case "rating": {
      const numbers = values as number[];
      const spread = Math.max(...numbers) - Math.min(...numbers);
      expect(spread).toBeLessThan(policy.spreadAtLeast ?? defaultSpreadAtLeast(field));
      expect(numbers.filter((n) => n <= (value as number)).length * 2).toBeGreaterThanOrEqual(
        numbers.length,
      );
      expect(numbers.filter((n) => n >= (value as number)).length * 2).toBeGreaterThanOrEqual(
        numbers.length,
      );
      return;
    }
    case "preference": {
      const numbers = values as number[];
      if (policy.compare === "value") expect(new Set([...numbers, value]).size).toBe(1);
      else expect(new Set([...numbers.map(sign), sign(value as number)]).size).toBe(1);
      return;
    }
    case "choice": {
      if (!field.multiple) {
        const count = values.filter((choice) => choice === value).length;
        expect(holds(policy, count, values.length)).toBe(true);
        return;
      }
      const sets = labels.map((label) => (label[field.id] ?? []) as string[]);
      for (const option of field.options) {
        const yes = sets.filter((set) => set.includes(option)).length;
        const side = (value as string[]).includes(option) ? yes : sets.length - yes;
        expect(side * 2).toBeGreaterThan(sets.length);
        expect(holds(policy, side, sets.length)).toBe(true);
      }
      return;
    }
    case "ranking": {
      const rankings = values as string[][];
      let total = 0;
      let pairs = 0;
      for (let i = 0; i < rankings.length; i++) {
        for (let j = i + 1; j < rankings.length; j++) {
          total += kendallTau(rankings[i]!, rankings[j]!);
          pairs++;
        }
      }
      expect(pairs === 0 ? 1 : total / pairs).toBeGreaterThanOrEqual(policy.minKendallTau ?? 0.5);
      return;
    }
    case "spans": {
      const sets = labels.map((label) => (label[field.id] ?? []) as SpanAnnotation[]);
      const mode = policy.spanMatch ?? "overlap";
      const f1 = meanPairwiseSpanF1(sets, mode);
      if (f1 !== null) expect(f1).toBeGreaterThanOrEqual(policy.minF1 ?? 0.5);
      for (const aggregate of value as SpanAnnotation[]) {
        const marking = sets.filter((spans) =>
          spans.some(
            (other) =>
              other.responseId === aggregate.responseId &&
              other.category === aggregate.category &&
              (mode === "exact"
                ? other.start === aggregate.start && other.end === aggregate.end
                : other.start < aggregate.end && aggregate.start < other.end),
          ),
        ).length;
        expect(marking * 2).toBeGreaterThan(sets.length);
      }
      return;
    }
    case "text":
    case "rewrite":
      expect(labels.every((label) => label[field.id] === value)).toBe(true);
  }
}

describe("checkAgreement properties", () => {
  it("settles an item only on a complete label the template accepts", () => {
    let consensus = 0;
    fc.assert(
      fc.property(caseArbitrary, ({ template: on, policy, labels }) => {
        const result = checkAgreement(on, policy, labels, responses);
        expect(result.disputed).toBe(result.fields.some((field) => field.disputed));
        if (result.disputed) return;
        consensus++;
        const validation = validateFinalLabel(on, responses, result.aggregated);
        expect(validation).toEqual({ valid: true, label: result.aggregated });
        for (const field of on.fields) {
          if (field.required) expect(result.aggregated[field.id]).toBeDefined();
        }
      }),
      { numRuns: RUNS },
    );
    // The generator must reach consensus often enough for the property to say something.
    expect(consensus).toBeGreaterThan(RUNS / 10);
  });

  it("settles every field on an aggregate that the policy's share supports", () => {
    fc.assert(
      fc.property(caseArbitrary, ({ template: on, policy, labels }) => {
        const result = checkAgreement(on, policy, labels, responses);
        if (result.disputed) return;
        for (const field of on.fields) {
          const fieldPolicy = policy[field.id] ?? {};
          const value = result.aggregated[field.id];
          if (value === undefined || fieldPolicy.ignore) continue;
          expectSupported(field, fieldPolicy, labels, value);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("mirrors the aggregate exactly when the two responses swap", () => {
    fc.assert(
      fc.property(caseArbitrary, ({ template: on, policy, labels }) => {
        const negate = (label: Label): Label =>
          Object.fromEntries(
            Object.entries(label).map(([fieldId, value]) => {
              const field = on.fields.find((entry) => entry.id === fieldId)!;
              return [fieldId, field.type === "preference" ? 0 - (value as number) : value];
            }),
          );
        const original = checkAgreement(on, policy, labels, responses);
        const swapped = checkAgreement(on, policy, labels.map(negate), [...responses].reverse());
        expect(swapped.aggregated).toEqual(negate(original.aggregated));
        expect(swapped.fields.map((field) => field.disputed)).toEqual(
          original.fields.map((field) => field.disputed),
        );
      }),
      { numRuns: RUNS },
    );
  });

  // Found by this property: the first annotator marks [1,6) of r1 twice, "major" and "minor", the
  // second [0,2) once; the two are tied for it, and the tie was broken by which annotator's spans
  // came first over both responses, which renaming the responses changed.
  const renamedTie: Case = {
    template: {
      fields: [
        {
          id: "f1",
          label: "f1",
          required: true,
          type: "choice",
          options: ["a", "b"],
          multiple: false,
        },
        {
          id: "f2",
          label: "f2",
          required: true,
          type: "spans",
          categories: ["x"],
          severities: ["minor", "major", "critical"],
        },
      ],
    },
    policy: {},
    labels: [
      {
        f1: "a",
        f2: [
          { responseId: "r2", start: 0, end: 1, category: "x", severity: "minor" },
          { responseId: "r1", start: 1, end: 6, category: "x", severity: "major" },
          { responseId: "r1", start: 1, end: 6, category: "x", severity: "minor" },
        ],
      },
      {
        f1: "a",
        f2: [
          { responseId: "r1", start: 0, end: 2, category: "x", severity: "minor" },
          { responseId: "r1", start: 0, end: 1, category: "x", severity: "minor" },
        ],
      },
      { f1: "a", f2: [] },
    ],
  };

  it("renames the aggregate exactly when the response ids are permuted", () => {
    fc.assert(
      fc.property(caseArbitrary, ({ template: on, policy, labels }) => {
        const rename = (id: string) => (id === "r1" ? "r2" : "r1");
        const relabel = (label: Label): Label =>
          Object.fromEntries(
            Object.entries(label).map(([fieldId, value]) => {
              const field = on.fields.find((entry) => entry.id === fieldId)!;
              if (field.type === "ranking") return [fieldId, (value as string[]).map(rename)];
              if (field.type === "spans") {
                const spans = (value as SpanAnnotation[]).map((entry) => ({
                  ...entry,
                  responseId: rename(entry.responseId),
                }));
                return [fieldId, spans];
              }
              return [fieldId, value];
            }),
          );
        const renamedResponses = responses.map((response) => ({
          ...response,
          id: rename(response.id),
        }));
        const original = checkAgreement(on, policy, labels, responses);
        const renamed = checkAgreement(on, policy, labels.map(relabel), renamedResponses);
        const canonical = (label: Label) =>
          Object.fromEntries(
            Object.entries(label).map(([fieldId, value]) => [
              fieldId,
              on.fields.find((entry) => entry.id === fieldId)!.type === "spans"
                ? [...(value as SpanAnnotation[])].map((entry) => JSON.stringify(entry)).sort()
                : value,
            ]),
          );
        expect(canonical(renamed.aggregated)).toEqual(canonical(relabel(original.aggregated)));
        expect(renamed.fields.map((field) => field.disputed)).toEqual(
          original.fields.map((field) => field.disputed),
        );
      }),
      { numRuns: RUNS, examples: [[renamedTie]] },
    );
  });

  // Found by this property: five annotators' mean pairwise span F1 is the policy's minimum, 0.3,
  // summed in one order and a hair below it in the reverse order, so the order in which they
  // submitted settled or disputed the item.
  const onTheThreshold: Case = {
    template: {
      fields: [
        {
          id: "f1",
          label: "f1",
          required: true,
          type: "spans",
          categories: ["x", "y"],
          severities: ["minor", "major", "critical"],
        },
      ],
    },
    policy: { f1: { minF1: 0.3 } },
    labels: [
      { f1: [{ responseId: "r2", start: 0, end: 1, category: "x", severity: "minor" }] },
      {
        f1: [
          { responseId: "r1", start: 0, end: 1, category: "y", severity: "minor" },
          { responseId: "r1", start: 1, end: 2, category: "x", severity: "minor" },
        ],
      },
      {
        f1: [
          { responseId: "r2", start: 0, end: 1, category: "x", severity: "minor" },
          { responseId: "r1", start: 0, end: 1, category: "x", severity: "minor" },
        ],
      },
      { f1: [{ responseId: "r1", start: 0, end: 1, category: "x", severity: "minor" }] },
      {
        f1: [
          { responseId: "r2", start: 0, end: 1, category: "x", severity: "minor" },
          { responseId: "r1", start: 1, end: 2, category: "x", severity: "minor" },
        ],
      },
    ],
  };

  it("does not depend on the order of the annotators", () => {
    fc.assert(
      fc.property(caseArbitrary, ({ template: on, policy, labels }) => {
        const original = checkAgreement(on, policy, labels, responses);
        const reversed = checkAgreement(on, policy, [...labels].reverse(), responses);
        expect(reversed.aggregated).toEqual(original.aggregated);
        expect(reversed.fields.map((field) => field.disputed)).toEqual(
          original.fields.map((field) => field.disputed),
        );
      }),
      { numRuns: RUNS, examples: [[onTheThreshold]] },
    );
  });
});
