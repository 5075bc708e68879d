import { mark, type DemoProject, type DemoResponse } from "./demo-content.ts";
import { codeHistory } from "./code-history.ts";

const MODEL = "coder-v3";

const fence = "```";

const groupingAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `Here is a function that groups log lines by their request id:

${fence}python
import re

REQUEST_ID = re.compile(r"request_id=([0-9a-f-]+)")

def group_by_request(lines, groups={}):
    for line in lines:
        match = REQUEST_ID.search(line)
        if match:
            groups.setdefault(match.group(1), []).append(line.rstrip("\\n"))
    return groups
${fence}

Lines without a request id are skipped. Each call returns a fresh dictionary mapping every request id to its lines, in the order they appeared.`,
};

const groupingRewrite = `Here is a function that groups log lines by their request id:

${fence}python
import re
from collections import defaultdict

REQUEST_ID = re.compile(r"request_id=([0-9a-f-]+)")

def group_by_request(lines):
    groups = defaultdict(list)
    for line in lines:
        match = REQUEST_ID.search(line)
        if match:
            groups[match.group(1)].append(line.rstrip("\\n"))
    return dict(groups)
${fence}

Lines without a request id are skipped. Each call returns a new dictionary mapping every request id to its lines, in the order they appeared. (A mutable default argument such as \`groups={}\` would be shared between calls, so results would leak from one call into the next.)`;

const lowerBoundAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `A binary search for the first index whose value is not less than \`target\`:

${fence}ts
export function lowerBound(sorted: number[], target: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (sorted[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
${fence}

It runs in $O(\\log n)$ and returns \`sorted.length\` when every element is smaller than \`target\`, so the result can be used directly as an insertion point.`,
};

const debounceAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `${fence}ts
export function debounce<Args extends unknown[]>(
  fn: (...args: Args) => void,
  waitMs: number,
): ((...args: Args) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = (...args: Args) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, waitMs);
  };
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return debounced;
}
${fence}

Each call restarts the timer, so \`fn\` runs once, \`waitMs\` after the last call, with the last call's arguments. \`cancel()\` drops a pending call (useful when a component unmounts).`,
};

const expiryAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `${fence}python
from datetime import datetime, timedelta

def is_expired(issued_at: datetime, ttl_seconds: int) -> bool:
    """issued_at comes from the token, as an aware UTC datetime."""
    return datetime.now() > issued_at + timedelta(seconds=ttl_seconds)
${fence}

This compares the current time with the moment the token stops being valid.`,
};

const searchConversation = [
  {
    role: "user" as const,
    content:
      "I have a SQLite table `customers(id, name, email)`. Write a Python function that returns the customers whose name starts with a given prefix.",
  },
  {
    role: "assistant" as const,
    content:
      "Sure. Do you want the match to be case-insensitive, and should the results be sorted?",
  },
  { role: "user" as const, content: "Case-insensitive, sorted by name. Use the sqlite3 module." },
];

const searchAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `${fence}python
import sqlite3

def customers_by_prefix(conn: sqlite3.Connection, prefix: str) -> list[tuple]:
    query = f"SELECT id, name, email FROM customers WHERE name LIKE '{prefix}%' ORDER BY name"
    return conn.execute(query).fetchall()
${fence}

SQLite's \`LIKE\` is case-insensitive for ASCII letters by default, so this matches "ann", "Ann" and "ANN" alike.`,
};

export const codeProject: DemoProject = {
  presetId: "code-correctness",
  name: "Code review: Python and TypeScript",
  description:
    "Generated code reviewed by senior engineers: does it work, where exactly is it wrong, and what should it have been.",
  domain: "code",
  items: [
    {
      externalId: "code-0001",
      prompt:
        "Write a Python function `group_by_request(lines)` that takes an iterable of log lines and returns a dict mapping each `request_id=<uuid>` found in a line to the list of lines with that id, in order.",
      responses: [groupingAnswer],
      domain: "code",
      metadata: { language: "python", difficulty: "easy" },
      status: "disputed",
      annotations: [
        {
          annotator: "expert3",
          hoursAgo: 36,
          durationMs: 420_000,
          label: {
            verdict: "incorrect",
            issue_types: ["logic"],
            correctness: 2,
            code_quality: 2,
            explanation_quality: 1,
            bugs: [
              mark(
                groupingAnswer,
                "def group_by_request(lines, groups={}):",
                "logic error",
                "major",
                "The default dict is created once and shared: the second call returns the first call's groups too.",
              ),
              mark(
                groupingAnswer,
                "Each call returns a fresh dictionary",
                "misleading explanation",
                "major",
              ),
            ],
            rewrite: groupingRewrite,
          },
        },
        {
          annotator: "junior2",
          hoursAgo: 33,
          durationMs: 260_000,
          label: {
            verdict: "correct",
            issue_types: [],
            correctness: 5,
            code_quality: 4,
            explanation_quality: 4,
            bugs: [],
          },
        },
        {
          annotator: "expert1",
          hoursAgo: 29,
          durationMs: 310_000,
          label: {
            verdict: "partially correct",
            issue_types: ["logic", "edge cases"],
            correctness: 3,
            code_quality: 3,
            bugs: [
              mark(
                groupingAnswer,
                "def group_by_request(lines, groups={}):",
                "logic error",
                "minor",
                "Only wrong when the function is called more than once.",
              ),
            ],
          },
        },
      ],
    },
    {
      externalId: "code-0002",
      prompt:
        "Implement `lowerBound(sorted: number[], target: number): number` in TypeScript: the index of the first element that is >= target, or `sorted.length` if there is none.",
      responses: [lowerBoundAnswer],
      domain: "code",
      metadata: { language: "typescript", difficulty: "medium" },
      status: "consensus",
      annotations: [
        {
          annotator: "expert3",
          hoursAgo: 80,
          durationMs: 280_000,
          label: {
            verdict: "partially correct",
            issue_types: ["edge cases"],
            correctness: 3,
            code_quality: 4,
            explanation_quality: 2,
            bugs: [
              mark(
                lowerBoundAnswer,
                "let hi = sorted.length - 1;",
                "off-by-one",
                "major",
                "Must start at sorted.length, otherwise a target above every element returns length - 1.",
              ),
              mark(
                lowerBoundAnswer,
                "returns `sorted.length` when every element is smaller than `target`",
                "misleading explanation",
                "major",
              ),
            ],
          },
        },
        {
          annotator: "junior2",
          hoursAgo: 75,
          durationMs: 340_000,
          label: {
            verdict: "partially correct",
            issue_types: ["edge cases"],
            correctness: 3,
            code_quality: 4,
            bugs: [mark(lowerBoundAnswer, "let hi = sorted.length - 1;", "off-by-one", "major")],
          },
        },
        {
          annotator: "expert1",
          hoursAgo: 72,
          durationMs: 300_000,
          label: {
            verdict: "partially correct",
            issue_types: ["edge cases"],
            correctness: 3,
            code_quality: 3,
            bugs: [mark(lowerBoundAnswer, "let hi = sorted.length - 1;", "off-by-one", "major")],
          },
        },
      ],
    },
    {
      externalId: "code-0003",
      prompt:
        "Write a typed `debounce` helper in TypeScript with a `cancel()` method. No dependencies.",
      responses: [debounceAnswer],
      domain: "code",
      metadata: { language: "typescript", difficulty: "easy" },
      status: "annotating",
      annotations: [
        {
          annotator: "expert3",
          hoursAgo: 2,
          durationMs: 150_000,
          label: {
            verdict: "correct",
            issue_types: [],
            correctness: 5,
            code_quality: 5,
            explanation_quality: 5,
            bugs: [],
          },
        },
      ],
    },
    {
      externalId: "code-0004",
      prompt:
        "Our API tokens carry `issued_at` as an aware UTC datetime. Write `is_expired(issued_at, ttl_seconds)` in Python.",
      responses: [expiryAnswer],
      domain: "code",
      metadata: { language: "python", difficulty: "easy" },
      status: "queued",
      annotations: [],
    },
    {
      externalId: "code-0005",
      prompt: searchConversation,
      responses: [searchAnswer],
      domain: "code",
      metadata: { language: "python", difficulty: "easy" },
      status: "queued",
      annotations: [],
    },
  ],
  history: codeHistory,
};
