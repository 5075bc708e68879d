import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addSpan, spansOf, updateSpan } from "./room.ts";
import {
  CODE_POINT_HINT,
  CodePointOffsets,
  isCharacterBoundary,
  quoteLabelSpans,
  quoteSpan,
  spanOffsetProblems,
  trimSelection,
} from "./span-offsets.ts";
import { labelSchemaFor, templateSchema, type SpanAnnotation } from "./template.ts";

const template = templateSchema.parse({
  fields: [{ id: "errors", type: "spans", label: "Errors", categories: ["factual"] }],
});
const span = (start: number, end: number, extra: Partial<SpanAnnotation> = {}) => ({
  responseId: "r",
  start,
  end,
  category: "factual",
  severity: "minor",
  ...extra,
});
const schemaFor = (text: string) => labelSchemaFor(template, [{ id: "r", text }]);
const issuesOf = (text: string, spans: unknown[]) => {
  const parsed = schemaFor(text).safeParse({ errors: spans });
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
};

/** Texts of ASCII, Latin, CJK, astral characters (emoji, CJK extension B) and punctuation. */
const pieces = ["a", "b", " ", "é", "中", "😀", "𠀀", "👍🏽", ".", ",", "\n", "(", ")", "—"];
const textArbitrary = fc
  .array(fc.constantFrom(...pieces), { maxLength: 24 })
  .map((parts) => parts.join(""));

describe("span offsets", () => {
  it("count UTF-16 code units: an emoji is two", () => {
    const text = "Dose 😀 here";
    expect(issuesOf(text, [span(5, 7)])).toEqual([]);
    expect(schemaFor(text).parse({ errors: [span(5, 7)] }).errors).toEqual([
      span(5, 7, { text: "😀" }),
    ]);
  });

  it("refuse a span that splits a surrogate pair, naming the offset", () => {
    const text = "Dose 😀 here";
    expect(issuesOf(text, [span(6, 8)])).toEqual([
      {
        path: "errors.0.start",
        message: expect.stringMatching(/start 6 falls inside .*use 5 or 7/),
      },
    ]);
    expect(issuesOf(text, [span(0, 6)])).toEqual([
      { path: "errors.0.end", message: expect.stringMatching(/surrogate pair/) },
    ]);
  });

  it("refuse a span past the text, in code units", () => {
    expect(issuesOf("short", [span(2, 9)])).toEqual([
      {
        path: "errors.0.end",
        message: "end must not exceed the response length (5), counted in UTF-16 code units",
      },
    ]);
  });

  it("refuse a text that is not the slice at the offsets", () => {
    expect(issuesOf("The test is here.", [span(4, 11, { text: "test" })])).toEqual([
      {
        path: "errors.0.text",
        message: '"test" is not the response text at 4–11, which reads "test is"',
      },
    ]);
  });

  it("say so when the offsets were counted in code points", () => {
    // A Python client: len("😀😀 wrong") == 8, and "wrong" is at [3, 8) in code points.
    const text = "😀😀 wrong dose";
    expect(issuesOf(text, [span(3, 8, { text: "wrong" })])).toEqual([
      { path: "errors.0.text", message: `${CODE_POINT_HINT}: "wrong" is at start 5, end 10` },
    ]);
    // The same when the code-point offsets split a pair or run past the text in UTF-16 terms.
    expect(issuesOf("𠀀x", [span(1, 2, { text: "x" })])).toEqual([
      { path: "errors.0.text", message: `${CODE_POINT_HINT}: "x" is at start 2, end 3` },
    ]);
  });

  it("quote long texts in messages briefly", () => {
    const text = "x".repeat(200);
    const [problem] = spanOffsetProblems(text, { start: 0, end: 100, text: "y".repeat(100) });
    expect(problem!.message.length).toBeLessThan(200);
    expect(problem!.message).toMatch(/…"/);
  });

  it("accept exactly the valid spans, and always store the slice as text", () => {
    fc.assert(
      fc.property(
        textArbitrary,
        fc.integer({ min: -2, max: 40 }),
        fc.integer({ min: -2, max: 40 }),
        fc.constantFrom("none", "slice", "code points", "other"),
        (text, start, end, quote) => {
          const codePoints = Array.from(text);
          const given =
            quote === "slice"
              ? text.slice(start, end)
              : quote === "code points"
                ? codePoints.slice(start, end).join("")
                : quote === "other"
                  ? "zz"
                  : undefined;
          const candidate = span(start, end, given === undefined ? {} : { text: given });
          const valid =
            start >= 0 &&
            start < end &&
            end <= text.length &&
            isCharacterBoundary(text, start) &&
            isCharacterBoundary(text, end) &&
            (given === undefined || given === text.slice(start, end));
          const parsed = schemaFor(text).safeParse({ errors: [candidate] });
          expect(parsed.success).toBe(valid);
          if (parsed.success) {
            expect(parsed.data.errors).toEqual([{ ...candidate, text: text.slice(start, end) }]);
          } else if (
            given !== undefined &&
            given !== text.slice(start, end) &&
            start >= 0 &&
            start < end &&
            end <= codePoints.length &&
            given === codePoints.slice(start, end).join("")
          ) {
            expect(parsed.error.issues[0]!.message).toContain(CODE_POINT_HINT);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("CodePointOffsets", () => {
  it("maps code point offsets to code unit offsets", () => {
    fc.assert(
      fc.property(textArbitrary, (text) => {
        const offsets = new CodePointOffsets(text);
        const codePoints = Array.from(text);
        expect(offsets.length).toBe(codePoints.length);
        for (let index = 0; index <= codePoints.length; index++) {
          expect(offsets.codeUnitOffset(index)).toBe(codePoints.slice(0, index).join("").length);
        }
        expect(offsets.codeUnitOffset(codePoints.length + 1)).toBeUndefined();
      }),
    );
  });
});

describe("quoting stored spans", () => {
  it("quotes a span, and widens one that splits a character only when asked", () => {
    const text = "a😀b";
    expect(quoteSpan({ start: 0, end: 2 }, text, true)).toEqual({ start: 0, end: 3, text: "a😀" });
    expect(quoteSpan({ start: 0, end: 2 }, text, false)).toBeNull();
    expect(quoteSpan({ start: 3, end: 4 }, text, false)).toEqual({ start: 3, end: 4, text: "b" });
    expect(quoteSpan({ start: 3, end: 9 }, text, true)).toBeNull();
  });

  it("quotes every span of a label and counts what it did", () => {
    const responses = [{ id: "r", text: "a😀b" }];
    const label = {
      errors: [span(0, 1), span(1, 2), span(3, 4, { text: "b" }), span(0, 9)],
    };
    const quoted = quoteLabelSpans(template, label, responses, { widen: true });
    expect(quoted.label.errors).toEqual([
      span(0, 1, { text: "a" }),
      span(1, 3, { text: "😀" }),
      span(3, 4, { text: "b" }),
      span(0, 9),
    ]);
    expect(quoted).toMatchObject({ quoted: 2, widened: 1, unquoted: 1 });
  });
});

describe("a room's spans", () => {
  it("keep their quote, and lose it when their offsets change", () => {
    const doc = new Y.Doc();
    const id = addSpan(doc, "errors", span(0, 3, { text: "The" }));
    expect(spansOf(doc, "errors")).toEqual([{ ...span(0, 3, { text: "The" }), id }]);
    updateSpan(doc, "errors", id, { severity: "major" });
    expect(spansOf(doc, "errors")[0]!.text).toBe("The");
    updateSpan(doc, "errors", id, { end: 4 });
    expect(spansOf(doc, "errors")[0]).not.toHaveProperty("text");
  });
});

describe("trimSelection", () => {
  const trimmed = (text: string, start = 0, end = text.length) => {
    const range = trimSelection(text, start, end);
    return range && text.slice(range.start, range.end);
  };

  it("drops the leading space and trailing punctuation a word selection picks up", () => {
    expect(trimSelection("The test is.", 3, 11)).toEqual({ start: 4, end: 11 });
    expect(trimmed(" test is.")).toBe("test is");
    expect(trimmed("\u00a0test is;\n")).toBe("test is");
    expect(trimmed(". Next sentence")).toBe("Next sentence");
    expect(trimmed(" — which ")).toBe("which");
  });

  it("makes no span of a selection of spaces and punctuation only", () => {
    for (const selection of [" ", " . ", "?!", "\n\n", "—", "( )", '"', "…"]) {
      expect(trimSelection(selection, 0, selection.length)).toBeNull();
    }
    expect(trimSelection("abc", 1, 1)).toBeNull();
  });

  it("keeps brackets and quotes that pair inside the selection", () => {
    expect(trimmed("(dose).")).toBe("(dose)");
    expect(trimmed("dose).")).toBe("dose");
    expect(trimmed("(dose")).toBe("dose");
    expect(trimmed("f(x)")).toBe("f(x)");
    expect(trimmed('"twice daily".')).toBe('"twice daily"');
    expect(trimmed("“twice daily”")).toBe("“twice daily”");
    expect(trimmed("twice daily”")).toBe("twice daily");
  });

  it("keeps what belongs to the word: leading dots, hyphens, percent signs", () => {
    expect(trimmed(".5 mg")).toBe(".5 mg");
    expect(trimmed("--force")).toBe("--force");
    expect(trimmed("-5 mg")).toBe("-5 mg");
    expect(trimmed("50%.")).toBe("50%");
    expect(trimmed("don't")).toBe("don't");
  });

  it("trims the punctuation of other scripts", () => {
    expect(trimmed("用量错误。")).toBe("用量错误");
    expect(trimmed("الجرعة؟")).toBe("الجرعة");
    expect(trimmed("खुराक।")).toBe("खुराक");
  });

  it("never splits a character", () => {
    const text = "a😀b";
    expect(trimSelection(text, 2, 3)).toEqual({ start: 1, end: 3 });
    expect(trimSelection(text, 0, 2)).toEqual({ start: 0, end: 3 });
  });

  it("returns a non-empty range inside the selection, on character boundaries, that trims to itself", () => {
    fc.assert(
      fc.property(
        textArbitrary,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        (text, a, b) => {
          const start = Math.min(a, b, text.length);
          const end = Math.min(Math.max(a, b), text.length);
          const range = trimSelection(text, start, end);
          if (!range) return;
          expect(range.start).toBeLessThan(range.end);
          expect(range.start).toBeGreaterThanOrEqual(start - 1);
          expect(range.end).toBeLessThanOrEqual(end + 1);
          expect(isCharacterBoundary(text, range.start)).toBe(true);
          expect(isCharacterBoundary(text, range.end)).toBe(true);
          const marked = text.slice(range.start, range.end);
          expect(marked).not.toMatch(/^\s|\s$/u);
          expect(trimSelection(text, range.start, range.end)).toEqual(range);
          expect(issuesOf(text, [span(range.start, range.end, { text: marked })])).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
