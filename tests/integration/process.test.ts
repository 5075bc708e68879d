import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../setup/database.ts";

const projectRoot = path.resolve(import.meta.dirname, "../..");

interface RunningQuorum {
  child: ChildProcessWithoutNullStreams;
  url: string;
  logLines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts `server/index.ts` as its own process, as `npm start` does after building. */
function startProcess(environment: Record<string, string>): Promise<RunningQuorum> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
  });
  const logLines: Array<Record<string, unknown>> = [];
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logLines.push(entry);
        if (entry.msg === "Quorum is listening") {
          resolve({ child, url: String(entry.url), logLines, exited });
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

describe("the Quorum process", () => {
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
  });

  it("keeps its data across restarts and does not migrate twice", async () => {
    const quorum = await startProcess(environment);
    expect(quorum.logLines.map((line) => line.msg)).not.toContain("database migrated");
    quorum.child.kill("SIGINT");
    expect(await quorum.exited).toBe(0);
  });

  it("refuses to start with a wrong setting, naming it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
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
