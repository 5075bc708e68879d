// `npm install` runs this (the `prepare` script): it compiles the server and the CLI and builds
// the web app, each unless it is current, so that the first `npm start` and `quorum` are quick.
import { ensureNodeBuild, nodeBuildEntry } from "../server/node-build.js";

/** @param {string} message */
const log = (message) => process.stderr.write(`${message}\n`);
try {
  await ensureNodeBuild(log);
  const { ensureBuild } = await import(nodeBuildEntry("web-build"));
  ensureBuild(log);
} catch (error) {
  log(`The build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
