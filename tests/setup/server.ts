import { pino } from "pino";
import { loadConfig } from "../../server/config.ts";
import { startQuorum, type QuorumServer } from "../../server/index.ts";
import type { Logger } from "../../server/logger.ts";
import { createUser, type NewUserInput } from "../../server/services/users.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createTestDatabase } from "./database.ts";

export interface TestServer extends QuorumServer {
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
  /** Creates a user and an API token for them. */
  createUserWithToken(input: Partial<NewUserInput> & { email: string }): Promise<{
    userId: number;
    token: string;
  }>;
}

/**
 * A real Quorum server on a free port over a fresh database of its own. `environment` holds
 * extra settings as they would appear in the process environment; `log` replaces the silent
 * logger, for a test that reads what the server logs.
 */
export async function startTestServer(
  environment: Record<string, string> = {},
  options: { log?: Logger } = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    QUORUM_SEED: "none",
    QUORUM_DATA_DIR: database.dataDir,
    SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...environment,
  });
  const server = await startQuorum({
    config,
    log: options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  });
  return {
    ...server,
    async stop() {
      await server.close();
      await database.drop();
    },
    async createUserWithToken(input) {
      const user = await createUser(server.context.db, {
        name: input.email.split("@")[0] ?? "user",
        password: "correct horse battery staple",
        ...input,
      });
      const { token } = await createApiToken(server.context.db, user.id, "test");
      return { userId: user.id, token };
    },
  };
}
