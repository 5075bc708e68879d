import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createServer, type IncomingMessage, type Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import type { Duplex } from "node:stream";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { pinoHttp } from "pino-http";
import { openDatabase } from "../db/client.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { loadConfig, ConfigError, type Config } from "./config.ts";
import type { QuorumContext } from "./context.ts";
import { createApiRouter } from "./http/api.ts";
import { createSessionCookie } from "./http/credentials.ts";
import { requireSameOrigin } from "./http/same-origin.ts";
import { createLogger, type Logger } from "./logger.ts";
import { seedDemoWorkspaceOnFirstStart } from "./services/seed.ts";
import { createRooms } from "./sync/rooms.ts";
import { createSyncServer } from "./sync/server.ts";

const projectRoot = path.resolve(import.meta.dirname, "..");
const packageVersion = (
  JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }
).version;

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
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: path.join(config.dataDir, "pgdata"),
  });
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) log.info({ migrations: applied }, "database migrated");

  const rooms = createRooms({ db: database.db, config, log });
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
  };
  if (config.seed === "demo" && (await seedDemoWorkspaceOnFirstStart(database.db))) {
    log.info("seeded the demo workspace (log in as lead@demo.quorum / quorum-demo)");
  }

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
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
          url: request.url,
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
  app.use("/api", (request, response) => {
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
  app.use(requireSameOrigin);
  app.use(limitPageBodies(config.maxBodyBytes));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: vite ? "development" : "production",
      getLoadContext: (request) => ({
        quorum: context,
        requestId: String(request.id),
        clientIp: request.ip ?? null,
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
  log.info({ url, db: database.kind, dev: Boolean(vite) }, "Quorum is listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info("shutting down");
      shuttingDown.abort();
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await sync.close();
      httpServer.closeIdleConnections();
      const forceAfter = setTimeout(() => httpServer.closeAllConnections(), 5_000);
      await stopped;
      clearTimeout(forceAfter);
      await vite?.close();
      await database.close();
      log.info("stopped");
      log.flush();
    })();
    return closing;
  };

  return { url, context, httpServer, close };
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `Quorum failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
