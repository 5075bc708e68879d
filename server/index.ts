import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createServer, type IncomingMessage, type Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import type { Duplex } from "node:stream";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { pinoHttp } from "pino-http";
import { openDatabase, type DatabaseHandle } from "../db/client.ts";
import { DataDirInUseError } from "../db/data-dir-lock.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { ACCESS_CHANNEL, AccessChanges } from "./access-changes.ts";
import { loadConfig, ConfigError, type Config } from "./config.ts";
import type { QuorumContext } from "./context.ts";
import { createApiRouter } from "./http/api.ts";
import { createSessionCookie } from "./http/credentials.ts";
import { createApiDocsRouter } from "./http/openapi/serve.ts";
import { requireSameOriginPage } from "./http/same-origin.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMarkdownRenderer } from "./rendering/markdown-pool.ts";
import { runDataSteps } from "./services/data-steps.ts";
import { createMailer } from "./services/mail.ts";
import { seedDemoWorkspaceOnFirstStart } from "./services/seed.ts";
import { createRooms } from "./sync/rooms.ts";
import { WebhookDispatcher } from "./services/webhooks/dispatcher.ts";
import { QualityAhead } from "./services/quality-ahead.ts";
import { createSyncServer } from "./sync/server.ts";

const projectRoot = path.resolve(import.meta.dirname, "..");
const packageVersion = (
  JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }
).version;

/** How long start-up waits for a markdown worker, which pages need to show formatted content. */
const MARKDOWN_STARTUP_WAIT_MS = 30_000;

export interface StartOptions {
  config: Config;
  /** Serve the app through Vite with HMR instead of the production build. */
  dev?: boolean;
  /** A logger to use instead of one made from the configuration (tests silence it). */
  log?: Logger;
}

export interface QuorumServer {
  url: string;
  context: QuorumContext;
  httpServer: Server;
  close(): Promise<void>;
}

/**
 * The composition root: one HTTP server carrying the Remix app, the JSON API and the
 * WebSocket sync endpoint, over one database.
 */
export async function startQuorum(options: StartOptions): Promise<QuorumServer> {
  const log = options.log ?? createLogger(options.config.logLevel);
  const database = await openDatabase({
    databaseUrl: options.config.databaseUrl,
    pgliteDataDir: path.join(options.config.dataDir, "pgdata"),
    pgliteAccess: "owner",
    onWait: (command) =>
      log.info({ pid: command.pid }, "waiting for a quorum command to finish with the database"),
  });
  try {
    return await serveOver(database, options, log);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

async function serveOver(
  database: DatabaseHandle,
  options: StartOptions,
  log: Logger,
): Promise<QuorumServer> {
  const { config } = options;
  if (database.replacedStaleLock) {
    log.warn(
      { pid: database.replacedStaleLock.pid, since: database.replacedStaleLock.since },
      "took over the database lock of a process that is no longer running",
    );
  }
  // The markdown workers load while the database migrates; the server listens once one is ready.
  const markdown = createMarkdownRenderer({ log });
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) log.info({ migrations: applied }, "database migrated");
  const dataSteps = await runDataSteps(database.db);
  if (dataSteps.length > 0) {
    log.info(
      { steps: dataSteps.map((run) => ({ step: run.name, outcome: run.outcome })) },
      "data steps done",
    );
  }

  const rooms = await createRooms({ db: database.db, config, log });
  const shuttingDown = new AbortController();
  const context: QuorumContext = {
    db: database.db,
    dbKind: database.kind,
    config,
    log,
    sessionCookie: createSessionCookie(config.sessionSecret, config.secureCookies),
    version: packageVersion,
    rooms,
    closing: shuttingDown.signal,
    markdown,
    accessChanges: new AccessChanges(),
    mailer: createMailer(config.smtp, log),
  };
  const webhooks = new WebhookDispatcher(database.db, config, log);
  const qualityAhead = new QualityAhead(
    database.db,
    { intervalMs: Math.max(1_000, config.qualityEventMs / 2), closing: shuttingDown.signal },
    log,
  );
  if (config.seed === "demo" && (await seedDemoWorkspaceOnFirstStart(database.db))) {
    log.info("seeded the demo workspace (log in as lead@demo.quorum / quorum-demo)");
  }

  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders({ development: Boolean(options.dev) }));
  app.use(compressResponses());
  // One hop: the address the reverse proxy saw. Trusting every hop would take the left-most
  // X-Forwarded-For entry, which the client writes itself, and so dodge per-address limits.
  app.set("trust proxy", config.trustProxy ? 1 : false);
  app.use((_request, response, next) => {
    response.locals.receivedAt = performance.now();
    next();
  });
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (request, response) => {
        const incoming = request.headers["x-request-id"];
        const id = typeof incoming === "string" && incoming.length <= 200 ? incoming : randomUUID();
        response.setHeader("X-Request-Id", id);
        return id;
      },
      customProps: (request) => ({ reqId: request.id }),
      serializers: {
        req: (request: { method: string; url: string }) => ({
          method: request.method,
          url: withoutLinkTokens(request.url),
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      autoLogging: { ignore: (request) => request.url?.startsWith("/assets/") ?? false },
    }),
  );

  app.get("/healthz", async (_request, response) => {
    try {
      await database.db.selectFrom("users").select("id").limit(1).execute();
      response.json({ ok: true, db: database.kind, version: packageVersion });
    } catch {
      response.status(503).json({ ok: false, db: database.kind, version: packageVersion });
    }
  });
  app.use("/api/v1", createApiRouter(context));
  app.use("/api/docs", createApiDocsRouter());
  app.use("/api", (request, response) => {
    response.setHeader("Cache-Control", "no-store");
    response.status(404).json({
      error: {
        code: "not_found",
        message: `No API route ${request.method} ${request.originalUrl}`,
      },
    });
  });

  const vite = options.dev
    ? await import("vite").then((vitePackage) =>
        vitePackage.createServer({ root: projectRoot, server: { middlewareMode: true } }),
      )
    : undefined;
  if (vite) {
    app.use(vite.middlewares);
  } else {
    const clientDir = path.join(projectRoot, "build", "client");
    app.use(
      "/assets",
      express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: "1y" }),
    );
    app.use(express.static(clientDir, { maxAge: "1h", index: false }));
  }
  const build = vite
    ? () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : ((await import(
        pathToFileURL(path.join(projectRoot, "build", "server", "index.js")).href
      )) as ServerBuild);
  app.use(requireSameOriginPage);
  app.use(limitPageBodies(config.maxBodyBytes));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: vite ? "development" : "production",
      getLoadContext: (request, response) => ({
        quorum: context,
        requestId: String(request.id),
        clientIp: request.ip ?? null,
        cspNonce: String(response.locals.cspNonce),
        preparedContent: new Map(),
      }),
    }),
  );

  const httpServer = createServer(app);
  const sync = createSyncServer(context, rooms);
  httpServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", (error) => log.debug({ err: error }, "upgrade socket error"));
    if (request.url?.startsWith("/sync/") || request.url === "/sync") {
      sync.handleUpgrade(request, socket, head);
    } else if (!vite) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
  });
  httpServer.on("clientError", (error, socket) => {
    log.debug({ err: error }, "malformed HTTP request");
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });

  if (!(await markdown.ready(MARKDOWN_STARTUP_WAIT_MS))) {
    log.error("no markdown worker is ready: item content shows as plain text until one is");
  }
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`;
  // Access ended anywhere (another instance, the quorum CLI, SQL by hand) closes what this
  // instance holds open at once, not at its next periodic recheck: the database notifies it.
  const stopHearingAccessChanges = await database
    .listen?.(ACCESS_CHANNEL, () => context.accessChanges.notify())
    .catch((error: unknown) => {
      log.warn(
        { err: error },
        "not listening for access changes: those made elsewhere are seen at the periodic recheck",
      );
      return undefined;
    });
  // Shared only once Quorum serves, so that a command run meanwhile waits for it: what the
  // command then writes is at once visible to the API, the demo workspace included.
  const socket = await database
    .share?.({
      onConnectionError: (error) => log.debug({ err: error }, "database socket connection error"),
    })
    .catch(async (error: unknown) => {
      await stopHearingAccessChanges?.();
      await sync.close();
      httpServer.close();
      throw error;
    });
  webhooks.start();
  qualityAhead.start();
  // One line for the whole stage; `socket` is where the quorum CLI reaches the database.
  log.info(
    {
      url,
      db: database.kind,
      dev: Boolean(vite),
      nodeEnv: process.env.NODE_ENV ?? null,
      ...(socket ? { socket } : {}),
    },
    "Quorum is listening",
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info("shutting down");
      shuttingDown.abort();
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await webhooks.close();
      await qualityAhead.close();
      await sync.close();
      httpServer.closeIdleConnections();
      const forceAfter = setTimeout(() => httpServer.closeAllConnections(), 5_000);
      await stopped;
      clearTimeout(forceAfter);
      await vite?.close();
      await markdown.close();
      context.mailer.close();
      await stopHearingAccessChanges?.();
      await database.close();
      log.info("stopped");
      log.flush();
    })();
    return closing;
  };

  return { url, context, httpServer, close };
}

/**
 * A request's path with the token of an invite or password-reset link blanked out: anyone who
 * reads the logs could otherwise set the password of an account whose link is still unused. So
 * is the value of any query parameter named like a token (`?token=`, `?access_token=`): the API
 * refuses credentials sent that way, but a client may still send them.
 */
export function withoutLinkTokens(url: string): string {
  const path = url.replace(/(\/|%2F)invite(\/|%2F)[A-Za-z0-9_-]+/gi, "$1invite$2[token]");
  const queryStart = path.indexOf("?");
  if (queryStart === -1) return path;
  const query = path
    .slice(queryStart + 1)
    .split("&")
    .map((parameter) => {
      const name = parameter.split("=", 1)[0];
      return /token/i.test(decodedName(name)) ? `${name}=[redacted]` : parameter;
    });
  return `${path.slice(0, queryStart + 1)}${query.join("&")}`;
}

/** A query parameter's name as the server reads it (`%74oken` is `token`). */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}

/**
 * gzip or brotli, as the browser accepts, for pages, scripts, styles and JSON (the labeling page
 * loads about 1 MB of script, a fifth of that compressed). Event streams are left alone: a
 * compressor holds bytes back until it has enough, and a progress event must leave at once.
 */
function compressResponses(): express.RequestHandler {
  return compression({
    filter: (request, response) => {
      const type = String(response.getHeader("Content-Type") ?? "");
      if (type.startsWith("text/event-stream")) return false;
      return compression.filter(request, response);
    },
  });
}

/** Remix reads page bodies itself; refuse oversized ones before it does. */
function limitPageBodies(maxBytes: number): express.RequestHandler {
  return (request, response, next) => {
    if (Number(request.headers["content-length"] ?? 0) > maxBytes) {
      response.status(413).type("text/plain").send("Request body too large");
      return;
    }
    next();
  };
}

/** Runs Quorum as a process: configuration from the environment, shutdown on signals. */
export async function main() {
  // React picks its production or development build by NODE_ENV when first loaded: a server
  // started without it would render pages with the slow development build.
  if (!process.argv.includes("--dev")) process.env.NODE_ENV ??= "production";
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const dev = process.argv.includes("--dev");
  if (dev) config = { ...config, env: "development" };
  const log = createLogger(config.logLevel);

  // Signals are handled from the start: one that arrives while Quorum is still starting stops it
  // as soon as it is up, rather than killing it halfway through a migration.
  const signals = ["SIGTERM", "SIGINT"] as const;
  const started: { server?: QuorumServer } = {};
  let stopRequested: NodeJS.Signals | undefined;
  const stop = (running: QuorumServer, signal: NodeJS.Signals) => {
    log.info({ signal }, "signal received");
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) return;
    stopRequested = signal;
    if (started.server) stop(started.server, signal);
  };
  for (const signal of signals) process.on(signal, onSignal);

  started.server = await startQuorum({ config, dev, log });
  // The process's signals are ours: in dev mode Vite's helper servers add a SIGTERM handler that
  // exits at once, which would cut the graceful shutdown short. Ours stays registered throughout,
  // so that no signal arriving meanwhile is lost.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (listener !== onSignal) process.off(signal, listener);
    }
  }
  if (stopRequested) stop(started.server, stopRequested);
}

/**
 * Runs Quorum as this process's entry point. A start that fails for a reason the user can act on
 * (the embedded database held by another process) is told in one line, not a stack trace.
 */
export function runAsProcess(): void {
  main().catch((error: unknown) => {
    const reason =
      error instanceof DataDirInUseError
        ? error.message
        : error instanceof Error
          ? error.stack
          : String(error);
    process.stderr.write(`Quorum failed to start: ${reason}\n`);
    process.exit(1);
  });
}

// Run directly (`tsx server/index.ts`). The compiled build bundles this module into start.js,
// whose own URL would match the entry point too, so the check also names this source file:
// start.js starts Quorum once, itself.
const thisFile = import.meta.url;
if (
  thisFile.endsWith("/server/index.ts") &&
  thisFile === pathToFileURL(process.argv[1] ?? "").href
) {
  runAsProcess();
}
