import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { acquireBuildLock } from "./node-build.js";

const projectRoot = path.resolve(import.meta.dirname, "..");
/**
 * What the build is made from. Route loaders and actions import the server's services and the
 * database layer, and the server bundle carries its own copy of them: a change there alone
 * must rebuild too, or pages would run the old code beside the new API.
 */
const buildInputs = ["app", "server", "db", "public", "vite.config.ts", "package-lock.json"];
/** Held while one process builds, so that two starting at once do not write one build together. */
const buildLock = path.join(projectRoot, ".cache", "build.lock");
/** Where the build's own output goes: read it when a build fails, or to see its warnings. */
export const buildLogFile = path.join(projectRoot, ".cache", "build.log");

export class CommandFailedError extends Error {}

/**
 * Runs a command with its output (stdout and stderr, interleaved as written) in `logFile`
 * rather than on the terminal. A failure throws with the end of that output in the message, so
 * that what went wrong is shown where the command was started.
 */
export function runLogged(
  command: string,
  args: ReadonlyArray<string>,
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): void {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, "w");
  let result: ReturnType<typeof spawnSync>;
  try {
    result = spawnSync(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", log, log],
    });
  } finally {
    closeSync(log);
  }
  if (result.status === 0) return;
  const output = readFileIfPresent(options.logFile).trimEnd().split("\n");
  const tail = output.slice(-60).join("\n");
  const reason = result.error
    ? result.error.message
    : result.signal
      ? `stopped by ${result.signal}`
      : `exit code ${result.status}`;
  throw new CommandFailedError(
    `${path.basename(command)} ${args.join(" ")} failed (${reason}). ` +
      `The last lines of ${options.logFile}:\n${tail}`,
  );
}

function newestModification(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(entry).reduce(
    (newest, child) => Math.max(newest, newestModification(path.join(entry, child))),
    stats.mtimeMs,
  );
}

/** True when the production build exists and is newer than every file it is built from. */
export function isBuildCurrent(root: string = projectRoot): boolean {
  const serverBuild = path.join(root, "build", "server", "index.js");
  if (!existsSync(serverBuild)) return false;
  const builtAt = statSync(serverBuild).mtimeMs;
  return buildInputs.every((input) => newestModification(path.join(root, input)) <= builtAt);
}

function readFileIfPresent(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Builds the Remix app unless the build on disk is current. */
export function ensureBuild(log: (message: string) => void = () => {}): void {
  if (isBuildCurrent()) return;
  const release = acquireBuildLock(buildLock, log);
  try {
    // Another process may have built it while this one waited for the lock.
    if (isBuildCurrent()) return;
    log(
      `Building the web app (first start, or the sources changed); its output goes to ${path.relative(projectRoot, buildLogFile)}…`,
    );
    const remixCli = createRequire(import.meta.url).resolve("@remix-run/dev/dist/cli.js");
    runLogged(process.execPath, [remixCli, "vite:build"], {
      cwd: projectRoot,
      env: { ...process.env, NODE_ENV: "production" },
      logFile: buildLogFile,
    });
  } finally {
    release();
  }
}
