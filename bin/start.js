// `npm start`: runs the compiled server, compiled first when it is missing or older
// than its sources; the compiled server then builds the web app when it needs to.
import { ensureNodeBuild, nodeBuildEntry } from "../server/node-build.js";

try {
  await ensureNodeBuild((message) => process.stderr.write(`${message}\n`));
} catch (error) {
  process.stderr.write(
    `Quorum failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
await import(nodeBuildEntry("start"));
