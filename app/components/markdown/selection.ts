import { sourceOffsetInRun, type SourceRun } from "./source-map.ts";

/**
 * The browser half of mapping selections: finds the run element a DOM point falls in and asks
 * source-map.ts for the offset. Points between runs (list bullets, the gap between two blocks)
 * move to the nearest run inwards: forward for a selection's start, backward for its end.
 */

const RUN_SELECTOR = "[data-source-start]";

function readRun(element: Element): SourceRun {
  return {
    sourceStart: Number(element.getAttribute("data-source-start")),
    sourceEnd: Number(element.getAttribute("data-source-end")),
    atomic: element.hasAttribute("data-source-atomic"),
    textLength: element.textContent?.length ?? 0,
  };
}

function runElementAround(root: Element, node: Node): Element | null {
  const element = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  const run = element?.closest(RUN_SELECTOR) ?? null;
  return run && root.contains(run) ? run : null;
}

export function sourceOffsetOfPoint(
  root: Element,
  node: Node,
  offset: number,
  edge: "start" | "end",
): number | null {
  const document = root.ownerDocument;
  const run = runElementAround(root, node);
  if (run) {
    const before = document.createRange();
    before.setStart(run, 0);
    before.setEnd(node, offset);
    return sourceOffsetInRun(readRun(run), before.toString().length, edge);
  }
  const point = document.createRange();
  point.setStart(node, offset);
  const elements = [...root.querySelectorAll(RUN_SELECTOR)];
  if (edge === "start") {
    const next = elements.find((element) => point.comparePoint(element, 0) >= 0);
    return next ? readRun(next).sourceStart : null;
  }
  const previous = elements
    .reverse()
    .find((element) => point.comparePoint(element, element.childNodes.length) <= 0);
  return previous ? readRun(previous).sourceEnd : null;
}

/** The source range a selection covers within `root`, or null when it covers no text of it. */
export function sourceRangeOfSelection(
  root: Element,
  selection: Selection | null,
): { start: number; end: number } | null {
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!root.contains(range.commonAncestorContainer)) return null;
  const start = sourceOffsetOfPoint(root, range.startContainer, range.startOffset, "start");
  const end = sourceOffsetOfPoint(root, range.endContainer, range.endOffset, "end");
  if (start === null || end === null || end <= start) return null;
  return { start, end };
}

/**
 * Puts a collapsed caret before the first character of `root`'s text, unless a selection is
 * there. Text outside the runs, such as the notice over a field shown as plain text, is passed.
 */
export function placeCaretInside(root: Element) {
  const selection = root.ownerDocument.getSelection();
  if (!selection) return;
  if (selection.rangeCount > 0 && root.contains(selection.getRangeAt(0).commonAncestorContainer)) {
    return;
  }
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement?.closest(RUN_SELECTOR) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP,
  });
  const first = walker.nextNode();
  if (first) selection.collapse(first, 0);
}
