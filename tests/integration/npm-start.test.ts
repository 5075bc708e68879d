import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failOnTypeScript } from "../setup/cli.ts";
import { createTestDatabase, type TestDatabase } from "../setup/database.ts";

const projectRoot = path.resolve(import.meta.dirname, "../..");

function groupIsAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

let database: TestDatabase;
let npm: ChildProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  // Whatever the test found, nothing it started outlives it.
  if (npm?.pid && groupIsAlive(npm.pid)) process.kill(-npm.pid, "SIGKILL");
  await database?.drop();
});

/**
 * `npm start` exactly as a person runs it, in a process group of its own as a terminal would
 * start it: npm runs the script through a shell, which must hand its process over to the server
 * so that a signal to npm reaches the server and nothing is left behind on the port.
 */
describe("npm start", { timeout: 240_000 }, () => {
  it("serves with React's production build and stops on a SIGTERM to npm alone", async () => {
    npm = spawn("npm", ["start"], {
      cwd: projectRoot,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // The test runner's own NODE_ENV (test) must not decide how the server runs.
        NODE_ENV: "test",
        // Compiled JavaScript serves: the server fails to start if it loads TypeScript or tsx.
        NODE_OPTIONS: `--import=${failOnTypeScript}`,
        PORT: "0",
        HOST: "127.0.0.1",
        QUORUM_DATA_DIR: database.dataDir,
        QUORUM_SEED: "none",
        DATABASE_URL: database.databaseUrl ?? "",
        REDIS_URL: "",
      },
    });
    const child = npm;
    const log: Array<Record<string, unknown>> = [];
    let stderr = "";
    let stdout = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
      let buffered = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines.filter((text) => text.startsWith("{"))) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          log.push(entry);
          if (entry.msg === "Quorum is listening") resolve(entry);
        }
      });
      void exited.then((code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
    });

    const started = await listening;
    expect(started.nodeEnv).toBe("production");
    // A quiet start: npm's own lines, then one line per stage and nothing else.
    const stages = new Set([
      "database migrated",
      "data steps done",
      "seeded the demo workspace (log in as lead@demo.quorum / quorum-demo)",
      "Quorum is listening",
    ]);
    expect(log.map((entry) => entry.msg).filter((message) => !stages.has(String(message)))).toEqual(
      [],
    );
    expect(
      stdout.split("\n").filter((line) => line.trim() !== "" && !/^> |^\{/.test(line)),
    ).toEqual([]);
    expect(stderr).toBe("");
    const url = String(started.url);
    const page = await fetch(`${url}/login`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Sign in");

    process.kill(child.pid ?? 0, "SIGTERM");
    expect(await exited).toBe(0);
    await expect.poll(() => groupIsAlive(child.pid ?? 0), { timeout: 10_000 }).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(log.map((entry) => entry.msg)).toEqual(
      expect.arrayContaining(["signal received", "shutting down", "stopped"]),
    );
    // React's development build warns on the console about what it checks; production does not.
    expect(stderr).not.toMatch(/Warning:/);
  });
});
