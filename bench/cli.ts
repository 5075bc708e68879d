import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ensureNodeBuild } from "../server/node-build.js";
import type { BenchmarkTable } from "./run.ts";
import { startScriptArguments } from "./start-script.ts";
import { freePort, spawnServer, stopChild, waitUntilServing } from "./sync.ts";

const projectRoot = path.resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.CLI_BENCH_RUNS ?? 15);

interface Timed {
  label: string;
  server: string;
  args: string[];
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/** Runs a command `RUNS` times after one unrecorded run; the wall time of each, in ms. */
function time(args: string[], env: NodeJS.ProcessEnv): number[] {
  const run = () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: projectRoot, env, stdio: "pipe" });
    const elapsed = performance.now() - started;
    if (result.status !== 0) {
      throw new Error(`node ${args.join(" ")} failed: ${result.stderr.toString()}`);
    }
    return elapsed;
  };
  run();
  return Array.from({ length: RUNS }, run).sort((a, b) => a - b);
}

/**
 * `quorum` as people run it (the compiled CLI through bin/quorum.js), against `node -e ''`, the
 * cost of starting Node at all: `--help`, and two read-only commands on the embedded database,
 * alone (the command opens PGlite itself) and beside a running server (through its socket).
 */
export async function benchmarkCli(): Promise<BenchmarkTable> {
  await ensureNodeBuild((message) => process.stderr.write(`${message}\n`));
  const dataDir = mkdtempSync(path.join(tmpdir(), "quorum-bench-cli-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    QUORUM_DATA_DIR: dataDir,
    QUORUM_SEED: "none",
  };
  const quorum = path.join(projectRoot, "bin", "quorum.js");
  const seeded = spawnSync(process.execPath, [quorum, "seed-demo"], { env, cwd: projectRoot });
  if (seeded.status !== 0) throw new Error(`seed-demo failed: ${seeded.stderr.toString()}`);

  const commands = (server: string): Timed[] => [
    { label: "`node -e ''` (baseline)", server, args: ["-e", ""] },
    { label: "`quorum --help`", server, args: [quorum, "--help"] },
    {
      label: "`quorum projects list --json`",
      server,
      args: [quorum, "projects", "list", "--json"],
    },
    {
      label: "`quorum progress --project 1`",
      server,
      args: [quorum, "progress", "--project", "1"],
    },
  ];
  const rows: string[][] = [];
  const record = (timed: Timed) => {
    const times = time(timed.args, env);
    rows.push([
      timed.label,
      timed.server,
      String(RUNS),
      percentile(times, 0.5).toFixed(0),
      percentile(times, 0.9).toFixed(0),
    ]);
  };
  try {
    for (const timed of commands("none")) record(timed);
    const port = await freePort();
    const server = spawnServer(startScriptArguments(), {
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
      SESSION_SECRET: "bench-secret-bench-secret-bench-secret-0",
    });
    try {
      await waitUntilServing(`http://127.0.0.1:${port}/healthz`, server);
      for (const timed of commands("running (socket)")) record(timed);
    } finally {
      await stopChild(server);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return {
    title: `CLI start-up on PGlite, compiled (${RUNS} runs each, wall time of the whole process)`,
    columns: ["command", "server", "runs", "median ms", "p90 ms"],
    rows,
  };
}
