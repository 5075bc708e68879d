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
  // `NODE_ENV=production exec node …`: the environment and the shell's `exec` precede node.
  const words = packageJson.scripts.start.split(/\s+/);
  const node = words.indexOf("node");
  if (node === -1) throw new Error(`npm start should run node: ${packageJson.scripts.start}`);
  const rest = words.slice(node + 1);
  return nodeDefaults ? rest.filter((argument) => !argument.startsWith("--max-")) : rest;
}
