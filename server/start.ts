import { ensureBuild } from "./build.ts";
import { main } from "./index.ts";

// `npm start`: build the web app when needed, then serve the production build.
ensureBuild((message) => process.stderr.write(`${message}\n`));
await main();
