import { describe, expect, test } from "vitest";
import { validationFailed } from "../../../server/errors.ts";
import { appErrorToFormErrors } from "./form-errors.server.ts";

describe("appErrorToFormErrors", () => {
  const refusal = validationFailed("Invalid settings", [
    { field: "settings.juniorReview.firstN", message: "Too big" },
    { field: "settings.reservationMinutes", message: "Too small" },
    { field: "settings.requireExpert", message: "Expected boolean" },
    { field: "name", message: "Required" },
    { field: "template.fields.2.max", message: "min must be below max" },
  ]);

  test("sends each detail to the input named for the longest prefix of its path", () => {
    expect(
      appErrorToFormErrors(refusal, {
        "settings.juniorReview.firstN": "juniorReviewFirstN",
        "settings.reservationMinutes": "reservationMinutes",
        settings: "(root)",
      }),
    ).toEqual({
      formErrors: ["requireExpert: Expected boolean"],
      fieldErrors: {
        juniorReviewFirstN: ["Too big"],
        reservationMinutes: ["Too small"],
        name: ["Required"],
        template: ["fields.2.max: min must be below max"],
      },
    });
  });

  test("without names, a detail goes to the input its path starts with", () => {
    expect(appErrorToFormErrors(refusal).fieldErrors.settings).toEqual([
      "juniorReview.firstN: Too big",
      "reservationMinutes: Too small",
      "requireExpert: Expected boolean",
    ]);
  });
});
