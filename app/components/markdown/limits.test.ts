import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { markdownShapes, ordinaryMarkdown } from "../../../tests/fixtures/markdown-shapes.ts";
import { assessSource, assessTree, MARKDOWN_LIMITS, type TreeNode } from "./limits.ts";
import { parseMarkdown } from "./render.tsx";

/** The tree caps restated as plainly as possible, recursively: the reference for assessTree. */
function overTreeCaps(root: TreeNode): boolean {
  let nodes = 0;
  let formulas = 0;
  let over = false;
  const visit = (node: TreeNode, depth: number) => {
    nodes++;
    if (depth > MARKDOWN_LIMITS.maxDepth) over = true;
    if (node.type === "math" || node.type === "inlineMath") formulas++;
    if (node.type === "table") {
      const widths = (node.children ?? []).map((row) => row.children?.length ?? 0);
      if (widths.some((width) => width > MARKDOWN_LIMITS.maxTableColumns)) over = true;
      if (widths.reduce((sum, width) => sum + width, 0) > MARKDOWN_LIMITS.maxTableCells) {
        over = true;
      }
    }
    for (const child of node.children ?? []) visit(child, depth + 1);
  };
  visit(root, 0);
  return over || nodes > MARKDOWN_LIMITS.maxNodes || formulas > MARKDOWN_LIMITS.maxFormulas;
}

const treeArbitrary: fc.Arbitrary<TreeNode> = fc.letrec<{ node: TreeNode }>((tie) => ({
  node: fc.record({
    type: fc.constantFrom("paragraph", "text", "math", "inlineMath", "table", "tableRow", "list"),
    children: fc.option(fc.array(tie("node"), { maxLength: 80 }), { nil: undefined }),
  }),
})).node;

/** Block quotes `depth` levels deep, built without recursion. */
function deepTree(depth: number): TreeNode {
  let tree: TreeNode = { type: "text" };
  for (let level = 0; level < depth; level++) tree = { type: "blockquote", children: [tree] };
  return tree;
}

describe("the caps read off the text", () => {
  test("each pathological shape is refused before parsing, except the one only time stops", () => {
    for (const shape of markdownShapes) {
      const expected = shape.formatted || shape.name.startsWith("unmatched") ? null : "too";
      const verdict = assessSource(shape.source);
      expect(verdict === null ? null : "too", shape.name).toBe(expected);
    }
    expect(assessSource("*_".repeat(40_000))).toBe("too-large");
    expect(assessSource(">".repeat(20_000))).toBe("too-complex");
  });

  test("any text longer than the cap is too large", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (unit) => {
        const text = unit.repeat(Math.ceil((MARKDOWN_LIMITS.maxCharacters + 1) / unit.length));
        expect(assessSource(text)).toBe("too-large");
      }),
      { numRuns: 30 },
    );
  });

  test("prose without markup is never refused, however it is cut into lines", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Za-z0-9 ,.;:'"!?()]{0,120}$/), { maxLength: 300 }),
        (lines) => {
          const text = lines.join("\n").slice(0, MARKDOWN_LIMITS.maxCharacters);
          const indentation = Math.max(0, ...lines.map((line) => /^ */.exec(line)![0].length));
          if (indentation / 2 <= MARKDOWN_LIMITS.maxLinePrefixDepth) {
            expect(assessSource(text)).toBeNull();
          }
        },
      ),
    );
  });

  test("ordinary markdown, even repeated up to the size cap, passes", () => {
    const copies = Math.floor(MARKDOWN_LIMITS.maxCharacters / (ordinaryMarkdown.length + 2));
    expect(assessSource(Array(copies).fill(ordinaryMarkdown).join("\n\n"))).toBeNull();
  });

  test("nesting at the start of a line counts markers and indentation", () => {
    const levels = MARKDOWN_LIMITS.maxLinePrefixDepth;
    expect(assessSource(`${"> ".repeat(levels / 2)}quoted`)).toBeNull();
    expect(assessSource(`${">".repeat(levels + 1)} quoted`)).toBe("too-complex");
    expect(assessSource(`${"- ".repeat(levels + 1)}item`)).toBe("too-complex");
    expect(assessSource(`${"1. ".repeat(levels + 1)}item`)).toBe("too-complex");
    expect(assessSource(`${" ".repeat(2 * levels + 2)}- item`)).toBe("too-complex");
  });
});

describe("the caps on the parsed tree", () => {
  test("agree with a plain recursive count on random trees", () => {
    fc.assert(
      fc.property(treeArbitrary, (tree) => {
        expect(assessTree(tree) !== null).toBe(overTreeCaps(tree));
      }),
      { numRuns: 300 },
    );
  });

  test("measure trees far deeper than the stack would allow recursion for", () => {
    expect(assessTree(deepTree(MARKDOWN_LIMITS.maxDepth))).toBeNull();
    expect(assessTree(deepTree(MARKDOWN_LIMITS.maxDepth + 1))).toBe("too-complex");
    expect(assessTree(deepTree(200_000))).toBe("too-complex");
  });

  test("refuse wide tables, many formulas and deep lists from real markdown", () => {
    const columns = MARKDOWN_LIMITS.maxTableColumns + 1;
    const table = `|${" a |".repeat(columns)}\n|${"---|".repeat(columns)}`;
    expect(assessTree(parseMarkdown(table))).toBe("too-complex");
    const formulas = "$x$ ".repeat(MARKDOWN_LIMITS.maxFormulas + 1);
    expect(assessTree(parseMarkdown(formulas))).toBe("too-complex");
    const list = Array.from({ length: 30 }, (_, level) => `${"  ".repeat(level)}- x`).join("\n");
    expect(assessTree(parseMarkdown(list))).toBe("too-complex");
    expect(assessTree(parseMarkdown(ordinaryMarkdown))).toBeNull();
  });
});
