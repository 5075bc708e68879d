import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { lockPathFor } from "../../db/client.ts";
import { readLockHolder } from "../../db/data-dir-lock.ts";
import { pino } from "pino";
import { loadConfig } from "../../server/config.ts";
import { startQuorum } from "../../server/index.ts";
import { apiClient } from "../setup/api-client.ts";
import { runQuorumCli } from "../setup/cli.ts";
import { createTestDatabase, inTestDatabase, type TestDatabase } from "../setup/database.ts";
import { checkPgliteIntegrity } from "../setup/integrity.ts";
import { quorumServerCommand } from "../setup/quorum-process.ts";

const projectRoot = path.resolve(import.meta.dirname, "../..");
const onPglite = !process.env.DATABASE_URL;

interface RunningServer {
  child: ChildProcess;
  url: string;
  logLines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** The Quorum process, which holds the database (for `npm start`, a child of npm's). */
  quorumPid: number;
  /** Signals the server (and, for `npm start`, every process npm started for it). */
  signal(signal: NodeJS.Signals): void;
}

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.signal("SIGKILL");
    await server.exited;
  }
});

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function testDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

/**
 * Starts Quorum as its own process: `npm start` itself, or the command it runs
 * (`node … bin/start.js`), and resolves once it is listening.
 */
function startServer(
  dataDir: string,
  options: {
    npm?: boolean;
    environment?: Record<string, string>;
    onLog?: (entry: Record<string, unknown>) => void;
  } = {},
): Promise<RunningServer> {
  const command = options.npm
    ? ["npm", "start"]
    : [process.execPath, "--max-semi-space-size=64", ...quorumServerCommand.slice(1)];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: projectRoot,
    // npm start runs in a process group of its own, as in a terminal, to be stopped as a whole.
    detached: Boolean(options.npm),
    env: {
      ...process.env,
      DATABASE_URL: "",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      QUORUM_DATA_DIR: dataDir,
      QUORUM_SEED: "none",
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
      ...options.environment,
    },
  });
  const logLines: Array<Record<string, unknown>> = [];
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const signal = (name: NodeJS.Signals) => {
    try {
      if (options.npm) process.kill(-child.pid!, name);
      else child.kill(name);
    } catch {
      // Already gone.
    }
  };
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logLines.push(entry);
        options.onLog?.(entry);
        if (entry.msg === "Quorum is listening") {
          const quorumPid = readLockHolder(lockPathFor(path.join(dataDir, "pgdata")))!.pid;
          const server = { child, url: String(entry.url), logLines, exited, signal, quorumPid };
          running.push(server);
          resolve(server);
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => reject(new Error(`Quorum exited with ${code}: ${stderr}`)));
  });
}

/** Runs a server process to its end, expecting it to refuse to start. */
function refusedServer(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const [node, ...args] = quorumServerCommand;
  const child = spawn(node, args, {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATABASE_URL: "",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_DATA_DIR: dataDir,
    },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
}

/**
 * Stops a server and waits until the Quorum process itself (for `npm start`, npm's child) has
 * exited; resolves with whether it logged a graceful stop.
 */
async function stop(server: RunningServer, signal: NodeJS.Signals = "SIGTERM") {
  server.signal(signal);
  await server.exited;
  const deadline = Date.now() + 30_000;
  while (isRunning(server.quorumPid) && Date.now() < deadline) await sleep(50);
  running.splice(running.indexOf(server), 1);
  return !isRunning(server.quorumPid) && server.logLines.some((line) => line.msg === "stopped");
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function cliToken(database: TestDatabase, email: string): Promise<string> {
  const run = await runQuorumCli(database, ["token", "create", "--email", email]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

const pgdata = (database: TestDatabase) => path.join(database.dataDir, "pgdata");

describe.runIf(onPglite)("the embedded database's one owner", { timeout: 600_000 }, () => {
  it("runs the documented commands and every CLI write through the running server, kept across a restart", async ({
    annotate,
  }) => {
    const database = await testDatabase();
    const server = await startServer(database.dataDir, {
      npm: true,
      environment: { QUORUM_SEED: "demo" },
    });

    const holder = readLockHolder(lockPathFor(pgdata(database)));
    expect(holder).toMatchObject({
      pid: server.quorumPid,
      role: "server",
      socketPath: expect.any(String),
    });
    expect(holder!.pid).not.toBe(server.child.pid);
    expect(statSync(holder!.socketPath!).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(holder!.socketPath!)).mode & 0o777).toBe(0o700);

    // The documents' lines, exactly as written; only the port is the test server's.
    const readme = ["README.md", "docs/data-formats.md"]
      .map((document) => readFileSync(path.join(projectRoot, document), "utf8"))
      .join("\n");
    const shellLines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
      block[1]!.split("\n"),
    );
    const tokenLine = shellLines.find((line) =>
      line.startsWith("TOKEN=$(npx quorum token create --email lead@demo.quorum"),
    );
    const meLine = shellLines.find(
      (line) => line.startsWith("curl") && line.includes("/api/v1/me") && line.includes("$TOKEN"),
    );
    const importLine = shellLines.find((line) => line.startsWith("npx quorum import "));
    expect([tokenLine, meLine, importLine]).not.toContain(undefined);
    const script = [
      "set -euo pipefail",
      tokenLine!,
      meLine!.replace("http://localhost:3000", server.url),
      "echo",
      importLine!,
    ].join("\n");
    const readmeRun = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = spawn("bash", ["-c", script], {
          cwd: projectRoot,
          env: { ...process.env, DATABASE_URL: "", QUORUM_DATA_DIR: database.dataDir },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(readmeRun.code, readmeRun.stderr).toBe(0);
    const [meBody, importSummary] = readmeRun.stdout.split("\n");
    expect(JSON.parse(meBody!)).toMatchObject({ user: { email: "lead@demo.quorum" } });
    expect(importSummary).toMatch(/2312 created/);

    const created = await runQuorumCli(database, [
      "user",
      "create",
      "--email",
      "pharmacist@example.com",
      "--name",
      "Clinical Pharmacist",
      "--password",
      "correct horse battery staple",
      "--level",
      "expert",
      "--domains",
      "medical",
    ]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const pharmacistToken = await cliToken(database, "pharmacist@example.com");
    const pharmacist = apiClient(server.url, pharmacistToken);
    expect((await pharmacist.get("/me")).body).toMatchObject({
      user: { email: "pharmacist@example.com", level: "expert" },
    });
    const lead = apiClient(server.url, await cliToken(database, "lead@demo.quorum"));
    const progress = await lead.get<{ items: number }>("/projects/1/progress");
    expect(progress.status).toBe(200);
    expect(progress.body.items).toBeGreaterThanOrEqual(2312);
    // A tool opening the directory while the server runs goes through the socket too.
    const imported = await inTestDatabase(database, ({ db }) =>
      db
        .selectFrom("items")
        .where("project_id", "=", 1)
        .where(sql<string>`metadata->>'source'`, "=", "hh-rlhf")
        .select(({ fn }) => fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow(),
    );
    expect(imported.count).toBe(2312);

    expect(await stop(server)).toBe(true);
    expect(existsSync(lockPathFor(pgdata(database)))).toBe(false);
    expect(existsSync(holder!.socketPath!)).toBe(false);

    const restarted = await startServer(database.dataDir);
    expect((await apiClient(restarted.url, pharmacistToken).get("/me")).body).toMatchObject({
      user: { email: "pharmacist@example.com" },
    });
    const progressAfter = await apiClient(
      restarted.url,
      await cliToken(database, "lead@demo.quorum"),
    ).get<{ items: number }>("/projects/1/progress");
    expect(progressAfter.body.items).toBe(progress.body.items);
    expect(await stop(restarted)).toBe(true);

    const integrity = await checkPgliteIntegrity(pgdata(database));
    await annotate(
      `amcheck: ${integrity.indexes} indexes, ${integrity.tables} tables, ${integrity.problems.length} problems`,
    );
    expect(integrity.problems).toEqual([]);
    expect(integrity.indexes).toBeGreaterThan(0);
  });

  it("loses no acknowledged write to SIGKILL while exports and API writes run, and stays consistent", async ({
    annotate,
  }) => {
    const database = await testDatabase();
    let server = await startServer(database.dataDir);
    const admin = await runQuorumCli(database, [
      "user",
      "create",
      "--email",
      "admin@example.com",
      "--name",
      "Admin",
      "--password",
      "correct horse battery staple",
      "--admin",
    ]);
    expect(admin.code).toBe(0);
    const token = await cliToken(database, "admin@example.com");
    const project = await apiClient(server.url, token).post<{ project: { id: number } }>(
      "/projects",
      { name: "Crash", preset: "pairwise-clinical" },
    );
    expect(project.status).toBe(201);
    const projectId = project.body.project.id;

    const acknowledged: string[] = [];
    const figures: string[] = [];
    for (let round = 1; round <= 3; round += 1) {
      const url = server.url;
      let stopping = false;
      let exports = 0;
      let roundWrites = 0;
      const writers = Array.from({ length: 3 }, async (_, writer) => {
        for (let n = 0; !stopping; n += 1) {
          const externalId = `round-${round}-writer-${writer}-${n}`;
          const response = await fetch(`${url}/api/v1/projects/${projectId}/items`, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
            body: JSON.stringify([
              {
                externalId,
                prompt: `Is ${externalId} safe?`,
                responses: [
                  { id: "a", text: "Yes." },
                  { id: "b", text: "No." },
                ],
              },
            ]),
          }).catch(() => null);
          if (!response) return;
          if (response.status === 201) {
            acknowledged.push(externalId);
            roundWrites += 1;
          }
        }
      });
      const exporter = (async () => {
        while (!stopping) {
          const run = await runQuorumCli(database, [
            "export",
            "--project",
            String(projectId),
            "--format",
            "jsonl",
          ]);
          if (run.code === 0 && !stopping) exports += 1;
        }
      })();
      const deadline = Date.now() + 120_000;
      while ((exports < 2 || roundWrites < 30) && Date.now() < deadline) await sleep(50);
      expect(exports).toBeGreaterThanOrEqual(2);
      // Kill while writes and an export are under way; nothing starts after this.
      stopping = true;
      await stop(server, "SIGKILL");
      await Promise.all([...writers, exporter]);

      server = await startServer(database.dataDir);
      const stored = new Set(
        (
          await inTestDatabase(database, ({ db }) =>
            db
              .selectFrom("items")
              .where("project_id", "=", projectId)
              .select("external_id")
              .execute(),
          )
        ).map((row) => row.external_id),
      );
      const lost = acknowledged.filter((externalId) => !stored.has(externalId));
      figures.push(
        `round ${round}: ${roundWrites} writes acknowledged and ${exports} exports done before SIGKILL; ${acknowledged.length - lost.length}/${acknowledged.length} acknowledged items present after restart`,
      );
      expect(lost).toEqual([]);
    }
    expect(await stop(server)).toBe(true);
    const integrity = await checkPgliteIntegrity(pgdata(database));
    figures.push(
      `amcheck: ${integrity.indexes} indexes, ${integrity.tables} tables, ${integrity.problems.length} problems`,
    );
    await annotate(figures.join("\n"));
    expect(integrity.problems).toEqual([]);
  });

  it("refuses a second server and a second command, naming the process that holds the directory", async () => {
    const database = await testDatabase();
    const first = await startServer(database.dataDir);
    const holderPid = readLockHolder(lockPathFor(pgdata(database)))!.pid;

    const second = await refusedServer(database.dataDir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`in use by a Quorum server (pid ${holderPid}`);
    expect(second.stderr).not.toMatch(/\n\s+at /);

    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_SEED: "none",
      QUORUM_DATA_DIR: database.dataDir,
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
    });
    await expect(startQuorum({ config, log: pino({ level: "silent" }) })).rejects.toThrow(
      `(pid ${holderPid}`,
    );
    expect(await stop(first)).toBe(true);

    // A command holding the directory itself (no server runs) keeps out other commands, and a
    // server that it keeps waiting longer than a few seconds.
    await inTestDatabase(database, async () => {
      const command = await runQuorumCli(database, ["migrate"]);
      expect(command.code).toBe(1);
      expect(command.stderr).toContain(`in use by a quorum command (pid ${process.pid}`);
      const server = await refusedServer(database.dataDir);
      expect(server.code).toBe(1);
      expect(server.stderr).toContain(`in use by a quorum command (pid ${process.pid}`);
    });
    // A server started while a short command runs waits for it, then starts.
    let commandDone!: () => void;
    const waited = new Promise<void>((resolve) => (commandDone = resolve));
    const holding = inTestDatabase(database, () => waited);
    const starting = startServer(database.dataDir, {
      onLog: (entry) => {
        if (entry.msg === "waiting for a quorum command to finish with the database") commandDone();
      },
    });
    await holding;
    const started = await starting;
    expect(started.logLines).toContainEqual(expect.objectContaining({ pid: process.pid }));
    expect(await stop(started)).toBe(true);
  });

  it("recovers the lock a SIGKILLed server left, on the next start and in the CLI, with a socket outside a deep directory", async () => {
    const database = await testDatabase();
    let dataDir = database.dataDir;
    while (dataDir.length < 110) dataDir = path.join(dataDir, "a-deeply-nested-data-directory");
    mkdirSync(dataDir, { recursive: true });
    const deep = { ...database, dataDir };

    const killed = await startServer(dataDir);
    const killedPid = readLockHolder(lockPathFor(pgdata(deep)))!.pid;
    const socketPath = readLockHolder(lockPathFor(pgdata(deep)))!.socketPath!;
    expect(socketPath.startsWith(database.dataDir)).toBe(false);
    expect(statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
    const created = await runQuorumCli(deep, [
      "user",
      "create",
      "--email",
      "lead@example.com",
      "--name",
      "Lead",
      "--password",
      "correct horse battery staple",
    ]);
    expect(created.code).toBe(0);
    const token = await cliToken(deep, "lead@example.com");
    expect((await apiClient(killed.url, token).get("/me")).status).toBe(200);
    await stop(killed, "SIGKILL");
    expect(readLockHolder(lockPathFor(pgdata(deep)))?.pid).toBe(killedPid);
    expect(existsSync(socketPath)).toBe(true);

    const next = await startServer(dataDir);
    expect(next.logLines).toContainEqual(
      expect.objectContaining({
        msg: "took over the database lock of a process that is no longer running",
        pid: killedPid,
      }),
    );
    expect((await apiClient(next.url, token).get("/me")).status).toBe(200);
    await stop(next, "SIGKILL");

    // No server now: the command takes the dead server's lock over and works on its own.
    const again = await runQuorumCli(deep, ["token", "create", "--email", "lead@example.com"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(existsSync(lockPathFor(pgdata(deep)))).toBe(false);
    rmSync(path.dirname(socketPath), { recursive: true, force: true });
  });
});

describe.runIf(!onPglite)("on a PostgreSQL server (DATABASE_URL)", { timeout: 120_000 }, () => {
  it("takes no lock and opens no socket: several servers and commands share the database", async () => {
    const database = await testDatabase();
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_SEED: "none",
      QUORUM_DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl!,
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
    });
    const log = pino({ level: "silent" });
    const servers = [await startQuorum({ config, log }), await startQuorum({ config, log })];
    try {
      const created = await runQuorumCli(database, [
        "user",
        "create",
        "--email",
        "lead@example.com",
        "--name",
        "Lead",
        "--password",
        "correct horse battery staple",
      ]);
      expect(created.code).toBe(0);
      const token = await cliToken(database, "lead@example.com");
      for (const server of servers) {
        expect((await apiClient(server.url, token).get("/me")).status).toBe(200);
      }
      expect(existsSync(lockPathFor(path.join(database.dataDir, "pgdata")))).toBe(false);
      expect(existsSync(path.join(database.dataDir, "run"))).toBe(false);
    } finally {
      for (const server of servers) await server.close();
    }
  });
});
