import fc from "fast-check";
import { pino } from "pino";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MARKDOWN_LIMITS } from "../../app/components/markdown/limits.ts";
import { Markdown } from "../../app/components/markdown/markdown.tsx";
import { markdownShapes, ordinaryMarkdown } from "../../tests/fixtures/markdown-shapes.ts";
import { watchEventLoop } from "../../tests/setup/event-loop.ts";
import { waitFor } from "../../tests/setup/sync-client.ts";
import { createMarkdownRenderer, type MarkdownRenderer } from "./markdown-pool.ts";

const log = pino({ level: "silent" });
/** Workers load the renderer under tsx, which takes seconds on a busy machine. */
const STARTUP_MS = 60_000;
const slowShape = markdownShapes.find((shape) => shape.name.startsWith("unmatched"))!;

/** Markdown made of the pieces real responses are made of, in any order. */
const markdownArbitrary = fc
  .array(
    fc.constantFrom(
      "# Title\n",
      "## Section\n\n",
      "word ",
      "*",
      "**",
      "_",
      "~~",
      "`",
      "[link](https://example.org/a?b=c)",
      "[bad](javascript:alert(1))",
      "![image](https://example.org/x.png)",
      "- ",
      "1. ",
      "> ",
      "\n",
      "\n\n",
      "  ",
      "$x^2$",
      "$$\n\\frac{a}{b}\n$$\n",
      "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
      "```js\nconst x = 1;\n```\n",
      "&amp; &lt;b&gt; ",
      "<script>alert(1)</script>",
      "\\*",
      "[^1]\n\n[^1]: note\n",
      "- [x] done\n",
      "שלום ",
    ),
    { maxLength: 40 },
  )
  .map((pieces) => pieces.join(""));

describe("the markdown workers", () => {
  let renderer: MarkdownRenderer;

  const bothReady = () =>
    waitFor(() => renderer.stats().readyWorkers === 2, "both workers to be ready", STARTUP_MS);

  beforeAll(async () => {
    renderer = createMarkdownRenderer({ log, workers: 2 });
    await bothReady();
  }, STARTUP_MS);

  afterAll(async () => {
    await renderer?.close();
  });

  test("format markdown into exactly the markup the browser renders for it", async () => {
    await fc.assert(
      fc.asyncProperty(markdownArbitrary, async (source) => {
        const content = await renderer.format(source);
        expect(content.format).toBe("markdown");
        const html = content.format === "markdown" ? content.html : "";
        expect(`<div class="markdown">${html}</div>`).toBe(
          renderToStaticMarkup(createElement(Markdown, { source })),
        );
      }),
      { numRuns: 150 },
    );
  });

  test("answer the shapes the caps catch with plain text, never blocking the event loop", async () => {
    const loop = watchEventLoop();
    try {
      for (const shape of markdownShapes.filter((candidate) => !candidate.formatted)) {
        if (shape === slowShape) continue;
        loop.reset();
        const content = await renderer.format(shape.source);
        expect(content.format, shape.name).toMatch(/^too-(large|complex)$/);
        expect(loop.longestBlockMs(), shape.name).toBeLessThan(50);
      }
    } finally {
      loop.stop();
    }
  });

  test("stop a worker past its time budget, replace it, and never try that field again", async () => {
    const before = renderer.stats();
    const loop = watchEventLoop();
    const content = await renderer.format(slowShape.source);
    const longestBlockMs = loop.longestBlockMs();
    loop.stop();
    expect(content).toEqual({ format: "too-complex" });
    expect(longestBlockMs).toBeLessThan(50);
    const after = renderer.stats();
    expect(after.timedOut).toBe(before.timedOut + 1);
    expect(after.workersStarted).toBe(before.workersStarted + 1);

    expect(await renderer.format(slowShape.source)).toEqual({ format: "too-complex" });
    expect(renderer.stats().timedOut).toBe(after.timedOut);
    expect(renderer.stats().cacheHits).toBeGreaterThan(before.cacheHits);
    // The replacement takes work as soon as it is up.
    await bothReady();
    expect((await renderer.format("still *working*")).format).toBe("markdown");
  }, 90_000);

  test("answer a field again from the cache, by its text", async () => {
    const source = `${ordinaryMarkdown}\n\nOnce only.`;
    const first = await renderer.format(source);
    const hits = renderer.stats().cacheHits;
    expect(await renderer.format(source)).toEqual(first);
    expect(renderer.stats().cacheHits).toBe(hits + 1);
    expect(await renderer.format(`${source}!`)).not.toEqual(first);
  });

  test("leave a page's fields that are not ready in time as not ready, and finish them for the next", async () => {
    await bothReady();
    const waiting = `${slowShape.source} (another copy)`;
    const prepared = await renderer.prepare([waiting, "quick *one*"], 300);
    expect(prepared.get(waiting)).toEqual({ format: "not-ready" });
    expect(prepared.get("quick *one*")?.format).toBe("markdown");
    // Formatting went on after the page stopped waiting; its verdict is what the next page gets.
    await expect
      .poll(async () => (await renderer.prepare([waiting], 0)).get(waiting), {
        timeout: MARKDOWN_LIMITS.timeBudgetMs * 10,
      })
      .toEqual({ format: "too-complex" });
  }, 90_000);
});

describe("a markdown renderer with a full queue", () => {
  let renderer: MarkdownRenderer;

  beforeAll(async () => {
    renderer = createMarkdownRenderer({ log, workers: 1, maxQueued: 1, timeBudgetMs: 5_000 });
    expect(await renderer.ready(STARTUP_MS)).toBe(true);
  }, STARTUP_MS);

  afterAll(async () => {
    await renderer?.close();
  });

  test("answers not ready at once rather than queueing without end, and closing answers the rest", async () => {
    const busy = renderer.format(slowShape.source);
    const queued = renderer.format("queued *field*");
    expect(await renderer.format("one field too many")).toEqual({ format: "not-ready" });
    await renderer.close();
    expect(await busy).toEqual({ format: "not-ready" });
    expect(await queued).toEqual({ format: "not-ready" });
    expect(await renderer.format("after closing")).toEqual({ format: "not-ready" });
  });
});
