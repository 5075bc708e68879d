import { createElement, Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import type { PreparedContent } from "../../app/components/markdown/content-formats.ts";
import { assessSource, assessTree, MARKDOWN_LIMITS } from "../../app/components/markdown/limits.ts";
import { parseMarkdown, renderMarkdownTree } from "../../app/components/markdown/render.tsx";

/**
 * One field formatted as the browser would format it: the same renderMarkdown, to static HTML
 * (the children of the field's element), or plain text when it passes a limit. Slow on purpose
 * for some inputs, so it runs in the markdown workers (markdown-worker.ts), never on the event
 * loop.
 */
export function renderMarkdownToHtml(source: string): PreparedContent {
  const beforeParsing = assessSource(source);
  if (beforeParsing) return { format: beforeParsing };
  const tree = parseMarkdown(source);
  const afterParsing = assessTree(tree);
  if (afterParsing) return { format: afterParsing };
  const html = renderToStaticMarkup(
    createElement(Fragment, null, renderMarkdownTree(source, tree)),
  );
  if (html.length > MARKDOWN_LIMITS.maxHtmlCharacters) return { format: "too-large" };
  return { format: "markdown", html };
}
