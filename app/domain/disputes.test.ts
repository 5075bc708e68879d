import { describe, expect, it } from "vitest";
import { checkAgreement, disputePolicySchema } from "./disputes.ts";
import { templateSchema } from "./template.ts";

const template = templateSchema.parse({
  fields: [
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5, required: true },
    { id: "preference", type: "preference", label: "Preference", scale: 2, required: true },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
    { id: "order", type: "ranking", label: "Order" },
    { id: "critique", type: "text", label: "Critique" },
  ],
});

const span = (start: number, end: number) => ({
  responseId: "a",
  start,
  end,
  category: "dosage",
  severity: "major",
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

const disputedFields = (labels: Array<Record<string, unknown>>, policy = {}) =>
  checkAgreement(template, disputePolicySchema.parse(policy), labels as never)
    .fields.filter((field) => field.disputed)
    .map((field) => field.fieldId);

describe("checkAgreement", () => {
  it("finds consensus and aggregates it", () => {
    const check = checkAgreement(template, {}, agreeing);
    expect(check.disputed).toBe(false);
    expect(check.aggregated).toEqual({
      accuracy: 4,
      preference: 2,
      verdict: "safe",
      errors: [],
      order: ["a", "b"],
    });
  });

  it("disputes a rating spread of two or more", () => {
    expect(disputedFields([{ accuracy: 2 }, { accuracy: 4 }, { accuracy: 3 }])).toEqual([
      "accuracy",
    ]);
    expect(disputedFields([{ accuracy: 3 }, { accuracy: 4 }])).toEqual([]);
  });

  it("disputes preferences whose directions differ, including tie against preference", () => {
    expect(disputedFields([{ preference: 1 }, { preference: -1 }])).toEqual(["preference"]);
    expect(disputedFields([{ preference: 0 }, { preference: 2 }])).toEqual(["preference"]);
    expect(disputedFields([{ preference: 1 }, { preference: 2 }])).toEqual([]);
    expect(
      disputedFields([{ preference: 1 }, { preference: 2 }], { preference: { compare: "value" } }),
    ).toEqual(["preference"]);
  });

  it("disputes a choice that is not unanimous, or below the policy's share", () => {
    const labels = [{ verdict: "safe" }, { verdict: "safe" }, { verdict: "unsafe" }];
    expect(disputedFields(labels)).toEqual(["verdict"]);
    expect(disputedFields(labels, { verdict: { minShare: 0.6 } })).toEqual([]);
  });

  it("disputes spans whose mean pairwise F1 is below 0.5", () => {
    expect(
      disputedFields([{ errors: [span(0, 10)] }, { errors: [] }, { errors: [span(50, 60)] }]),
    ).toEqual(["errors"]);
  });

  it("disputes reversed rankings and never compares free text", () => {
    expect(disputedFields([{ order: ["a", "b"] }, { order: ["b", "a"] }])).toEqual(["order"]);
    expect(disputedFields([{ critique: "fine" }, { critique: "dangerous" }])).toEqual([]);
  });

  it("skips ignored fields", () => {
    expect(
      disputedFields([{ accuracy: 1 }, { accuracy: 5 }], { accuracy: { ignore: true } }),
    ).toEqual([]);
  });
});
