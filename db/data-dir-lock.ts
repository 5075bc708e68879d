import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/** A takeover file older than this was left by a process that died taking over a lock. */
const TAKEOVER_STALE_MS = 10_000;

/** Blocks the thread for a few milliseconds: lock attempts are synchronous. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes a dead holder's lock, but only if it is still the one judged dead. A lock is removed
 * only by a process holding the takeover file beside it (`<lock>.takeover`, created whole and
 * atomically like the lock): it reads the lock again and removes it if it still holds
 * `staleText`. Nobody can replace a lock that exists (taking one is a hard link, which fails on an
 * existing file) and nobody else removes one meanwhile, so a lock another process took after the
 * stale one was removed is never touched. Moving the lock aside and putting back one that turned
 * out to be taken left the path empty for a moment, in which a third process took a lock of its
 * own: two processes then held the database. A takeover file whose process is no longer running,
 * or older than `TAKEOVER_STALE_MS`, is removed; the caller tries again.
 */
export function removeStaleLock(lockPath: string, staleText: string): void {
  const takeoverPath = `${lockPath}.takeover`;
  const text = `${JSON.stringify({ pid: process.pid, processStart: readProcessStat(process.pid)?.start ?? null, nonce: randomBytes(6).toString("hex") })}\n`;
  const candidate = `${takeoverPath}.${process.pid}-${randomBytes(6).toString("hex")}`;
  writeFileSync(candidate, text, { mode: 0o600, flag: "wx" });
  try {
    linkSync(candidate, takeoverPath);
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
    removeAbandonedTakeover(takeoverPath);
    return;
  } finally {
    rmSync(candidate, { force: true });
  }
  try {
    if (readLock(lockPath)?.text === staleText) rmSync(lockPath, { force: true });
  } finally {
    rmSync(takeoverPath, { force: true });
  }
}

/**
 * Removes a takeover file left by a process that died holding it; waits a moment while a live
 * process holds it (it does for the time of one read and one removal).
 */
function removeAbandonedTakeover(takeoverPath: string): void {
  let text: string;
  let ageMs: number;
  try {
    text = readFileSync(takeoverPath, "utf8");
    ageMs = Date.now() - statSync(takeoverPath).mtimeMs;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw error;
  }
  const parsed = takeoverHolderSchema.safeParse(safeJson(text));
  const running =
    parsed.success &&
    holderIsRunning({ ...parsed.data, host: hostname(), role: "cli", socketPath: null, since: "" });
  if (running && ageMs < TAKEOVER_STALE_MS) {
    pause(2);
    return;
  }
  // Rare (a process died within a takeover), and another process judging the same file abandoned
  // at the same moment could only remove a takeover file, never a lock.
  const aside = `${takeoverPath}.abandoned-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    renameSync(takeoverPath, aside);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
    return;
  }
  rmSync(aside, { force: true });
}

const takeoverHolderSchema = z.object({
  pid: z.number().int().positive(),
  processStart: z.string().nullable(),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
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
    for (let attempt = 0; attempt < 100; attempt += 1) {
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
