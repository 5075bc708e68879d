/**
 * How much markdown one field (a prompt, a conversation turn, a response) may hold and still be
 * formatted. The parser's cost grows faster than linearly with some shapes — runs of emphasis
 * delimiters, deep nesting, wide tables, thousands of formulas — and deep trees overflow the
 * stack, so a field over any cap is shown as plain text instead. The server checks the source
 * before parsing and the tree after, in a worker thread whose time budget catches the shapes no
 * cap foresees (docs/decisions/013-markdown-off-the-event-loop.md).
 */
export const MARKDOWN_LIMITS = {
  /** UTF-16 code units of one field; longer is "too large". */
  maxCharacters: 50_000,
  /** Maximal runs of `*`, `_` or `~`, the characters emphasis and strikethrough are made of. */
  maxDelimiterRuns: 5_000,
  /** `$` signs: every formula is a KaTeX rendering. */
  maxDollarSigns: 1_000,
  /** `|` on one line, each a table column. */
  maxPipesPerLine: 200,
  /** Nesting at the start of one line: each `>` and list marker counts one, indentation one per two columns. */
  maxLinePrefixDepth: 64,
  /** Nodes of the syntax tree. */
  maxNodes: 20_000,
  /** Nesting depth of the syntax tree. */
  maxDepth: 40,
  /** Formulas, inline and display. */
  maxFormulas: 500,
  /** Cells in one table row. */
  maxTableColumns: 64,
  /** Cells in one table. */
  maxTableCells: 5_000,
  /** Characters of the rendered HTML; more is "too large". */
  maxHtmlCharacters: 2_000_000,
  /** Wall-clock time a worker may spend formatting one field; more is "too complex". */
  timeBudgetMs: 500,
} as const;

/** Why a field is shown as plain text, as far as its content decides it. */
export type LimitExceeded = "too-large" | "too-complex";

const NEWLINE = 10;
const TAB = 9;
const SPACE = 32;
const DOLLAR = 36;
const PIPE = 124;
const GREATER = 62;

function isDelimiter(code: number): boolean {
  return code === 42 /* * */ || code === 95 /* _ */ || code === 126; /* ~ */
}

function isBulletMarker(code: number): boolean {
  return code === 45 /* - */ || code === 42 /* * */ || code === 43; /* + */
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Checks the source against the caps that can be read off the text itself, in one pass and
 * without parsing: size, delimiter runs, dollar signs, pipes per line, nesting at line starts.
 */
export function assessSource(source: string): LimitExceeded | null {
  if (source.length > MARKDOWN_LIMITS.maxCharacters) return "too-large";
  let delimiterRuns = 0;
  let dollarSigns = 0;
  let pipesOnLine = 0;
  let atLineStart = true;
  let prefixDepth = 0;
  let prefixColumns = 0;
  let previous = NEWLINE;
  for (let index = 0; index < source.length; index++) {
    const code = source.charCodeAt(index);
    if (code === NEWLINE) {
      atLineStart = true;
      prefixDepth = 0;
      prefixColumns = 0;
      pipesOnLine = 0;
      previous = code;
      continue;
    }
    if (isDelimiter(code)) {
      if (code !== previous && ++delimiterRuns > MARKDOWN_LIMITS.maxDelimiterRuns) {
        return "too-complex";
      }
    } else if (code === DOLLAR) {
      if (++dollarSigns > MARKDOWN_LIMITS.maxDollarSigns) return "too-complex";
    } else if (code === PIPE) {
      if (++pipesOnLine > MARKDOWN_LIMITS.maxPipesPerLine) return "too-complex";
    }
    if (atLineStart) {
      const next = source.charCodeAt(index + 1);
      const followedBySpace = next === SPACE || next === TAB;
      if (code === SPACE || code === TAB) {
        prefixColumns += code === TAB ? 4 : 1;
      } else if (code === GREATER || (isBulletMarker(code) && followedBySpace)) {
        prefixDepth++;
      } else if ((code === 46 /* . */ || code === 41) /* ) */ && isDigit(previous)) {
        if (followedBySpace) prefixDepth++;
      } else if (!isDigit(code)) {
        atLineStart = false;
      }
      if (prefixDepth + Math.floor(prefixColumns / 2) > MARKDOWN_LIMITS.maxLinePrefixDepth) {
        return "too-complex";
      }
    }
    previous = code;
  }
  return null;
}

/** The shape of a syntax tree node that the tree caps look at. */
export interface TreeNode {
  type: string;
  children?: ReadonlyArray<TreeNode>;
}

/**
 * Checks a parsed tree against the caps on nodes, depth, formulas and tables. Iterative, so
 * that a deep tree is measured rather than overflowing the stack.
 */
export function assessTree(root: TreeNode): LimitExceeded | null {
  let nodes = 0;
  let formulas = 0;
  const pending: Array<{ node: TreeNode; depth: number }> = [{ node: root, depth: 0 }];
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const { node, depth } = entry;
    if (++nodes > MARKDOWN_LIMITS.maxNodes) return "too-complex";
    if (depth > MARKDOWN_LIMITS.maxDepth) return "too-complex";
    if (node.type === "math" || node.type === "inlineMath") {
      if (++formulas > MARKDOWN_LIMITS.maxFormulas) return "too-complex";
    }
    const children = node.children ?? [];
    if (node.type === "table") {
      let cells = 0;
      for (const row of children) {
        const columns = row.children?.length ?? 0;
        if (columns > MARKDOWN_LIMITS.maxTableColumns) return "too-complex";
        cells += columns;
      }
      if (cells > MARKDOWN_LIMITS.maxTableCells) return "too-complex";
    }
    for (const child of children) pending.push({ node: child, depth: depth + 1 });
  }
  return null;
}
