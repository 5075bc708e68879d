import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_PASSWORD_CHARACTERS, passwordSchema } from "./users.ts";

describe("the password rule", () => {
  it("accepts exactly the passwords of at least 12 characters, counted as code points", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (password) => {
        const characters = Array.from(password).length;
        expect(passwordSchema.safeParse(password).success).toBe(
          characters >= MIN_PASSWORD_CHARACTERS && password.length <= 1024,
        );
      }),
    );
  });

  it("counts an emoji as one character, not two UTF-16 units", () => {
    expect(passwordSchema.safeParse("🔑".repeat(6)).success).toBe(false);
    expect(passwordSchema.safeParse("🔑".repeat(12)).success).toBe(true);
  });

  it("refuses the demo password: the seed sets it without this rule", () => {
    expect(passwordSchema.safeParse("quorum-demo").success).toBe(false);
    expect(passwordSchema.safeParse("quorum-demo!").success).toBe(true);
  });
});
