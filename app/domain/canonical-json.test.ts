import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: [{ z: 1, y: 2 }, 3], c: { e: null, d: "x" } })).toBe(
      '{"a":[{"y":2,"z":1},3],"b":1,"c":{"d":"x","e":null}}',
    );
  });

  it("serialises equal values written in different key orders identically", () => {
    const first = { prompt: "Q", responses: [{ id: "a", text: "A", model: "m" }] };
    const second = { responses: [{ model: "m", text: "A", id: "a" }], prompt: "Q" };
    expect(canonicalJson(first)).toBe(canonicalJson(second));
  });

  it("drops undefined properties, as JSON.stringify does", () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});
