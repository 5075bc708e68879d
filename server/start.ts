import { CommandFailedError, ensureBuild } from "./build.ts";
import { runAsProcess } from "./index.ts";

// `npm start`: build the web app when needed, then serve the production build.
try {
  ensureBuild((message) => process.stderr.write(`${message}\n`));
} catch (error) {
  process.stderr.write(
    `Quorum failed to start: ${error instanceof CommandFailedError ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
runAsProcess();
