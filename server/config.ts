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
  QUORUM_SEED: z.enum(["demo", "none"]).optional(),
  REDIS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_' or '-'")
    .optional(),
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
  SYNC_AWARENESS_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .positive()
    .default(128 * 1024),
  SYNC_AWARENESS_MAX_STATE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  SYNC_AWARENESS_MAX_CLIENTS: z.coerce.number().int().positive().default(4),
  SYNC_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(50),
  SYNC_RECEIVE_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024),
  SYNC_MAX_SEND_BUFFER_BYTES: z.coerce.number().int().positive().optional(),
  SYNC_ACCESS_RECHECK_SECONDS: z.coerce.number().positive().default(30),
  SYNC_ACTIVITY_FLUSH_SECONDS: z.coerce.number().positive().max(3_600).default(10),
  EVENTS_POLL_SECONDS: z.coerce.number().positive().default(2),
  EVENTS_MAX_STREAMS_PER_USER: z.coerce.number().int().positive().default(20),
  EXPORT_MAX_CONCURRENT_PER_USER: z.coerce.number().int().positive().default(2),
  QUALITY_EVENT_SECONDS: z.coerce.number().positive().default(10),
  WEBHOOK_POLL_SECONDS: z.coerce.number().positive().max(3_600).default(1),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(10),
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().positive().max(3_600).default(10),
  WEBHOOK_RETRY_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  WEBHOOK_LEASE_SECONDS: z.coerce.number().positive().max(3_600).default(60),
  WEBHOOK_LOG_DAYS: z.coerce.number().positive().max(3_650).default(30),
  WEBHOOK_TURN_OFF_AFTER_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .default(24 * 5),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(10),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(100),
  TRUST_PROXY: booleanFlag.default(false),
  SECURE_COOKIES: booleanFlag.default(false),
  INVITE_TTL_HOURS: z.coerce.number().positive().max(8760).default(72),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  SMTP_FROM: z.string().min(3).max(320).optional(),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface Config {
  env: Environment["NODE_ENV"];
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /**
   * Keeps this deployment's Redis channels apart from other deployments' on the same Redis;
   * unset, it is derived from the database (server/sync/fan-out.ts).
   */
  redisNamespace: string | undefined;
  dataDir: string;
  /**
   * Whether the demo workspace is seeded on the first start: QUORUM_SEED when set; unset, only
   * on the embedded database, never on a DATABASE_URL server, which may be anyone's.
   */
  seed: "demo" | "none";
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
  /** Bytes of presence states a connection may send per second; the excess is dropped. */
  syncAwarenessBytesPerSecond: number;
  /** Largest presence state accepted, as JSON; larger ones are dropped unread. */
  syncAwarenessMaxStateBytes: number;
  /** Presence client ids one connection may announce; states for more are dropped. */
  syncAwarenessMaxClients: number;
  /** Open sync connections per user on this instance; more are refused with 429. */
  syncMaxConnectionsPerUser: number;
  /** Bytes a second read from one sync connection, past a burst; the rest waits in TCP. */
  syncReceiveBytesPerSecond: number;
  /** Bytes held unsent for one sync connection before it is dropped as not reading. */
  syncMaxSendBufferBytes: number;
  /** How often open sync connections' credentials and project memberships are checked again. */
  syncAccessRecheckMs: number;
  /** How often the time people spent in rooms is stored; a crash loses at most this much. */
  syncActivityFlushMs: number;
  /** How often a project's event stream reads its progress again. */
  eventsPollMs: number;
  /** Open event streams per user on this instance; more are refused with 429. */
  eventsMaxStreamsPerUser: number;
  /** Exports a user may have running at once on this instance; more are refused with 429. */
  exportMaxConcurrentPerUser: number;
  /** The least time between two quality snapshots of a project's event streams. */
  qualityEventMs: number;
  /** Webhook delivery (docs/decisions/029): how often due endpoints are looked for, … */
  webhookPollMs: number;
  /** … how long a receiver has to answer, … */
  webhookTimeoutMs: number;
  /** … the first retry's delay, doubled on each failure up to an hour, … */
  webhookRetryBaseMs: number;
  /** … how long an event is retried before it is given up, … */
  webhookRetryMs: number;
  /** … and how long an instance holds an endpoint it is delivering to (a crash frees it then). */
  webhookLeaseMs: number;
  /**
   * How long an endpoint may go without a single delivery before the dispatcher turns it off;
   * 0 never turns one off.
   */
  webhookTurnOffAfterMs: number;
  /** Days the delivery log keeps attempts (each endpoint's latest 100 whatever their age). */
  webhookLogDays: number;
  /** Failed sign-ins per account in 15 minutes before its logins are refused. */
  loginMaxFailures: number;
  /** Failed sign-ins from one client address in 15 minutes, across accounts, likewise. */
  loginMaxFailuresPerIp: number;
  trustProxy: boolean;
  /** Mark the session cookie `Secure`: set it when Quorum is served over HTTPS. */
  secureCookies: boolean;
  /** How long an invite or password-reset link works (docs/decisions/022). */
  inviteTtlMs: number;
  /**
   * The address people reach Quorum at, for the links it hands out (without a trailing slash);
   * unset, the address of the request that made the link.
   */
  publicUrl: string | undefined;
  /** Where invite and reset links are emailed from; unset, nothing is sent. */
  smtp: { url: string; from: string } | undefined;
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
  if (environment.SMTP_URL && !environment.SMTP_FROM) {
    throw new ConfigError(["SMTP_FROM: must be set with SMTP_URL: the address mail is sent from"]);
  }
  const syncMaxSendBufferBytes =
    environment.SYNC_MAX_SEND_BUFFER_BYTES ??
    environment.SYNC_MAX_DOCUMENT_BYTES + 4 * environment.SYNC_MAX_PAYLOAD_BYTES;
  if (syncMaxSendBufferBytes < environment.SYNC_MAX_DOCUMENT_BYTES) {
    throw new ConfigError([
      "SYNC_MAX_SEND_BUFFER_BYTES: must be at least SYNC_MAX_DOCUMENT_BYTES: a client joining a full room receives the whole document",
    ]);
  }
  const dataDir = path.resolve(environment.QUORUM_DATA_DIR);
  return {
    env: environment.NODE_ENV,
    port: environment.PORT,
    host: environment.HOST,
    databaseUrl: environment.DATABASE_URL,
    redisUrl: environment.REDIS_URL,
    redisNamespace: environment.REDIS_NAMESPACE,
    dataDir,
    seed: environment.QUORUM_SEED ?? (environment.DATABASE_URL ? "none" : "demo"),
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
    syncAwarenessBytesPerSecond: environment.SYNC_AWARENESS_BYTES_PER_SECOND,
    syncAwarenessMaxStateBytes: environment.SYNC_AWARENESS_MAX_STATE_BYTES,
    syncAwarenessMaxClients: environment.SYNC_AWARENESS_MAX_CLIENTS,
    syncMaxConnectionsPerUser: environment.SYNC_MAX_CONNECTIONS_PER_USER,
    syncReceiveBytesPerSecond: environment.SYNC_RECEIVE_BYTES_PER_SECOND,
    syncMaxSendBufferBytes,
    syncAccessRecheckMs: environment.SYNC_ACCESS_RECHECK_SECONDS * 1000,
    syncActivityFlushMs: environment.SYNC_ACTIVITY_FLUSH_SECONDS * 1000,
    eventsPollMs: environment.EVENTS_POLL_SECONDS * 1000,
    eventsMaxStreamsPerUser: environment.EVENTS_MAX_STREAMS_PER_USER,
    exportMaxConcurrentPerUser: environment.EXPORT_MAX_CONCURRENT_PER_USER,
    qualityEventMs: environment.QUALITY_EVENT_SECONDS * 1000,
    webhookPollMs: environment.WEBHOOK_POLL_SECONDS * 1000,
    webhookTimeoutMs: environment.WEBHOOK_TIMEOUT_SECONDS * 1000,
    webhookRetryBaseMs: environment.WEBHOOK_RETRY_BASE_SECONDS * 1000,
    webhookRetryMs: environment.WEBHOOK_RETRY_HOURS * 60 * 60 * 1000,
    webhookLeaseMs: environment.WEBHOOK_LEASE_SECONDS * 1000,
    webhookTurnOffAfterMs: environment.WEBHOOK_TURN_OFF_AFTER_HOURS * 60 * 60 * 1000,
    webhookLogDays: environment.WEBHOOK_LOG_DAYS,
    loginMaxFailures: environment.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerIp: environment.LOGIN_MAX_FAILURES_PER_IP,
    trustProxy: environment.TRUST_PROXY,
    secureCookies: environment.SECURE_COOKIES,
    inviteTtlMs: environment.INVITE_TTL_HOURS * 60 * 60 * 1000,
    publicUrl: environment.PUBLIC_URL,
    smtp: environment.SMTP_URL
      ? { url: environment.SMTP_URL, from: environment.SMTP_FROM! }
      : undefined,
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
