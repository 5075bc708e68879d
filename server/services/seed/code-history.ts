import type { Label } from "../../../app/domain/template.ts";
import { mark, type DemoResponse } from "./demo-content.ts";
import type { DemoHistory, HistoryCase } from "./history.ts";

const fence = "```";

function snippet(
  externalId: string,
  language: string,
  prompt: string,
  code: string,
  explanation: string,
  truth: (response: DemoResponse) => Label,
): HistoryCase {
  const response: DemoResponse = {
    id: "r1",
    model: "coder-v3",
    text: `${fence}${language}\n${code}\n${fence}\n\n${explanation}`,
  };
  return {
    externalId,
    prompt,
    responses: [response],
    domain: "code",
    metadata: { language, source: "code review sample" },
    truth: truth(response),
  };
}

export const codeHistory: DemoHistory = {
  annotators: ["expert3", "expert1", "junior2"],
  cases: [
    {
      ...snippet(
        "code-h01",
        "python",
        "Write a Python function that tells whether a string is a palindrome, ignoring case, spaces and punctuation.",
        `def is_palindrome(text):
    cleaned = [c.lower() for c in text if c.isalnum()]
    return cleaned == cleaned[::-1]`,
        "It keeps letters and digits, lower-cased, and compares them with their reverse.",
        () => ({
          verdict: "correct",
          issue_types: [],
          correctness: 5,
          code_quality: 5,
          explanation_quality: 5,
          bugs: [],
        }),
      ),
      gold: true,
    },
    snippet(
      "code-h02",
      "python",
      "Write a Python function returning the mean of a list of numbers.",
      `def average(values):
    return sum(values) / len(values)`,
      "It returns the arithmetic mean, and 0 for an empty list.",
      (response) => ({
        verdict: "partially correct",
        issue_types: ["edge cases"],
        correctness: 3,
        code_quality: 4,
        explanation_quality: 2,
        bugs: [
          mark(
            response,
            "and 0 for an empty list",
            "misleading explanation",
            "major",
            "An empty list raises ZeroDivisionError.",
          ),
        ],
      }),
    ),
    snippet(
      "code-h03",
      "ts",
      "Write a TypeScript function returning the last n items of an array.",
      `function lastN<T>(items: T[], n: number): T[] {
  return items.slice(items.length - n - 1);
}`,
      "It slices from n items before the end, so it returns the last n items.",
      (response) => ({
        verdict: "incorrect",
        issue_types: ["logic"],
        correctness: 2,
        code_quality: 4,
        explanation_quality: 2,
        bugs: [mark(response, "items.length - n - 1", "off-by-one", "major")],
      }),
    ),
    snippet(
      "code-h04",
      "python",
      "Write a Python function that looks up a user's id by email with a DB-API cursor.",
      `def find_user(cursor, email):
    cursor.execute(f"SELECT id FROM users WHERE email = '{email}'")
    return cursor.fetchone()`,
      "It returns the matching row, or None when there is none.",
      (response) => ({
        verdict: "partially correct",
        issue_types: ["security"],
        correctness: 2,
        code_quality: 1,
        explanation_quality: 4,
        bugs: [
          mark(
            response,
            `f"SELECT id FROM users WHERE email = '{email}'"`,
            "security vulnerability",
            "critical",
            "SQL injection: pass the email as a query parameter.",
          ),
        ],
      }),
    ),
    snippet(
      "code-h05",
      "python",
      "Write a Python function computing the nth Fibonacci number efficiently.",
      `from functools import lru_cache

@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)`,
      "Memoisation makes it run in linear time.",
      () => ({
        verdict: "correct",
        issue_types: [],
        correctness: 5,
        code_quality: 4,
        explanation_quality: 5,
        bugs: [],
      }),
    ),
    snippet(
      "code-h06",
      "ts",
      "Write a TypeScript function that parses a TCP port number from a string and rejects anything invalid.",
      `function parsePort(value: string): number {
  const port = parseInt(value);
  if (port < 1 || port > 65535) throw new Error(\`bad port: \${value}\`);
  return port;
}`,
      "Anything that is not a port number between 1 and 65535 is rejected.",
      (response) => ({
        verdict: "partially correct",
        issue_types: ["edge cases", "error handling"],
        correctness: 3,
        code_quality: 3,
        explanation_quality: 2,
        bugs: [
          mark(
            response,
            "const port = parseInt(value);",
            "unhandled edge case",
            "major",
            'parseInt("80abc") is 80 and parseInt("abc") is NaN, which passes both comparisons.',
          ),
        ],
      }),
    ),
    snippet(
      "code-h07",
      "python",
      "Write a Python function giving the number of days between two dates.",
      `def days_between(a, b):
    return (b - a).days`,
      "It returns the number of whole days between the dates, always positive.",
      (response) => ({
        verdict: "correct",
        issue_types: [],
        correctness: 5,
        code_quality: 4,
        explanation_quality: 3,
        bugs: [
          mark(
            response,
            "always positive",
            "misleading explanation",
            "minor",
            "Negative when b is before a.",
          ),
        ],
      }),
    ),
    snippet(
      "code-h08",
      "ts",
      "Write a TypeScript function that fetches a list of URLs in parallel and returns their bodies in order.",
      `async function fetchAll(urls: string[]): Promise<string[]> {
  const results: string[] = [];
  urls.forEach(async (url) => {
    results.push(await (await fetch(url)).text());
  });
  return results;
}`,
      "Every URL is fetched in parallel, and the bodies come back in the order of the URLs.",
      (response) => ({
        verdict: "incorrect",
        issue_types: ["concurrency", "logic"],
        correctness: 1,
        code_quality: 2,
        explanation_quality: 1,
        bugs: [
          mark(
            response,
            "urls.forEach(async (url) => {",
            "logic error",
            "critical",
            "forEach does not wait: the function returns an empty array, later filled in completion order.",
          ),
        ],
      }),
    ),
  ],
};
