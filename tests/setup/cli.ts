import { execFile } from "node:child_process";
import path from "node:path";
import { pino } from "pino";
import { loadConfig } from "../../server/config.ts";
import { startQuorum, type QuorumServer } from "../../server/index.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createUser } from "../../server/services/users.ts";
import { apiClient, type ApiClient } from "./api-client.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

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

/**
 * A Quorum server over a fresh database, for tests that compare a command with the API: on
 * PGlite it owns the data directory, so commands reach the database through its socket.
 */
export async function startServerForCli(): Promise<{
  server: QuorumServer;
  database: TestDatabase;
  stop(): Promise<void>;
}> {
  const database = await createTestDatabase();
  const server = await startQuorum({
    config: loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_SEED: "none",
      QUORUM_DATA_DIR: database.dataDir,
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    }),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  });
  return {
    server,
    database,
    async stop() {
      await server.close();
      await database.drop();
    },
  };
}

/**
 * An API client of a new workspace admin (`admin@example.test`) on a server of
 * `startServerForCli`, for tests that act through the API beside the CLI.
 */
export async function createAdminClient(server: QuorumServer): Promise<ApiClient> {
  const admin = await createUser(server.context.db, {
    email: "admin@example.test",
    name: "Admin",
    password: "correct horse battery staple",
    isAdmin: true,
  });
  return apiClient(server.url, (await createApiToken(server.context.db, admin.id, "test")).token);
}

/**
 * For `node --import`: a module hook that fails the process as soon as it would load a `.ts`
 * module or anything of tsx's, so that a test can tell compiled JavaScript is what runs.
 */
export const failOnTypeScript = `data:text/javascript,${encodeURIComponent(
  `import { register } from "node:module"; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(
      'export async function resolve(specifier, context, next) { const resolved = await next(specifier, context); if (/\\.ts$|\\/node_modules\\/tsx\\//.test(resolved.url)) throw new Error("loaded " + resolved.url); return resolved; }',
    )}`,
  )});`,
)}`;
