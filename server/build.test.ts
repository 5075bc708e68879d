import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CommandFailedError, isBuildCurrent, runLogged } from "./build.ts";
import { isNodeBuildCurrent, nodeBuildEntry } from "./node-build.js";
import { workerFromSources, type WorkerStart } from "./worker-entry.ts";

const directory = mkdtempSync(path.join(tmpdir(), "quorum-build-log-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const node = (script: string, logFile: string) =>
  runLogged(process.execPath, ["-e", script], { cwd: directory, env: process.env, logFile });

describe("a build's output", () => {
  test("goes to its log file, not to the terminal, when it succeeds", () => {
    const logFile = path.join(directory, "ok.log");
    node(
      "for (let i = 0; i < 200; i++) console.log('chunk ' + i); console.warn('a warning')",
      logFile,
    );
    const written = readFileSync(logFile, "utf8");
    expect(written.split("\n").filter(Boolean)).toHaveLength(201);
    expect(written).toContain("a warning");
  });

  test("is shown, its end at least, when it fails", () => {
    const logFile = path.join(directory, "failed.log");
    let thrown: unknown;
    try {
      node(
        "for (let i = 0; i < 500; i++) console.log('noise ' + i); console.error('Error: cannot resolve ./missing'); process.exit(3)",
        logFile,
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CommandFailedError);
    const message = (thrown as Error).message;
    expect(message).toContain("exit code 3");
    expect(message).toContain("Error: cannot resolve ./missing");
    expect(message).toContain(logFile);
    expect(message).not.toContain("noise 0\n");
  });
});

describe("whether the build is current", () => {
  test("is no longer so once a server or database file changes, not only the app", () => {
    const root = mkdtempSync(path.join(directory, "checkout-"));
    const files = [
      "app/root.tsx",
      "server/services/queue.ts",
      "db/schema.ts",
      "build/server/index.js",
    ];
    for (const file of files) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), "");
    }
    const past = new Date(Date.now() - 60_000);
    for (const file of files.slice(0, 3)) utimesSync(path.join(root, file), past, past);
    for (const directoryName of ["app", "server", "server/services", "db"]) {
      utimesSync(path.join(root, directoryName), past, past);
    }
    expect(isBuildCurrent(root)).toBe(true);
    for (const changed of ["server/services/queue.ts", "db/schema.ts", "app/root.tsx"]) {
      const future = new Date(Date.now() + 60_000);
      utimesSync(path.join(root, changed), future, future);
      expect(isBuildCurrent(root), changed).toBe(false);
      utimesSync(path.join(root, changed), past, past);
    }
    expect(isBuildCurrent(root)).toBe(true);
  });
});

describe("whether the compiled server and CLI are current", () => {
  test("is no longer so once a file they were built from changes, is put back, or goes", () => {
    const root = mkdtempSync(path.join(directory, "compiled-"));
    const sources = ["server/cli/index.ts", "db/client.ts"];
    for (const file of sources) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), "export {};\n");
    }
    const recordManifest = () => {
      const inputs = Object.fromEntries(
        sources.map((file) => {
          const stats = statSync(path.join(root, file));
          return [file, `${stats.mtimeMs}:${stats.size}`];
        }),
      );
      const buildDir = path.join(root, "node_modules", ".cache", "quorum-node");
      mkdirSync(buildDir, { recursive: true });
      writeFileSync(path.join(buildDir, "manifest.json"), JSON.stringify({ inputs }));
    };
    expect(isNodeBuildCurrent(root)).toBe(false);
    recordManifest();
    expect(isNodeBuildCurrent(root)).toBe(true);

    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, "db/client.ts"), later, later);
    expect(isNodeBuildCurrent(root)).toBe(false);
    recordManifest();
    // An older version put back (a checkout, an undo) has an older time: a change all the same.
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(path.join(root, "server/cli/index.ts"), earlier, earlier);
    expect(isNodeBuildCurrent(root)).toBe(false);
    recordManifest();
    rmSync(path.join(root, "db/client.ts"));
    expect(isNodeBuildCurrent(root)).toBe(false);
  });
});

/** A worker's first message after `request`, if any; the worker is stopped after it. */
async function firstReply(start: WorkerStart, request?: unknown): Promise<unknown> {
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(start.url, { workerData: start.workerData });
  try {
    return await new Promise<unknown>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      if (request !== undefined) worker.postMessage(request);
    });
  } finally {
    await worker.terminate();
  }
}

const compiledWorker = (entry: string): WorkerStart => ({
  url: new URL(nodeBuildEntry(entry)),
  workerData: undefined,
});

/** Merges a document holding "kept" in the worker and reads the merged text back. */
async function mergedText(start: WorkerStart): Promise<string> {
  const Y = await import("yjs");
  const doc = new Y.Doc();
  doc.getText("draft").insert(0, "kept");
  const reply = await firstReply(start, { id: 1, updates: [Y.encodeStateAsUpdate(doc)] });
  const merged = new Y.Doc();
  Y.applyUpdate(merged, (reply as { state: Uint8Array }).state);
  return merged.getText("draft").toString();
}

describe("the compiled server's worker threads", () => {
  // The global set-up compiled the build. A worker the server starts by file name must be an
  // entry of its own there, or the compiled server starts a thread that does not exist.
  test("merges a room's log in the compiled merge worker", async () => {
    expect(await mergedText(compiledWorker("merge-worker"))).toBe("kept");
  });

  test("formats markdown in the compiled markdown worker", async () => {
    expect(await firstReply(compiledWorker("markdown-worker"))).toEqual({ type: "ready" });
  });
});

describe("the worker threads run from their sources", () => {
  // What a server run from the sources starts once a source has changed since the build.
  test("merge and format markdown through the bootstrap that compiles TypeScript", async () => {
    const mergeWorker = workerFromSources(
      new URL("./sync/document-merger.ts", import.meta.url).href,
      "./merge-worker.ts",
    );
    expect(await mergedText(mergeWorker)).toBe("kept");
    const markdownWorker = workerFromSources(
      new URL("./rendering/markdown-pool.ts", import.meta.url).href,
      "./markdown-worker.ts",
    );
    expect(await firstReply(markdownWorker)).toEqual({ type: "ready" });
  });
});
