import { forwardRef, memo, useMemo, type HTMLAttributes } from "react";
import { renderMarkdown, type MarkdownHighlight } from "./render.tsx";

export interface MarkdownProps extends Omit<HTMLAttributes<HTMLDivElement>, "children"> {
  source: string;
  highlights?: ReadonlyArray<MarkdownHighlight>;
}

/** Untrusted markdown, rendered safely; see render.tsx for how. */
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
