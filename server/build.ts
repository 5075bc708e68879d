import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const projectRoot = path.resolve(import.meta.dirname, "..");
const serverBuild = path.join(projectRoot, "build", "server", "index.js");
const buildInputs = ["app", "vite.config.ts", "package-lock.json"];

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
export function isBuildCurrent(): boolean {
  if (!existsSync(serverBuild)) return false;
  const builtAt = statSync(serverBuild).mtimeMs;
  return buildInputs.every((input) => newestModification(path.join(projectRoot, input)) <= builtAt);
}

/** Builds the Remix app unless the build on disk is current. */
export function ensureBuild(log: (message: string) => void = () => {}): void {
  if (isBuildCurrent()) return;
  log("Building the web app (first start, or the sources changed)…");
  const remixCli = createRequire(import.meta.url).resolve("@remix-run/dev/dist/cli.js");
  execFileSync(process.execPath, [remixCli, "vite:build"], {
    cwd: projectRoot,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
}
