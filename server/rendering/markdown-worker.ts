import { parentPort } from "node:worker_threads";
import type { PreparedContent } from "../../app/components/markdown/content-formats.ts";
import { renderMarkdownToHtml } from "./markdown-html.ts";
import type { WorkerReply, WorkerRequest } from "./markdown-pool.ts";

/**
 * A markdown worker: formats one field per message. A field that throws (a stack overflow deep
 * in the parser, say) is plain text; one that takes too long is the pool's to stop.
 */
const port = parentPort;
if (!port) throw new Error("markdown-worker.ts runs as a worker thread");

function format(source: string): PreparedContent {
  try {
    return renderMarkdownToHtml(source);
  } catch {
    return { format: "too-complex" };
  }
}

port.on("message", (request: WorkerRequest) => {
  const reply: WorkerReply = { type: "done", id: request.id, content: format(request.source) };
  port.postMessage(reply);
});

// Every part of the renderer runs once before the worker takes work, so that the first field
// does not pay for loading and compiling it within its time budget.
format(
  "Warm *up* **now** ~~x~~ `code` $x^2$ [link](https://example.org)\n\n```js\nlet a;\n```\n\n| a |\n| - |\n| b |\n",
);
const ready: WorkerReply = { type: "ready" };
port.postMessage(ready);
