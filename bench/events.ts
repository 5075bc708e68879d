import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { ensureBuild } from "../server/build.ts";
import type { BenchmarkTable } from "./run.ts";
import { startScriptArguments } from "./start-script.ts";
import {
  adminQuery,
  createBenchProject,
  freePort,
  percentile,
  spawnServer,
  stopChild,
  waitUntilServing,
} from "./sync.ts";

const WATCHERS = Number(process.env.BENCH_EVENTS_WATCHERS ?? 1000);
const ITEMS = 1000;
const POLL_SECONDS = 2;
const MEASURE_SECONDS = Number(process.env.BENCH_EVENTS_SECONDS ?? 60);
/** PostgreSQL 15 flushes a backend's table statistics up to 10 s after its queries. */
const STATS_SETTLE_MS = 11_000;
const HEALTHZ_PER_SECOND = 20;
const HEALTHZ_GOAL_MS = 50;

/** Reads of the items table so far: every progress read scans it, by index or in sequence. */
async function itemReads(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ reads: string }>(
    `select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as reads
     from pg_stat_user_tables where relname = 'items'`,
  );
  return Number(rows[0]?.reads ?? 0);
}

/** An open event stream, read and dropped; resolves once its first event has arrived. */
function openStream(url: string, token: string, agent: http.Agent): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { agent, headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`event stream answered ${response.statusCode}`));
          response.resume();
          return;
        }
        response.once("data", () => resolve(request));
        response.on("data", () => {});
      },
    );
    request.on("error", reject);
  });
}

/** /healthz latencies over a window, polled at a steady rate. */
async function healthzLatencies(url: string, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const end = performance.now() + seconds * 1000;
  const pending: Array<Promise<void>> = [];
  while (performance.now() < end) {
    const started = performance.now();
    pending.push(
      new Promise<void>((resolve) => {
        http
          .get(url, { agent }, (response) => {
            response.resume();
            response.on("end", () => {
              latencies.push(performance.now() - started);
              resolve();
            });
          })
          .on("error", () => resolve());
      }),
    );
    await delay(1000 / HEALTHZ_PER_SECOND);
  }
  await Promise.all(pending);
  agent.destroy();
  return latencies.sort((a, b) => a - b);
}

interface Phase {
  watchers: number;
  readsPerPoll: number;
  p50: number;
  p99: number;
}

/**
 * `npm run bench events`: one project's progress over server-sent events, watched by 0, 1 and
 * WATCHERS streams of one lead on Quorum (`npm start`, PostgreSQL). For each, the reads of the
 * items table per poll interval (from PostgreSQL's statistics) and `/healthz` latency while the
 * streams are open: the streams of a project share one read per interval, so the reads should not
 * grow with the number of watchers, and nor should `/healthz`.
 */
export async function benchmarkEvents(): Promise<BenchmarkTable> {
  ensureBuild((message) => process.stderr.write(`${message}\n`));
  const { databaseName, databaseUrl, token, projectId } = await createBenchProject(
    "events",
    Array.from({ length: ITEMS }, (_, index) => `events-${index}`),
  );

  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "quorum-bench-events-"));
  const child = spawnServer(startScriptArguments(), {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl.toString(),
    QUORUM_DATA_DIR: dataDir,
    QUORUM_SEED: "none",
    SESSION_SECRET: "bench-secret-bench-secret-bench-secret-0",
    LOG_LEVEL: "warn",
    EVENTS_POLL_SECONDS: String(POLL_SECONDS),
    EVENTS_MAX_STREAMS_PER_USER: String(WATCHERS),
  });
  const stats = new pg.Client({ connectionString: databaseUrl.toString() });
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const streams: http.ClientRequest[] = [];
  try {
    await waitUntilServing(`http://127.0.0.1:${port}/healthz`, child);
    await stats.connect();
    const streamUrl = `http://127.0.0.1:${port}/api/v1/projects/${projectId}/events`;
    const phases: Phase[] = [];
    for (const watchers of [0, 1, WATCHERS]) {
      while (streams.length < watchers) {
        const batch = Math.min(50, watchers - streams.length);
        streams.push(
          ...(await Promise.all(
            Array.from({ length: batch }, () => openStream(streamUrl, token, agent)),
          )),
        );
      }
      // Opening streams reads the progress once each; let those reads reach the statistics.
      await delay(STATS_SETTLE_MS);
      const readsBefore = await itemReads(stats);
      const latencies = await healthzLatencies(`http://127.0.0.1:${port}/healthz`, MEASURE_SECONDS);
      await delay(STATS_SETTLE_MS);
      const reads = (await itemReads(stats)) - readsBefore;
      const window = MEASURE_SECONDS + STATS_SETTLE_MS / 1000;
      phases.push({
        watchers,
        readsPerPoll: reads / (window / POLL_SECONDS),
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
      });
    }
    const baseline = phases[1]!;
    return {
      title: `Event streams of one project (${ITEMS.toLocaleString("en-US")} items, poll every ${POLL_SECONDS} s) on PostgreSQL, /healthz polled ${HEALTHZ_PER_SECOND}×/s for ${MEASURE_SECONDS} s`,
      columns: [
        "open streams",
        "items-table reads per poll",
        "reads vs 1 stream",
        "/healthz p50 ms",
        "/healthz p99 ms",
        `goal: reads ≤ 1 stream's, p99 ≤ ${HEALTHZ_GOAL_MS} ms`,
      ],
      rows: phases.map((phase) => [
        phase.watchers.toLocaleString("en-US"),
        phase.readsPerPoll.toFixed(1),
        phase.watchers === 0 ? "—" : `${(phase.readsPerPoll / baseline.readsPerPoll).toFixed(2)}×`,
        phase.p50.toFixed(1),
        phase.p99.toFixed(1),
        phase.watchers === 0
          ? "baseline"
          : [
              phase.readsPerPoll <= baseline.readsPerPoll * 1.25 ? null : "more reads",
              phase.p99 <= HEALTHZ_GOAL_MS ? null : `p99 over ${HEALTHZ_GOAL_MS} ms`,
            ]
              .filter(Boolean)
              .join(", ") || "ok",
      ]),
    };
  } finally {
    for (const stream of streams) stream.destroy();
    agent.destroy();
    await stats.end().catch(() => {});
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    await adminQuery(`drop database if exists ${databaseName} with (force)`);
  }
}
