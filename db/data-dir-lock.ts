import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";

/** A server shares the database on a socket; a command-line process keeps it to itself. */
export type LockRole = "server" | "cli";

const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  /**
   * When the holder started, in clock ticks since boot (Linux `/proc/<pid>/stat`), so that
   * another process that later gets the same pid is not taken for the holder.
   */
  processStart: z.string().nullable(),
  host: z.string(),
  role: z.enum(["server", "cli"]),
  /** The Unix socket through which the holder shares the database; null when it does not. */
  socketPath: z.string().nullable(),
  since: z.string(),
});

export type LockHolder = z.infer<typeof lockHolderSchema>;

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** The holder whose stale lock this one replaced (it had died without releasing it). */
  readonly replaced: LockHolder | null;
  /** Removes the lock file, if it is still this lock's. */
  release(): void;
}

export type LockAttempt = { acquired: DataDirLock } | { heldBy: LockHolder };

/** Another live process holds the embedded database. */
export class DataDirInUseError extends Error {
  constructor(
    public readonly dataDir: string,
    public readonly holder: LockHolder,
    detail?: string,
  ) {
    const who = holder.role === "server" ? "a Quorum server" : "a quorum command";
    const where = holder.host === hostname() ? "" : ` on host ${holder.host}`;
    const advice =
      holder.role === "server"
        ? "Stop that process first, or give this one another QUORUM_DATA_DIR or a DATABASE_URL."
        : "Wait for it to finish, or stop it.";
    super(
      `The embedded database in ${dataDir} is in use by ${who} (pid ${holder.pid}${where}, since ${holder.since})${detail ? `, ${detail}` : ""}. ${advice}`,
    );
    this.name = "DataDirInUseError";
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

interface ProcessStat {
  state: string;
  start: string;
}

/** Linux's view of a process (state and start time), or null where /proc has none. */
function readProcessStat(pid: number): ProcessStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const start = fields[19];
  return state && start ? { state, start } : null;
}

const procAvailable = readProcessStat(process.pid) !== null;

/**
 * Whether the process that wrote a lock is still running. A holder on another host cannot be
 * checked and counts as running; a zombie (killed, not yet reaped) or a process with the same
 * pid but another start time does not.
 */
export function holderIsRunning(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if (errorCode(error) === "ESRCH") return false;
  }
  if (!procAvailable) return true;
  const stat = readProcessStat(holder.pid);
  if (!stat || stat.state === "Z") return false;
  return holder.processStart === null || stat.start === holder.processStart;
}

function readLock(lockPath: string): { text: string; holder: LockHolder | null } | null {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { text, holder: null };
  }
  const holder = lockHolderSchema.safeParse(parsed);
  return { text, holder: holder.success ? holder.data : null };
}

/** Reads who holds a lock, if anyone does (running or not). */
export function readLockHolder(lockPath: string): LockHolder | null {
  return readLock(lockPath)?.holder ?? null;
}

/**
 * Moves a dead holder's lock out of the way, but only if it is still the one judged dead: the
 * rename is atomic, and a lock that another process took meanwhile is put back.
 */
export function removeStaleLock(lockPath: string, staleText: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw error;
  }
  try {
    if (readFileSync(aside, "utf8") !== staleText) linkSync(aside, lockPath);
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Takes the lock file at `lockPath` for this process, or reports the running process that holds
 * it. The lock is created whole and atomically (written to a file of its own, then hard-linked
 * into place, which fails if the lock exists); a lock whose holder is no longer running is
 * replaced.
 */
export function tryLock(
  lockPath: string,
  claim: { role: LockRole; socketPath: string | null },
): LockAttempt {
  const stat = readProcessStat(process.pid);
  const holder: LockHolder = {
    pid: process.pid,
    processStart: stat?.start ?? null,
    host: hostname(),
    role: claim.role,
    socketPath: claim.socketPath,
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(holder)}\n`;
  const candidate = `${lockPath}.${process.pid}-${randomBytes(6).toString("hex")}`;
  writeFileSync(candidate, text, { mode: 0o600, flag: "wx" });
  let replaced: LockHolder | null = null;
  try {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      try {
        linkSync(candidate, lockPath);
        return { acquired: ownedLock(lockPath, holder, text, replaced) };
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
      }
      const current = readLock(lockPath);
      if (!current) continue;
      if (current.holder && holderIsRunning(current.holder)) return { heldBy: current.holder };
      replaced = current.holder;
      removeStaleLock(lockPath, current.text);
    }
    throw new Error(`Cannot take the lock ${lockPath}: other processes keep changing it`);
  } finally {
    rmSync(candidate, { force: true });
  }
}

function ownedLock(
  lockPath: string,
  holder: LockHolder,
  text: string,
  replaced: LockHolder | null,
): DataDirLock {
  let released = false;
  return {
    path: lockPath,
    holder,
    replaced,
    release() {
      if (released) return;
      released = true;
      if (readLock(lockPath)?.text === text) rmSync(lockPath, { force: true });
    },
  };
}
