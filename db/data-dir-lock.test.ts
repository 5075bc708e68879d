import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  DataDirInUseError,
  holderIsRunning,
  readLockHolder,
  removeStaleLock,
  tryLock,
  type LockHolder,
} from "./data-dir-lock.ts";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

function lockPath(): string {
  const directory = mkdtempSync(path.join(tmpdir(), "quorum-lock-"));
  directories.push(directory);
  return path.join(directory, "pgdata.lock");
}

/** The pid of a process that has run and exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  return pid!;
}

function writeHolder(file: string, holder: Partial<LockHolder>) {
  const full: LockHolder = {
    pid: process.pid,
    processStart: null,
    host: hostname(),
    role: "server",
    socketPath: null,
    since: new Date().toISOString(),
    ...holder,
  };
  writeFileSync(file, `${JSON.stringify(full)}\n`);
}

const asCli = { role: "cli", socketPath: null } as const;

describe("the data directory lock", () => {
  it("is held by one process at a time and names it to the next", () => {
    const file = lockPath();
    const first = tryLock(file, { role: "server", socketPath: "/run/x/.s.PGSQL.5432" });
    if (!("acquired" in first)) throw new Error("the first attempt must take the lock");
    expect(first.acquired.replaced).toBeNull();
    expect(readLockHolder(file)).toMatchObject({ pid: process.pid, role: "server" });

    const second = tryLock(file, asCli);
    if (!("heldBy" in second)) throw new Error("the second attempt must be refused");
    expect(second.heldBy.pid).toBe(process.pid);
    expect(new DataDirInUseError("/data/pgdata", second.heldBy).message).toMatch(
      new RegExp(`in use by a Quorum server \\(pid ${process.pid}, since `),
    );

    first.acquired.release();
    expect(existsSync(file)).toBe(false);
    const third = tryLock(file, asCli);
    expect("acquired" in third).toBe(true);
  });

  it("replaces the lock of a process that has died, and of a pid now used by another process", () => {
    const file = lockPath();
    const gone = deadPid();
    writeHolder(file, { pid: gone });
    const afterDeath = tryLock(file, asCli);
    if (!("acquired" in afterDeath)) throw new Error("a dead holder's lock must be taken over");
    expect(afterDeath.acquired.replaced?.pid).toBe(gone);
    afterDeath.acquired.release();

    // Our own pid, but another start time: the pid was reused after the holder died.
    writeHolder(file, { pid: process.pid, processStart: "1" });
    const reused = tryLock(file, asCli);
    const linux = existsSync("/proc/self/stat");
    expect("acquired" in reused).toBe(linux);
    if ("acquired" in reused) reused.acquired.release();

    writeFileSync(file, "{ not a lock");
    const garbled = tryLock(file, asCli);
    expect("acquired" in garbled).toBe(true);
  });

  it("counts a holder on another host as running, since its pid cannot be checked", () => {
    const holder: LockHolder = {
      pid: deadPid(),
      processStart: null,
      host: `not-${hostname()}`,
      role: "server",
      socketPath: null,
      since: new Date().toISOString(),
    };
    expect(holderIsRunning(holder)).toBe(true);
    expect(holderIsRunning({ ...holder, host: hostname() })).toBe(false);
    expect(new DataDirInUseError("/data/pgdata", holder).message).toMatch(/on host not-/);
  });

  it("leaves alone a lock that another process took after this one judged the old one stale", () => {
    const file = lockPath();
    writeHolder(file, { pid: deadPid() });
    const staleText = readFileSync(file, "utf8");
    // Another process saw the same stale lock, removed it and took the lock meanwhile.
    rmSync(file);
    const taken = tryLock(file, asCli);
    if (!("acquired" in taken)) throw new Error("must take the lock");
    removeStaleLock(file, staleText);
    expect(readLockHolder(file)).toEqual(taken.acquired.holder);
    const late = tryLock(file, asCli);
    expect("heldBy" in late && late.heldBy.pid).toBe(process.pid);
    removeStaleLock(file, readFileSync(file, "utf8"));
    expect(existsSync(file)).toBe(false);
  });

  it("removes a stale lock only under the takeover file, and past one whose process died", () => {
    const file = lockPath();
    writeHolder(file, { pid: deadPid() });
    const staleText = readFileSync(file, "utf8");
    const takeover = `${file}.takeover`;
    // A running process (this one) is taking the lock over: nobody else removes it meanwhile.
    writeFileSync(takeover, `${JSON.stringify({ pid: process.pid, processStart: null })}\n`);
    removeStaleLock(file, staleText);
    expect(readFileSync(file, "utf8")).toBe(staleText);
    expect(existsSync(takeover)).toBe(true);

    // One that died taking it over left its takeover file: the next attempt gets past it.
    writeFileSync(takeover, `${JSON.stringify({ pid: deadPid(), processStart: null })}\n`);
    const attempt = tryLock(file, asCli);
    expect("acquired" in attempt && attempt.acquired.replaced?.role).toBe("server");
    expect(existsSync(takeover)).toBe(false);
  });

  it("removes only its own lock on release", () => {
    const file = lockPath();
    const attempt = tryLock(file, asCli);
    if (!("acquired" in attempt)) throw new Error("must take the lock");
    writeHolder(file, { pid: 1 });
    attempt.acquired.release();
    expect(readLockHolder(file)?.pid).toBe(1);
  });

  it(
    "lets exactly one of several processes take over a stale lock at the same moment",
    { timeout: 120_000 },
    async () => {
      const file = lockPath();
      const racer = path.join(path.dirname(file), "racer.ts");
      writeFileSync(
        racer,
        `import { tryLock } from ${JSON.stringify(path.resolve(import.meta.dirname, "data-dir-lock.ts"))};
const [file, startAt] = process.argv.slice(2);
setTimeout(() => {
  const attempt = tryLock(file, { role: "server", socketPath: null });
  process.stdout.write("acquired" in attempt ? "won\\n" : "lost " + attempt.heldBy.pid + "\\n");
  setInterval(() => undefined, 1000);
}, Number(startAt) - Date.now());
`,
      );
      for (let round = 0; round < 2; round += 1) {
        writeHolder(file, { pid: deadPid() });
        const startAt = Date.now() + 6_000;
        const racers = Array.from({ length: 5 }, () =>
          spawn(process.execPath, ["--import", "tsx", racer, file, String(startAt)], {
            cwd: path.resolve(import.meta.dirname, ".."),
          }),
        );
        try {
          const outcomes = await Promise.all(
            racers.map(
              (child) =>
                new Promise<{ pid: number; said: string }>((resolve, reject) => {
                  let said = "";
                  child.stdout.on("data", (chunk: Buffer) => {
                    said += chunk.toString();
                    if (said.endsWith("\n")) resolve({ pid: child.pid!, said: said.trim() });
                  });
                  child.on("exit", (code) => reject(new Error(`racer exited with ${code}`)));
                }),
            ),
          );
          const winners = outcomes.filter((outcome) => outcome.said === "won");
          expect(winners).toHaveLength(1);
          for (const loser of outcomes.filter((outcome) => outcome.said !== "won")) {
            expect(loser.said).toBe(`lost ${winners[0]!.pid}`);
          }
          expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(winners[0]!.pid);
        } finally {
          for (const child of racers) child.kill("SIGKILL");
          await Promise.all(
            racers.map(
              (child) =>
                new Promise((resolve) =>
                  child.exitCode === null && child.signalCode === null
                    ? child.on("exit", resolve)
                    : resolve(null),
                ),
            ),
          );
        }
      }
    },
  );
});
