import katex from "katex";
import { common, createLowlight } from "lowlight";
import { createElement, type ReactNode } from "react";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";
import remarkParse from "remark-parse";
import { unified } from "unified";
import {
  alignValue,
  piecesOf,
  splitAtHighlights,
  type SourceHighlight,
  type TextPiece,
  type TextSegment,
} from "./source-map.ts";

/**
 * Renders untrusted markdown (model responses, prompts from clients) to React elements. Safety
 * comes from construction rather than from cleaning HTML afterwards: the markdown is parsed to a
 * syntax tree and each node type becomes a fixed set of elements, so nothing in the data can
 * add an element or an attribute. Raw HTML shows as the text it is, links keep only http(s)
 * and mailto targets, images are never fetched. The one markup taken from elsewhere is KaTeX's
 * output, produced with `trust: false`, which renders commands like \href as plain text.
 *
 * Every piece of rendered text is a run element carrying the source range it shows, which is
 * how a selection over the rendered text becomes offsets into the raw text (see source-map.ts).
 */

const lowlight = createLowlight(common);
const parser = unified().use(remarkParse).use(remarkGfm).use(remarkMath);

/*
 * The syntax tree types are taken from the parser itself: the workspace's top-level @types/mdast
 * is an older major version pulled in by the build tooling.
 */
type Root = ReturnType<typeof parser.parse>;
type ChildOf<Node> = Node extends { children: Array<infer Child> } ? Child : never;
type Level1 = Root["children"][number];
type Level2 = ChildOf<Level1>;
type Level3 = ChildOf<Level2>;
type Level4 = ChildOf<Level3>;
type RootContent = Level1 | Level2 | Level3 | Level4 | ChildOf<Level4>;
type Nodes = Root | RootContent;
type TableRow = Extract<RootContent, { type: "tableRow" }>;
type HastRoot = ReturnType<typeof lowlight.highlight>;
type HastElement = Extract<HastRoot["children"][number], { type: "element" }>;
type HastContent = HastElement["children"][number];

export function parseMarkdown(source: string): Root {
  return parser.parse(source);
}

export interface MarkdownHighlight extends SourceHighlight {
  /** Shown to assistive technology and as a tooltip, e.g. the span's category. */
  label: string;
  /** Picks one of a few colours, so neighbouring spans are told apart. */
  tone: number;
  active?: boolean;
}

interface RenderContext {
  source: string;
  highlights: ReadonlyArray<MarkdownHighlight>;
  /** Shared across one render so that React keys of runs are unique and stable. */
  nextKey: () => string;
}

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function runs(context: RenderContext, pieces: ReadonlyArray<TextPiece>): ReactNode[] {
  return pieces
    .flatMap((piece) => splitAtHighlights(piece, context.highlights))
    .map((piece) => {
      const attributes = {
        key: context.nextKey(),
        "data-source-start": piece.sourceStart,
        "data-source-end": piece.sourceEnd,
        ...(piece.atomic ? { "data-source-atomic": "" } : {}),
      };
      if (piece.highlights.length === 0) return createElement("span", attributes, piece.text);
      const shown = piece.highlights.map((index) => context.highlights[index]);
      const className = [
        "md-highlight",
        `md-tone-${shown[shown.length - 1].tone % 6}`,
        shown.some((highlight) => highlight.active) ? "md-highlight-active" : null,
        shown.length > 1 ? "md-highlight-overlap" : null,
      ]
        .filter(Boolean)
        .join(" ");
      const label = shown.map((highlight) => highlight.label).join(", ");
      return createElement("mark", { ...attributes, className, title: label }, piece.text);
    });
}

function offsetsOf(node: Nodes): { start: number; end: number } | null {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? null : { start, end };
}

/** Text whose characters all come from the node's source, e.g. a text or inline code node. */
function mappedText(
  context: RenderContext,
  value: string,
  node: Nodes,
  skipLeading: (slice: string) => number = () => 0,
): ReactNode[] {
  const offsets = offsetsOf(node);
  if (!offsets) return [value];
  const from = offsets.start + skipLeading(context.source.slice(offsets.start, offsets.end));
  return runs(context, piecesOf(value, alignValue(value, context.source, from, offsets.end)));
}

/** Something that can only be selected whole, such as a formula or an image. */
function atomicRun(context: RenderContext, node: Nodes, text: string): ReactNode[] {
  const offsets = offsetsOf(node);
  if (!offsets) return [text];
  return runs(context, [
    { text, sourceStart: offsets.start, sourceEnd: offsets.end, atomic: true },
  ]);
}

function renderChildren(context: RenderContext, nodes: ReadonlyArray<RootContent>): ReactNode[] {
  return nodes.map((node) => renderNode(context, node));
}

function renderMath(context: RenderContext, node: Nodes, value: string, displayMode: boolean) {
  const offsets = offsetsOf(node);
  const html = katex.renderToString(value, {
    displayMode,
    throwOnError: false,
    trust: false,
    strict: "ignore",
    output: "htmlAndMathml",
  });
  const attributes = offsets
    ? {
        "data-source-start": offsets.start,
        "data-source-end": offsets.end,
        "data-source-atomic": "",
      }
    : {};
  const isHighlighted =
    offsets !== null &&
    context.highlights.some((span) => span.start < offsets.end && span.end > offsets.start);
  return createElement(displayMode ? "div" : "span", {
    key: context.nextKey(),
    className: [displayMode ? "md-math-block" : "md-math", isHighlighted ? "md-highlight" : null]
      .filter(Boolean)
      .join(" "),
    dir: "ltr",
    ...attributes,
    dangerouslySetInnerHTML: { __html: html },
  });
}

function renderCode(context: RenderContext, node: Extract<Nodes, { type: "code" }>) {
  const offsets = offsetsOf(node);
  const value = node.value;
  let segments: TextSegment[] | null = null;
  if (offsets) {
    const slice = context.source.slice(offsets.start, offsets.end);
    const fenced = /^[ \t]*(`{3,}|~{3,})/.test(slice);
    const firstLineEnd = slice.indexOf("\n");
    const contentStart = fenced
      ? firstLineEnd === -1
        ? offsets.end
        : offsets.start + firstLineEnd + 1
      : offsets.start;
    segments = alignValue(value, context.source, contentStart, offsets.end);
  }
  const textRuns = (from: number, to: number): ReactNode[] =>
    segments ? runs(context, piecesOf(value, segments, from, to)) : [value.slice(from, to)];

  let children: ReactNode[];
  const language = node.lang?.toLowerCase() ?? null;
  if (language && lowlight.registered(language)) {
    const tree: HastRoot = lowlight.highlight(language, value);
    let position = 0;
    const renderHast = (hast: HastContent): ReactNode => {
      if (hast.type === "text") {
        const from = position;
        position += hast.value.length;
        return textRuns(from, position);
      }
      if (hast.type === "element") return renderHastElement(hast);
      return null;
    };
    const renderHastElement = (element: HastElement): ReactNode => {
      const className = element.properties?.className;
      return createElement(
        "span",
        {
          key: context.nextKey(),
          className: Array.isArray(className) ? className.join(" ") : undefined,
        },
        element.children.map(renderHast),
      );
    };
    children = tree.children.map((child) =>
      child.type === "element" || child.type === "text" ? renderHast(child) : null,
    );
  } else {
    children = textRuns(0, value.length);
  }
  return (
    <pre key={context.nextKey()} className="md-code" dir="ltr">
      <code className={language ? `hljs language-${language}` : "hljs"}>{children}</code>
    </pre>
  );
}

function renderTableRow(
  context: RenderContext,
  row: TableRow,
  header: boolean,
  align: Array<string | null>,
) {
  return (
    <tr key={context.nextKey()}>
      {row.children.map((cell, index) =>
        createElement(
          header ? "th" : "td",
          {
            key: context.nextKey(),
            dir: "auto",
            style: align[index] ? { textAlign: align[index] } : undefined,
          },
          renderChildren(context, cell.children),
        ),
      )}
    </tr>
  );
}

function imageText(alt: string | null | undefined, url?: string): string {
  const description = alt?.trim() ? `[image: ${alt.trim()}]` : "[image]";
  return url ? `${description} ${url}` : description;
}

function renderNode(context: RenderContext, node: RootContent): ReactNode {
  const key = context.nextKey();
  switch (node.type) {
    case "paragraph":
      return (
        <p key={key} dir="auto">
          {renderChildren(context, node.children)}
        </p>
      );
    case "heading": {
      const level = Math.min(6, node.depth + 2);
      return createElement(
        `h${level}`,
        { key, dir: "auto", className: `md-heading md-heading-${node.depth}` },
        renderChildren(context, node.children),
      );
    }
    case "text":
      return mappedText(context, node.value, node);
    case "emphasis":
      return <em key={key}>{renderChildren(context, node.children)}</em>;
    case "strong":
      return <strong key={key}>{renderChildren(context, node.children)}</strong>;
    case "delete":
      return <del key={key}>{renderChildren(context, node.children)}</del>;
    case "inlineCode":
      return (
        <code key={key} dir="ltr">
          {mappedText(context, node.value, node, (slice) => /^`+/.exec(slice)?.[0].length ?? 0)}
        </code>
      );
    case "code":
      return renderCode(context, node);
    case "break":
      return <br key={key} />;
    case "thematicBreak":
      return <hr key={key} />;
    case "blockquote":
      return (
        <blockquote key={key} dir="auto">
          {renderChildren(context, node.children)}
        </blockquote>
      );
    case "list":
      return createElement(
        node.ordered ? "ol" : "ul",
        {
          key,
          dir: "auto",
          className: node.spread ? "md-list" : "md-list md-list-tight",
          start: node.ordered && node.start !== null && node.start !== 1 ? node.start : undefined,
        },
        renderChildren(context, node.children),
      );
    case "listItem":
      return (
        <li
          key={key}
          dir="auto"
          className={node.checked === null || node.checked === undefined ? undefined : "md-task"}
        >
          {node.checked === null || node.checked === undefined ? null : (
            <input
              type="checkbox"
              checked={node.checked}
              disabled
              aria-label={node.checked ? "done" : "not done"}
            />
          )}
          {renderChildren(context, node.children)}
        </li>
      );
    case "link": {
      const href = safeHref(node.url);
      const children = renderChildren(context, node.children);
      if (!href) {
        return (
          <span key={key} className="md-link-blocked" title={`Link not followed: ${node.url}`}>
            {children}
          </span>
        );
      }
      return (
        <a key={key} href={href} rel="noopener noreferrer nofollow" target="_blank" title={href}>
          {children}
        </a>
      );
    }
    case "linkReference":
      return (
        <span key={key} className="md-link-blocked">
          {renderChildren(context, node.children)}
        </span>
      );
    case "image":
      return (
        <span key={key} className="md-image">
          {atomicRun(context, node, imageText(node.alt, node.url))}
        </span>
      );
    case "imageReference":
      return (
        <span key={key} className="md-image">
          {atomicRun(context, node, imageText(node.alt))}
        </span>
      );
    case "html":
      // Raw HTML in the data is shown as the text it is, never interpreted.
      return (
        <span key={key} className="md-raw-html">
          {mappedText(context, node.value, node)}
        </span>
      );
    case "math":
      return renderMath(context, node, node.value, true);
    case "inlineMath":
      return renderMath(context, node, node.value, false);
    case "table": {
      const align = node.align ?? [];
      const [head, ...body] = node.children;
      return (
        <div key={key} className="md-table-wrap">
          <table className="md-table">
            {head ? <thead>{renderTableRow(context, head, true, align)}</thead> : null}
            {body.length > 0 ? (
              <tbody>
                {body.map((row: TableRow) => renderTableRow(context, row, false, align))}
              </tbody>
            ) : null}
          </table>
        </div>
      );
    }
    case "footnoteReference":
      return <sup key={key}>{atomicRun(context, node, `[${node.label ?? node.identifier}]`)}</sup>;
    case "footnoteDefinition":
      return (
        <div key={key} className="md-footnote" dir="auto">
          <span className="md-footnote-label">[{node.label ?? node.identifier}]</span>{" "}
          {renderChildren(context, node.children)}
        </div>
      );
    default: {
      // Link definitions, front matter and anything else: the source as it is.
      const offsets = offsetsOf(node);
      if (!offsets) return null;
      const text = context.source.slice(offsets.start, offsets.end);
      return (
        <p key={key} className="md-raw-html" dir="auto">
          {runs(context, [
            { text, sourceStart: offsets.start, sourceEnd: offsets.end, atomic: false },
          ])}
        </p>
      );
    }
  }
}

export interface RenderOptions {
  highlights?: ReadonlyArray<MarkdownHighlight>;
}

function renderContext(source: string, options: RenderOptions): RenderContext {
  let key = 0;
  return { source, highlights: options.highlights ?? [], nextKey: () => `m${key++}` };
}

/** The React elements of a markdown text, every text run carrying its source offsets. */
export function renderMarkdown(source: string, options: RenderOptions = {}): ReactNode[] {
  return renderMarkdownTree(source, parseMarkdown(source), options);
}

/** As renderMarkdown, for a tree already parsed from `source` (and checked against the limits). */
export function renderMarkdownTree(
  source: string,
  tree: Root,
  options: RenderOptions = {},
): ReactNode[] {
  return renderChildren(renderContext(source, options), tree.children);
}

/**
 * The whole text as it is, one run over all of it (cut where highlights begin and end), for a
 * field shown as plain text: selections and spans map to offsets exactly as over markdown.
 */
export function renderPlainText(source: string, options: RenderOptions = {}): ReactNode[] {
  return runs(renderContext(source, options), [
    { text: source, sourceStart: 0, sourceEnd: source.length, atomic: false },
  ]);
}
