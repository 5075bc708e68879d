import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const booleanFlag = z
  .enum(["0", "1", "true", "false"])
  .transform((value) => value === "1" || value === "true");

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  QUORUM_DATA_DIR: z.string().min(1).default(".quorum"),
  QUORUM_SEED: z.enum(["demo", "none"]).default("demo"),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SESSION_TTL_DAYS: z.coerce.number().positive().default(30),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  SYNC_MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024),
  SYNC_MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  SYNC_COMPACT_AFTER_UPDATES: z.coerce.number().int().positive().default(500),
  SYNC_COMPACT_AFTER_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  SYNC_AWARENESS_PER_SECOND: z.coerce.number().int().positive().default(20),
  SYNC_ACCESS_RECHECK_SECONDS: z.coerce.number().positive().default(30),
  EVENTS_POLL_SECONDS: z.coerce.number().positive().default(2),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(10),
  TRUST_PROXY: booleanFlag.default(false),
  SECURE_COOKIES: booleanFlag.default(false),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface Config {
  env: Environment["NODE_ENV"];
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  seed: Environment["QUORUM_SEED"];
  sessionSecret: string;
  sessionTtlMs: number;
  logLevel: Environment["LOG_LEVEL"];
  maxBodyBytes: number;
  /** Largest import upload (`POST /api/v1/projects/:id/items`), which reads its own body. */
  importMaxBytes: number;
  syncMaxPayloadBytes: number;
  /** A room document whose stored size would pass this refuses further client updates. */
  syncMaxDocumentBytes: number;
  /** A room's update log is merged into its snapshot once it holds this many updates … */
  syncCompactAfterUpdates: number;
  /** … or this many bytes, whichever comes first. */
  syncCompactAfterBytes: number;
  /** Presence updates a connection may send per second; the excess is dropped. */
  syncAwarenessPerSecond: number;
  /** How often open sync connections' credentials and project memberships are checked again. */
  syncAccessRecheckMs: number;
  /** How often a project's event stream reads its progress again. */
  eventsPollMs: number;
  loginMaxFailures: number;
  trustProxy: boolean;
  /** Mark the session cookie `Secure`: set it when Quorum is served over HTTPS. */
  secureCookies: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses the environment once at boot. A wrong setting fails here, naming the variable,
 * rather than later as an obscure runtime error.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    );
  }
  const environment = parsed.data;
  const dataDir = path.resolve(environment.QUORUM_DATA_DIR);
  return {
    env: environment.NODE_ENV,
    port: environment.PORT,
    host: environment.HOST,
    databaseUrl: environment.DATABASE_URL,
    redisUrl: environment.REDIS_URL,
    dataDir,
    seed: environment.QUORUM_SEED,
    sessionSecret: environment.SESSION_SECRET ?? persistedSessionSecret(dataDir),
    sessionTtlMs: environment.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000,
    logLevel: environment.LOG_LEVEL,
    maxBodyBytes: environment.MAX_BODY_BYTES,
    importMaxBytes: environment.IMPORT_MAX_BYTES,
    syncMaxPayloadBytes: environment.SYNC_MAX_PAYLOAD_BYTES,
    syncMaxDocumentBytes: environment.SYNC_MAX_DOCUMENT_BYTES,
    syncCompactAfterUpdates: environment.SYNC_COMPACT_AFTER_UPDATES,
    syncCompactAfterBytes: environment.SYNC_COMPACT_AFTER_BYTES,
    syncAwarenessPerSecond: environment.SYNC_AWARENESS_PER_SECOND,
    syncAccessRecheckMs: environment.SYNC_ACCESS_RECHECK_SECONDS * 1000,
    eventsPollMs: environment.EVENTS_POLL_SECONDS * 1000,
    loginMaxFailures: environment.LOGIN_MAX_FAILURES,
    trustProxy: environment.TRUST_PROXY,
    secureCookies: environment.SECURE_COOKIES,
  };
}

/**
 * Without SESSION_SECRET a fresh checkout still has to start, so a random secret is generated
 * once and kept in the data directory; sessions then survive restarts of this instance.
 */
function persistedSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
