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
  /** What the command reads on stdin; by default stdin stays open and empty. */
  input?: string | Uint8Array,
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...quorumCliCommand(testDatabase).env, ...environment };
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env, cwd: projectRoot },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The environment `runQuorumCli` gives the command, for tests that spawn it themselves. */
export function quorumCliCommand(testDatabase: TestDatabase): {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
} {
  return {
    command: process.execPath,
    args: [bin],
    env: {
      NODE_ENV: "test",
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      QUORUM_SEED: "none",
      QUORUM_DATA_DIR: testDatabase.dataDir,
      ...(testDatabase.databaseUrl ? { DATABASE_URL: testDatabase.databaseUrl } : {}),
    },
    cwd: projectRoot,
  };
}
