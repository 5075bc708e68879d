import { execFile } from "node:child_process";
import path from "node:path";
import type { TestDatabase } from "./database.ts";

const projectRoot = path.resolve(import.meta.dirname, "../..");
const bin = path.join(projectRoot, "bin", "quorum.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `quorum` as a user would, as its own process, against a test database. */
export function runQuorumCli(
  testDatabase: TestDatabase,
  args: string[],
  environment: Record<string, string> = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "test",
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    QUORUM_SEED: "none",
    QUORUM_DATA_DIR: testDatabase.dataDir,
    ...(testDatabase.databaseUrl ? { DATABASE_URL: testDatabase.databaseUrl } : {}),
    ...environment,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env, cwd: projectRoot },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
