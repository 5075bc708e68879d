import { forwardRef, memo, useContext, useMemo, useState } from "react";
import { PreparedContentContext, useContentFormats, useServerMarkup } from "./content-context.tsx";
import { contentDigest, plainTextNotices, type ContentFormat } from "./content-formats.ts";
import type { MarkdownProps } from "./markdown.tsx";
import { renderMarkdown, renderPlainText } from "./render.tsx";

/**
 * Item content (prompts, turns, responses): untrusted text that can be large or shaped to make
 * the markdown parser slow, so it is formatted as the server decided for this page.
 *
 * - On the server the field's HTML comes ready from the markdown workers (through
 *   PreparedContentContext); a field they did not format is plain text. Nothing is parsed on the
 *   thread that renders pages.
 * - In the browser, hydration keeps the server's HTML as it is; the field is rendered by React
 *   only once it needs to change (highlights to show, another text), and then only when the
 *   page's loader said the server formatted it as markdown.
 * - Plain text carries a notice and one source-mapped run over the whole text, so selections and
 *   highlights work on it as on markdown.
 */
export const PreparedMarkdown = memo(
  forwardRef<HTMLDivElement, MarkdownProps>(function PreparedMarkdown(
    { source, highlights, className, ...attributes },
    ref,
  ) {
    const prepared = useContext(PreparedContentContext);
    const formats = useContentFormats();
    const serverMarkup = useServerMarkup();
    const digest = useMemo(() => contentDigest(source), [source]);
    // The loader's formats decide, on the server as in the browser, so that both render alike.
    const listed: ContentFormat = formats[digest] ?? "not-ready";
    const onServer = prepared?.get(source);
    const serverHtml = onServer?.format === "markdown" ? onServer.html : null;
    const format: ContentFormat =
      listed === "markdown" && prepared && serverHtml === null ? "not-ready" : listed;

    // Whether the element still holds the HTML the server sent, which React did not render.
    const [keepsServerHtml, setKeepsServerHtml] = useState(
      () => serverMarkup && format === "markdown",
    );
    const [firstSource] = useState(source);
    const highlighted = (highlights?.length ?? 0) > 0;
    if (keepsServerHtml && !serverMarkup && (highlighted || source !== firstSource)) {
      setKeepsServerHtml(false);
    }

    const rendersMarkdown = format === "markdown" && !prepared && !keepsServerHtml;
    const content = useMemo(() => {
      if (format !== "markdown") return renderPlainText(source, { highlights });
      return rendersMarkdown ? renderMarkdown(source, { highlights }) : null;
    }, [format, rendersMarkdown, source, highlights]);

    const classes = ["markdown", format === "markdown" ? null : "markdown-plain", className]
      .filter(Boolean)
      .join(" ");
    if (format !== "markdown") {
      return (
        <div ref={ref} className={classes} {...attributes}>
          <p className="md-plain-notice" data-plain-notice="">
            {plainTextNotices[format]}
          </p>
          <div className="md-plain-text" dir="auto">
            {content}
          </div>
        </div>
      );
    }
    if (!rendersMarkdown) {
      // The same element as below, so that focus and refs survive the switch to React's own tree.
      return (
        <div
          ref={ref}
          className={classes}
          {...attributes}
          dangerouslySetInnerHTML={{ __html: serverHtml ?? "" }}
          suppressHydrationWarning
        />
      );
    }
    return (
      <div ref={ref} className={classes} {...attributes}>
        {content}
      </div>
    );
  }),
);
