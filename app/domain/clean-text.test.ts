import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  escapeInvalidCharacters,
  findInvalidCharacter,
  findInvalidText,
  formatTextPath,
  MAX_REPORTED_INVALID_TEXT,
  withCleanText,
} from "./clean-text.ts";

/** Code units Quorum refuses: C0 controls but tab, LF and CR, and lone surrogates. */
const refusedControls = [
  ...Array.from({ length: 0x20 }, (_, unit) => unit).filter(
    (unit) => ![0x09, 0x0a, 0x0d].includes(unit),
  ),
];

/** A refused character as it can stand anywhere: a control, or a surrogate without its pair. */
const refusedCharacter = fc.oneof(
  fc.constantFrom(...refusedControls).map((unit) => String.fromCharCode(unit)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
);

/** Text Quorum accepts: any scalar values but the refused controls. */
const cleanText = fc
  .string({ unit: "binary", maxLength: 40 })
  .map((text) => Array.from(text).filter((character) => findInvalidCharacter(character) === null))
  .map((characters) => characters.join(""));

describe("findInvalidCharacter", () => {
  it("accepts tab, line feed, carriage return, DEL, C1 controls and astral characters", () => {
    expect(findInvalidCharacter("a\tb\nc\r\nd\u007f\u0085 😀 𝔸")).toBeNull();
    expect(findInvalidCharacter("")).toBeNull();
  });

  it("finds NUL, the other C0 controls and unpaired surrogates, where they are", () => {
    expect(findInvalidCharacter("ab\u0000")).toEqual({ index: 2, codeUnit: 0 });
    expect(findInvalidCharacter("\u001b[31m")).toEqual({ index: 0, codeUnit: 0x1b });
    expect(findInvalidCharacter("x\ud800y")).toEqual({ index: 1, codeUnit: 0xd800 });
    expect(findInvalidCharacter("x\udc00")).toEqual({ index: 1, codeUnit: 0xdc00 });
    expect(findInvalidCharacter("😀\ud83d")).toEqual({ index: 2, codeUnit: 0xd83d });
    // A low surrogate before its high one is two unpaired surrogates.
    expect(findInvalidCharacter("\ude00\ud83d")).toEqual({ index: 0, codeUnit: 0xde00 });
  });

  it("finds a refused character put anywhere into clean text, at its place", () => {
    fc.assert(
      fc.property(cleanText, refusedCharacter, cleanText, (before, refused, after) => {
        // A lone high surrogate followed by a low one would pair with it: keep them apart.
        const text = `${before}${refused}${refused >= "\ud800" && refused <= "\udbff" ? "." : ""}${after}`;
        expect(findInvalidCharacter(before + after)).toBeNull();
        expect(findInvalidCharacter(text)).toEqual({
          index: before.length,
          codeUnit: refused.charCodeAt(0),
        });
      }),
    );
  });

  it("refuses exactly the text that is not well-formed or has a control outside XML 1.0's", () => {
    const anyCodeUnits = fc
      .array(
        fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0xd7f0, max: 0xe010 })),
        {
          maxLength: 30,
        },
      )
      .map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(fc.oneof(anyCodeUnits, fc.string({ unit: "binary", maxLength: 30 })), (text) => {
        const hasRefusedControl = Array.from(text).some((character) =>
          refusedControls.includes(character.charCodeAt(0)),
        );
        const refused = !isWellFormed(text) || hasRefusedControl;
        expect(findInvalidCharacter(text) !== null).toBe(refused);
      }),
    );
  });
});

/** The platform's own judgement of well-formed UTF-16: it refuses unpaired surrogates. */
function isWellFormed(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** A JSON-like value with one refused string somewhere in it, and the path to that string. */
const valueWithRefusedText = fc
  .tuple(
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.nat(5)), { maxLength: 6 }),
    cleanText,
    refusedCharacter,
    cleanText,
    fc.boolean(),
  )
  .map(([path, before, refused, after, inKey]) => {
    const text = `${before}${refused}.${after}`;
    let value: unknown = inKey ? { [text]: "fine" } : text;
    for (let depth = path.length - 1; depth >= 0; depth--) {
      const step = path[depth];
      value =
        typeof step === "number"
          ? [...Array.from({ length: step }, () => "clean"), value]
          : { other: "clean", [step]: value };
    }
    return { value, path: inKey ? [...path, text] : path, inKey };
  });

describe("findInvalidText", () => {
  it("names the path of every refused string, object keys included", () => {
    expect(
      findInvalidText({
        name: "ok",
        template: { fields: [{ id: "a", label: "bad\u0000" }] },
        "key\u0001": 1,
        list: ["fine", "\ud800"],
      }),
    ).toEqual([
      {
        path: ["template", "fields", 0, "label"],
        inKey: false,
        message: expect.stringContaining("U+0000 at index 3"),
      },
      { path: ["key\u0001"], inKey: true, message: expect.stringContaining("the key contains") },
      { path: ["list", 1], inKey: false, message: expect.stringContaining("unpaired surrogate") },
    ]);
  });

  it("finds the one refused string wherever it is put in a value", () => {
    fc.assert(
      fc.property(valueWithRefusedText, ({ value, path, inKey }) => {
        const found = findInvalidText(value);
        expect(found).toHaveLength(1);
        expect(found[0].path).toEqual(path);
        expect(found[0].inKey).toBe(inKey);
      }),
    );
  });

  it("reports nothing for clean values and leaves numbers, booleans and null alone", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findInvalidText(value)).toEqual([]);
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(cleanText, fc.array(cleanText)), (value) => {
        expect(findInvalidText(value)).toEqual([]);
      }),
    );
    expect(findInvalidText({ a: 1, b: true, c: null, d: [1.5, "ok"] })).toEqual([]);
  });

  it("walks values nested deeper than the call stack, and bounds what it reports", () => {
    let deep: unknown = "\u0000";
    for (let depth = 0; depth < 200_000; depth++) deep = [deep];
    expect(findInvalidText(deep)).toHaveLength(1);
    const many = Array.from({ length: 1000 }, () => "\u0000");
    expect(findInvalidText(many)).toHaveLength(MAX_REPORTED_INVALID_TEXT);
  });
});

describe("formatTextPath", () => {
  it("joins with dots and writes refused characters as escapes", () => {
    expect(formatTextPath([])).toBe("(root)");
    expect(formatTextPath(["responses", 0, "text"])).toBe("responses.0.text");
    expect(formatTextPath(["metadata", "a\u0000b"], "row")).toBe("row.metadata.a\\u0000b");
    expect(escapeInvalidCharacters("\ud800x\u001f")).toBe("\\ud800x\\u001f");
  });
});

describe("withCleanText", () => {
  it("adds an issue at each refused string's path to any schema", () => {
    const schema = withCleanText(z.object({ name: z.string(), tags: z.array(z.string()) }));
    expect(schema.safeParse({ name: "ok", tags: ["a"] }).success).toBe(true);
    const parsed = schema.safeParse({ name: "n\u0000", tags: ["a", "\udfff"] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path)).toEqual([["name"], ["tags", 1]]);
  });
});
