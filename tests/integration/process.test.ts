import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, inTestDatabase, type TestDatabase } from "../setup/database.ts";
import { quorumServerCommand } from "../setup/quorum-process.ts";

const projectRoot = path.resolve(import.meta.dirname, "../..");

interface RunningQuorum {
  child: ChildProcessWithoutNullStreams;
  url: string;
  logLines: Array<Record<string, unknown>>;
  /** Lines on stdout that are not Quorum's JSON log: Vite's own, in dev mode. */
  otherLines: string[];
  exited: Promise<number | null>;
}

/**
 * Starts Quorum as its own process: the compiled server as `npm start` runs it, or with `--dev`
 * the sources as `npm run dev` runs them.
 */
function startProcess(
  environment: Record<string, string>,
  flags: string[] = [],
): Promise<RunningQuorum> {
  const [node, ...args] = flags.includes("--dev")
    ? [process.execPath, "--import", "tsx", "server/index.ts"]
    : quorumServerCommand;
  const child = spawn(node, [...args, ...flags], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
  });
  const logLines: Array<Record<string, unknown>> = [];
  const otherLines: string[] = [];
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) {
          otherLines.push(line);
          continue;
        }
        const entry = JSON.parse(line) as Record<string, unknown>;
        logLines.push(entry);
        if (entry.msg === "Quorum is listening") {
          resolve({ child, url: String(entry.url), logLines, otherLines, exited });
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
}

let database: TestDatabase;
let environment: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  environment = {
    PORT: "0",
    HOST: "127.0.0.1",
    QUORUM_DATA_DIR: database.dataDir,
    QUORUM_SEED: "none",
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
});

afterAll(async () => {
  await database?.drop();
});

// Each test starts real processes, which take longer on a busy machine.
describe("the Quorum process", { timeout: 90_000 }, () => {
  it("migrates, logs JSON with request ids, and shuts down cleanly on SIGTERM", async () => {
    const quorum = await startProcess(environment);
    const response = await fetch(`${quorum.url}/healthz`, {
      headers: { "X-Request-Id": "probe-1" },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { db: string }).db).toBe(
      database.databaseUrl ? "postgres" : "pglite",
    );

    quorum.child.kill("SIGTERM");
    expect(await quorum.exited).toBe(0);
    const messages = quorum.logLines.map((line) => line.msg);
    expect(messages).toContain("database migrated");
    expect(messages).toEqual(expect.arrayContaining(["shutting down", "stopped"]));
    const requestLog = quorum.logLines.find((line) => line.reqId === "probe-1");
    expect(requestLog).toMatchObject({ level: 30, msg: "request completed" });
    expect(quorum.otherLines).toEqual([]);
  });

  it("keeps its data across restarts and does not migrate twice", async () => {
    const withDemo = { ...environment, QUORUM_SEED: "demo" };
    const first = await startProcess(withDemo);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);

    const second = await startProcess(withDemo);
    const messages = second.logLines.map((line) => line.msg);
    expect(messages).not.toContain("database migrated");
    expect(messages.some((message) => String(message).startsWith("seeded"))).toBe(false);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);

    const users = await inTestDatabase(database, ({ db }) =>
      db.selectFrom("users").select("email").execute(),
    );
    expect(users.map((user) => user.email)).toContain("lead@demo.quorum");
  });

  it("serves the app through Vite with hot module replacement in dev mode", async () => {
    const hmrPort = String(20_000 + Math.floor(Math.random() * 10_000));
    const quorum = await startProcess({ ...environment, HMR_PORT: hmrPort }, ["--dev"]);
    const page = await fetch(`${quorum.url}/login`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("inject-hmr-runtime");
    expect(quorum.logLines).toContainEqual(expect.objectContaining({ dev: true }));
    // Vite logs its own lines, but no error (its dependency scan once failed on server code).
    expect(quorum.otherLines.join("\n")).not.toContain("[ERROR]");
    quorum.child.kill("SIGTERM");
    expect(await quorum.exited).toBe(0);
  });

  it("refuses to start with a wrong setting, naming it", async () => {
    const [node, ...args] = quorumServerCommand;
    const child = spawn(node, args, {
      cwd: projectRoot,
      env: { ...process.env, ...environment, DATABASE_URL: "mysql://nope" },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/DATABASE_URL: must be a postgres:\/\//);
  });
});
