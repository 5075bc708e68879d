import fc from "fast-check";
import { isValidElement, type ReactNode } from "react";
import { renderToStaticMarkup, renderToString } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { markdownShapes, ordinaryMarkdown } from "../../../tests/fixtures/markdown-shapes.ts";
import { renderMarkdownToHtml } from "../../../server/rendering/markdown-html.ts";
import { ContentFormatsProvider, PreparedContentContext } from "./content-context.tsx";
import {
  addContentFormat,
  contentDigest,
  plainTextNotices,
  type ContentFormat,
  type ContentFormats,
  type PreparedContent,
} from "./content-formats.ts";
import { Markdown } from "./markdown.tsx";
import { PreparedMarkdown } from "./prepared-markdown.tsx";
import { renderPlainText, type MarkdownHighlight } from "./render.tsx";

/** What a page's loader and the server's workers would have made of these fields. */
function preparedFor(fields: Record<string, PreparedContent>) {
  const formats: ContentFormats = {};
  const prepared = new Map<string, PreparedContent>();
  for (const [source, content] of Object.entries(fields)) {
    addContentFormat(formats, source, content.format);
    prepared.set(source, content);
  }
  return { formats, prepared };
}

/** The server's rendering of a field, as app/entry.server.tsx sets it up. */
function onServer(
  source: string,
  fields: Record<string, PreparedContent>,
  highlights?: MarkdownHighlight[],
): string {
  const { formats, prepared } = preparedFor(fields);
  return renderToString(
    <PreparedContentContext.Provider value={prepared}>
      <ContentFormatsProvider formats={formats}>
        <PreparedMarkdown source={source} highlights={highlights} />
      </ContentFormatsProvider>
    </PreparedContentContext.Provider>,
  );
}

interface Run {
  start: number;
  end: number;
  text: string;
  marked: boolean;
}

function collectRuns(node: ReactNode, into: Run[] = []): Run[] {
  if (Array.isArray(node)) {
    node.forEach((child) => collectRuns(child, into));
  } else if (isValidElement<Record<string, unknown>>(node)) {
    const { props } = node;
    if (props["data-source-start"] !== undefined) {
      into.push({
        start: Number(props["data-source-start"]),
        end: Number(props["data-source-end"]),
        text: String(props.children),
        marked: node.type === "mark",
      });
    } else {
      collectRuns(props.children as ReactNode, into);
    }
  }
  return into;
}

describe("item content on the server", () => {
  test("is the markup the browser renders for ordinary markdown", () => {
    for (const source of [ordinaryMarkdown, "Plain words.", "", "# Only a heading"]) {
      const html = onServer(source, { [source]: renderMarkdownToHtml(source) });
      expect(html).toBe(renderToStaticMarkup(<Markdown source={source} />));
    }
  });

  test("is plain text with a notice for a field over the limits, never parsed", () => {
    for (const shape of markdownShapes.filter((candidate) => !candidate.formatted)) {
      const content: PreparedContent = { format: "too-complex" };
      const html = onServer(shape.source, { [shape.source]: content });
      expect(html).toContain(plainTextNotices["too-complex"]);
      expect(html).toContain(
        `<span data-source-start="0" data-source-end="${shape.source.length}">`,
      );
    }
  });

  test("is plain text when the page's loader did not prepare the field", () => {
    // Parsing 20,000 nested quotes overflows the stack: plain text proves nothing parsed it.
    const quotes = markdownShapes.find((shape) => shape.name.includes("quotes"))!.source;
    const html = onServer(quotes, {});
    expect(html).toContain(plainTextNotices["not-ready"]);
    expect(renderToString(<PreparedMarkdown source={quotes} />)).toContain(
      plainTextNotices["not-ready"],
    );
  });

  test("shows the spans of a plain text field where their offsets are", () => {
    const source = "Take 500 mg **twice** a day.";
    const html = onServer(source, { [source]: { format: "too-large" } }, [
      { start: 5, end: 11, label: "dosing error", tone: 0 },
    ]);
    expect(html).toContain(
      '<mark data-source-start="5" data-source-end="11" class="md-highlight md-tone-0" title="dosing error">500 mg</mark>',
    );
    expect(html).toContain("**twice**");
  });
});

describe("the format a page's loader gives the browser", () => {
  test("is plain text for both of two fields whose digests collide", () => {
    const formats: ContentFormats = {};
    addContentFormat(formats, "same", "markdown");
    addContentFormat(formats, "same", "too-complex");
    addContentFormat(formats, "same", "markdown");
    expect(formats[contentDigest("same")]).toBe("too-complex");
  });

  test("is keyed by a digest that tells texts apart", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (first, second) => {
        fc.pre(first !== second);
        expect(contentDigest(first)).not.toBe(contentDigest(second));
      }),
      { numRuns: 2_000 },
    );
  });

  test("never turns a plain text field into markdown, whatever the order", () => {
    const formatArbitrary = fc.constantFrom<ContentFormat>(
      "markdown",
      "too-large",
      "too-complex",
      "not-ready",
    );
    fc.assert(
      fc.property(fc.array(formatArbitrary, { minLength: 1, maxLength: 6 }), (given) => {
        const formats: ContentFormats = {};
        for (const format of given) addContentFormat(formats, "text", format);
        const shown = formats[contentDigest("text")];
        expect(shown === "markdown").toBe(given.every((format) => format === "markdown"));
      }),
    );
  });
});

describe("plain text", () => {
  test("covers the whole text in order, with spans exactly where their offsets are", () => {
    const highlightArbitrary = (length: number) =>
      fc.tuple(fc.nat(length), fc.nat(length)).map(([a, b]) => ({
        start: Math.min(a, b),
        end: Math.max(a, b),
        label: "span",
        tone: 0,
      }));
    fc.assert(
      fc.property(
        fc
          .string({ maxLength: 300 })
          .chain((text) =>
            fc.tuple(
              fc.constant(text),
              fc.array(highlightArbitrary(text.length), { maxLength: 5 }),
            ),
          ),
        ([text, highlights]) => {
          const runs = collectRuns(renderPlainText(text, { highlights }));
          expect(runs.map((run) => run.text).join("")).toBe(text);
          let position = 0;
          for (const run of runs) {
            expect(run.start).toBe(position);
            expect(run.end - run.start).toBe(run.text.length);
            position = run.end;
            const covered = highlights.some(
              (span) => span.start < span.end && span.start <= run.start && run.end <= span.end,
            );
            expect(run.marked).toBe(covered && run.end > run.start);
          }
          expect(position).toBe(text.length);
        },
      ),
    );
  });
});
