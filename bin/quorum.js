#!/usr/bin/env node
// `quorum`: runs the compiled CLI, compiled first when it is missing or older than
// its sources. Only a terminal hears about that; a script's stderr stays the command's own.
import { ensureNodeBuild, nodeBuildEntry } from "../server/node-build.js";

await ensureNodeBuild((message) => {
  if (process.stderr.isTTY) process.stderr.write(`${message}\n`);
});
const { runCli } = await import(nodeBuildEntry("cli"));
process.exitCode = await runCli(process.argv);
