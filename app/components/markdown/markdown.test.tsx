import { isValidElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { Markdown } from "./markdown.tsx";
import { renderMarkdown, safeHref } from "./render.tsx";
import { alignValue, sourceOffsetInRun, splitAtHighlights, type SourceRun } from "./source-map.ts";

interface RenderedRun extends SourceRun {
  text: string;
}

/** The text runs of rendered markdown in document order, as a DOM selection meets them. */
function collectRuns(node: ReactNode, into: RenderedRun[] = []): RenderedRun[] {
  if (Array.isArray(node)) {
    node.forEach((child) => collectRuns(child, into));
  } else if (isValidElement<Record<string, unknown>>(node)) {
    const { props } = node;
    if (props["data-source-start"] !== undefined) {
      const text = typeof props.children === "string" ? props.children : "[formula]";
      into.push({
        sourceStart: Number(props["data-source-start"]),
        sourceEnd: Number(props["data-source-end"]),
        atomic: props["data-source-atomic"] !== undefined,
        textLength: text.length,
        text,
      });
    } else {
      collectRuns(props.children as ReactNode, into);
    }
  }
  return into;
}

/**
 * Selects `selected` in the rendered text (its `occurrence`-th appearance) and maps the
 * selection's two ends back to the raw markdown, as the labeling page does.
 */
function selectRendered(markdown: string, selected: string, occurrence = 0) {
  const runs = collectRuns(renderMarkdown(markdown));
  const visible = runs.map((run) => run.text).join("");
  let from = -1;
  for (let seen = 0; seen <= occurrence; seen++) from = visible.indexOf(selected, from + 1);
  expect(from, `"${selected}" is rendered`).toBeGreaterThanOrEqual(0);
  const to = from + selected.length;
  const locate = (position: number, edge: "start" | "end") => {
    let passed = 0;
    for (const run of runs) {
      const inside =
        edge === "start" ? position < passed + run.textLength : position <= passed + run.textLength;
      if (inside) return sourceOffsetInRun(run, position - passed, edge);
      passed += run.textLength;
    }
    throw new Error("outside the rendered text");
  };
  const start = locate(from, "start");
  const end = locate(to, "end");
  return { start, end, raw: markdown.slice(start, end) };
}

describe("selections over rendered markdown map to the raw text", () => {
  test("a plain paragraph maps one to one", () => {
    const markdown = "Metformin is first-line therapy.";
    expect(selectRendered(markdown, "first-line")).toEqual({
      start: 13,
      end: 23,
      raw: "first-line",
    });
  });

  test("emphasis and strong: the markers inside a selection are part of the raw span", () => {
    const markdown = "Take it *with food* and **never** double the dose.";
    expect(selectRendered(markdown, "with food").raw).toBe("with food");
    expect(selectRendered(markdown, "food and never double").raw).toBe(
      "food* and **never** double",
    );
  });

  test("inline code and code blocks", () => {
    const markdown = "Call `parse(x)` first:\n\n```js\nconst total = items.length;\n```\n";
    expect(selectRendered(markdown, "parse(x)").raw).toBe("parse(x)");
    expect(selectRendered(markdown, "total = items").raw).toBe("total = items");
  });

  test("headings and lists, including continuation lines whose indentation is not shown", () => {
    const markdown = "## Dosing\n\n1. Start at 500 mg\n   once daily.\n2. Titrate *slowly*.\n";
    expect(selectRendered(markdown, "Dosing").raw).toBe("Dosing");
    expect(selectRendered(markdown, "500 mg\nonce").raw).toBe("500 mg\n   once");
    expect(selectRendered(markdown, "Titrate slowly").raw).toBe("Titrate *slowly");
  });

  test("escapes and character references keep later offsets exact", () => {
    const markdown = "Use 5 \\* 2 &amp; check &lt;dose&gt; twice.";
    expect(selectRendered(markdown, "check <dose> twice").raw).toBe("check &lt;dose&gt; twice");
    expect(selectRendered(markdown, "twice").start).toBe(markdown.indexOf("twice"));
  });

  test("right-to-left text and characters outside the BMP use UTF-16 offsets", () => {
    const markdown = "المريض 😀 يحتاج **جرعة** أقل";
    const { start, end, raw } = selectRendered(markdown, "جرعة");
    expect(raw).toBe("جرعة");
    expect(start).toBe(markdown.indexOf("جرعة"));
    expect(end - start).toBe(4);
  });

  test("a formula is taken whole", () => {
    const markdown = "Clearance is $\\frac{a}{b}$ per minute.";
    const runs = collectRuns(renderMarkdown(markdown));
    const formula = runs.find((run) => run.atomic)!;
    expect(markdown.slice(formula.sourceStart, formula.sourceEnd)).toBe("$\\frac{a}{b}$");
    expect(sourceOffsetInRun(formula, 1, "start")).toBe(formula.sourceStart);
    expect(sourceOffsetInRun(formula, 1, "end")).toBe(formula.sourceEnd);
  });
});

describe("alignment of a node's text with its source", () => {
  test("skipped source characters split the text into linear segments", () => {
    const source = "a \\* b";
    expect(alignValue("a * b", source, 0, source.length)).toEqual([
      { valueStart: 0, valueEnd: 2, sourceStart: 0, sourceEnd: 2, atomic: false },
      { valueStart: 2, valueEnd: 5, sourceStart: 3, sourceEnd: 6, atomic: false },
    ]);
  });

  test("text that cannot be aligned becomes one atomic segment, never a wrong offset", () => {
    expect(alignValue("xyz", "abc", 0, 3)).toEqual([
      { valueStart: 0, valueEnd: 3, sourceStart: 0, sourceEnd: 3, atomic: true },
    ]);
  });
});

describe("existing spans shown over the rendered text", () => {
  test("a run is cut exactly where a span begins and ends", () => {
    const pieces = splitAtHighlights(
      { text: "first-line therapy", sourceStart: 13, sourceEnd: 31, atomic: false },
      [{ start: 13, end: 23 }],
    );
    expect(pieces.map((piece) => [piece.text, piece.highlights])).toEqual([
      ["first-line", [0]],
      [" therapy", []],
    ]);
  });

  test("a span over emphasis highlights the text on both sides of the markers", () => {
    const markdown = "Take it *with food* daily.";
    const start = markdown.indexOf("it");
    const end = markdown.indexOf("food") + 4;
    const html = renderToStaticMarkup(
      <Markdown source={markdown} highlights={[{ start, end, label: "factual error", tone: 0 }]} />,
    );
    const marked = [...html.matchAll(/<mark[^>]*>([^<]*)<\/mark>/g)].map((match) => match[1]);
    expect(marked).toEqual(["it ", "with food"]);
    expect(html).toContain('title="factual error"');
  });
});

describe("untrusted content renders inert", () => {
  const hostile = [
    "<script>window.pwned = 1</script>",
    '<img src="x" onerror="window.pwned = 2">',
    "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)",
    "![tracker](https://evil.example/pixel.png)",
    "$\\href{javascript:alert(3)}{x}$",
    '<a href="javascript:alert(4)">raw link</a>',
  ].join("\n\n");

  test("no element or attribute comes from the data", () => {
    const html = renderToStaticMarkup(<Markdown source={hostile} />);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<a [^>]*href="(javascript|data):/i);
    expect(html).not.toMatch(/<[^>]*\sonerror=/i);
    expect(html).not.toContain('href="javascript');
    // The payloads are still there to read, as text.
    expect(html).toContain("&lt;script&gt;window.pwned = 1&lt;/script&gt;");
    expect(html).toContain("[image: tracker] https://evil.example/pixel.png");
  });

  test("links keep only http(s) and mailto targets, and never pass the referrer", () => {
    expect(safeHref("https://example.org/a?b")).toBe("https://example.org/a?b");
    expect(safeHref("mailto:someone@example.org")).toBe("mailto:someone@example.org");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("/relative")).toBeNull();
    const html = renderToStaticMarkup(<Markdown source="[site](https://example.org)" />);
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  test("blocks carry dir=auto so right-to-left languages lay out correctly", () => {
    const html = renderToStaticMarkup(<Markdown source={"שלום עולם\n\n- פריט"} />);
    expect(html).toContain('<p dir="auto">');
    expect(html).toContain('<li dir="auto">');
  });
});
