// The compiled Node build of the server and the `quorum` CLI, and the lock that keeps two
// processes from building at once. Plain JavaScript, as the launchers in bin/ run it before
// anything is compiled; docs/decisions/030-compiled-server-and-cli.md says why.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const projectRoot = path.resolve(import.meta.dirname, "..");
/**
 * Where the compiled build goes: not under build/, which the web app's build empties whenever it
 * runs, but where every tool already looks away (git, the linters, the type checker).
 */
const nodeBuildPath = ["node_modules", ".cache", "quorum-node"];
const nodeBuildDir = path.join(projectRoot, ...nodeBuildPath);
const nodeBuildLock = path.join(projectRoot, ".cache", "node-build.lock");

/**
 * The build's entries, each a file of the build. Every module an entry imports is bundled in;
 * one that two entries share, or that the CLI imports only when a command runs, is a chunk of
 * its own, loaded when first needed.
 */
const entryPoints = {
  start: "server/start.ts",
  "web-build": "server/build.ts",
  cli: "server/cli/index.ts",
  "markdown-worker": "server/rendering/markdown-worker.ts",
  "merge-worker": "server/sync/merge-worker.ts",
};

/**
 * What the build depends on besides the sources esbuild reads: how it is made (this file) and
 * which esbuild makes it (the lock file).
 */
const buildSettings = ["server/node-build.js", "package-lock.json"];

/**
 * A file's identity for the staleness check: its modification time and size. A build is current
 * while every input still has the identity it had when it was built, so that a file put back to
 * an older version counts as a change too.
 * @param {string} root
 * @param {string} file
 * @returns {string | null}
 */
function fingerprint(root, file) {
  try {
    const stats = statSync(path.join(root, file));
    return `${stats.mtimeMs}:${stats.size}`;
  } catch {
    return null;
  }
}

/**
 * The URL of one of the build's entries (`start`, `cli`, `web-build`), for `import()`.
 * @param {string} entry
 * @returns {string}
 */
export function nodeBuildEntry(entry) {
  return pathToFileURL(path.join(nodeBuildDir, `${entry}.js`)).href;
}

/**
 * True when the compiled build exists and none of the files it was built from has changed since: a
 * stat of each of them, which esbuild listed in the manifest; no source is read.
 * @param {string} [root] the checkout
 * @returns {boolean}
 */
export function isNodeBuildCurrent(root = projectRoot) {
  /** @type {{ inputs?: Record<string, string> }} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(root, ...nodeBuildPath, "manifest.json"), "utf8"));
  } catch {
    return false;
  }
  const inputs = Object.entries(manifest.inputs ?? {});
  return inputs.length > 0 && inputs.every(([file, seen]) => fingerprint(root, file) === seen);
}

/** @param {number} pid */
function processIsAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === "EPERM";
  }
}

/** @param {string} file */
function readFileIfPresent(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/**
 * Takes a build lock (a directory: `mkdir` is atomic, so two processes never both get it),
 * waiting while another live process holds it; a lock left by a process that died is taken
 * over. Returns the function that releases it.
 * @param {string} lockDir
 * @param {(message: string) => void} log
 * @returns {() => void}
 */
export function acquireBuildLock(lockDir, log) {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, "pid"), String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EEXIST") throw error;
    }
    const holder = Number(readFileIfPresent(path.join(lockDir, "pid")));
    if (holder > 0 && !processIsAlive(holder)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`Waiting for another process (pid ${holder || "unknown"}) to finish building…`);
      announced = true;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

const metaDirname = /\bimport\.meta\.dirname\b/;

/**
 * Compiled, a module is no longer where its source is, and `import.meta.dirname` would name the
 * build's directory. Each source's `import.meta.dirname` is made to name its source directory
 * again (relative to the build's directory, where every compiled file sits), so that files found beside the
 * sources (the API docs page, package.json) are found as before. `import.meta.url` stays the
 * compiled module's own, for what belongs to the build (the markdown worker).
 * @returns {import("esbuild").Plugin}
 */
function sourceDirectories() {
  return {
    name: "source-directories",
    setup(build) {
      build.onLoad({ filter: /\.(ts|tsx|js)$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = readFileSync(args.path, "utf8");
        if (!metaDirname.test(source)) return undefined;
        const fromBuild = path.relative(nodeBuildDir, path.dirname(args.path)).split(path.sep);
        const contents = source.replace(
          new RegExp(metaDirname.source, "g"),
          `(import.meta.dirname + ${JSON.stringify(`/${fromBuild.join("/")}`)})`,
        );
        const extension = path.extname(args.path).slice(1);
        return { contents, loader: /** @type {"ts" | "tsx" | "js"} */ (extension) };
      });
    },
  };
}

/**
 * Compiles the server and the CLI: into a fresh directory first, which then
 * takes the place of the old build, so that no process ever loads half of one.
 * @returns {Promise<void>}
 */
async function buildNode() {
  const esbuild = await import("esbuild");
  const startedAt = Date.now();
  const staging = `${nodeBuildDir}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: projectRoot,
    entryPoints,
    outdir: staging,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    logLevel: "silent",
    plugins: [sourceDirectories()],
  });
  // A source saved while esbuild read it may be in the build in its earlier version: it is
  // recorded as changed, so that the next run builds again.
  const inputs = Object.fromEntries(
    [...Object.keys(result.metafile.inputs), ...buildSettings].map((file) => {
      const seen = fingerprint(projectRoot, file);
      const changedSince = seen !== null && Number(seen.split(":")[0]) >= startedAt;
      return [file, changedSince ? "changed during the build" : seen];
    }),
  );
  writeFileSync(path.join(staging, "manifest.json"), `${JSON.stringify({ inputs }, null, 1)}\n`);
  const previous = `${nodeBuildDir}.old.${process.pid}`;
  try {
    renameSync(nodeBuildDir, previous);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== "ENOENT") throw error;
  }
  renameSync(staging, nodeBuildDir);
  rmSync(previous, { recursive: true, force: true });
}

/**
 * Compiles the server and the CLI unless the build is current; `log` hears why a process waits or builds.
 * @param {(message: string) => void} [log]
 * @returns {Promise<void>}
 */
export async function ensureNodeBuild(log = () => {}) {
  if (isNodeBuildCurrent()) return;
  const release = acquireBuildLock(nodeBuildLock, log);
  try {
    // Another process may have built it while this one waited for the lock.
    if (isNodeBuildCurrent()) return;
    log("Compiling the server and the CLI (first run, or the sources changed)…");
    await buildNode();
  } finally {
    release();
  }
}
