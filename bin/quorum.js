#!/usr/bin/env node
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../server/cli/index.ts");
process.exitCode = await runCli(process.argv);
