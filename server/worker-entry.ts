import { isNodeBuildCurrent, nodeBuildEntry } from "./node-build.js";

/** A worker thread's module and the data it starts with. */
export interface WorkerStart {
  url: URL;
  workerData: { entry: string } | undefined;
}

let compiledBuildIsCurrent: boolean | undefined;

/**
 * How to start one of the compiled build's worker entries from the module at `callerUrl`, whose
 * TypeScript source sits beside `sourceFile`. In the compiled build (`npm start`) the worker is
 * compiled beside its caller. Run from the sources (`npm run dev`, the tests), the compiled worker
 * is used while the build is current (a worker compiled at run time takes about twice the CPU to
 * start, paid by every server start); otherwise, as after an edit, the worker starts through a
 * bootstrap that registers tsx, so it always runs the sources as they are.
 */
export function workerStart(
  entry: "markdown-worker" | "merge-worker",
  callerUrl: string,
  sourceFile: string,
): WorkerStart {
  if (!callerUrl.endsWith(".ts")) {
    return { url: new URL(`./${entry}.js`, callerUrl), workerData: undefined };
  }
  compiledBuildIsCurrent ??= isNodeBuildCurrent();
  if (compiledBuildIsCurrent) return { url: new URL(nodeBuildEntry(entry)), workerData: undefined };
  return workerFromSources(callerUrl, sourceFile);
}

/** A worker run from its TypeScript source, through the bootstrap that registers tsx. */
export function workerFromSources(callerUrl: string, sourceFile: string): WorkerStart {
  return {
    url: new URL("./rendering/typescript-worker.mjs", import.meta.url),
    workerData: { entry: new URL(sourceFile, callerUrl).href },
  };
}
