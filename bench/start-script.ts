import { readFileSync } from "node:fs";
import path from "node:path";

const projectRoot = path.resolve(import.meta.dirname, "..");

/**
 * The node arguments of `npm start` (package.json), so that benchmarks run Quorum as users do;
 * with `nodeDefaults`, without the V8 settings it makes (its `--max-…` flags).
 */
export function startScriptArguments(nodeDefaults = false): string[] {
  const packageJson = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const [command, ...rest] = packageJson.scripts.start.split(/\s+/);
  if (command !== "node") throw new Error(`npm start should run node, not ${command}`);
  return nodeDefaults ? rest.filter((argument) => !argument.startsWith("--max-")) : rest;
}
