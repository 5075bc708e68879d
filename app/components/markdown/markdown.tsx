import { forwardRef, memo, useMemo, type HTMLAttributes } from "react";
import { renderMarkdown, type MarkdownHighlight } from "./render.tsx";

export interface MarkdownProps extends Omit<HTMLAttributes<HTMLDivElement>, "children"> {
  source: string;
  highlights?: ReadonlyArray<MarkdownHighlight>;
}

/**
 * Untrusted markdown, rendered safely (see render.tsx for how) and at once, on the calling thread.
 * That is the markup the browser renders for item content, but item content itself goes through
 * PreparedMarkdown, which parses only what the server found within the limits.
 */
export const Markdown = memo(
  forwardRef<HTMLDivElement, MarkdownProps>(function Markdown(
    { source, highlights, className, ...attributes },
    ref,
  ) {
    const content = useMemo(() => renderMarkdown(source, { highlights }), [source, highlights]);
    return (
      <div ref={ref} className={className ? `markdown ${className}` : "markdown"} {...attributes}>
        {content}
      </div>
    );
  }),
);
