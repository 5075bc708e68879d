import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "../db/client.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { createApiToken } from "../server/services/auth.ts";
import { createProject, setProjectMember } from "../server/services/project-admin.ts";
import { itemContentHash } from "../server/services/seed.ts";
import type { BenchmarkTable } from "./run.ts";
import { startScriptArguments } from "./start-script.ts";

const ANNOTATORS = Number(process.env.BENCH_ANNOTATORS ?? 50);
const ITEMS = Number(process.env.BENCH_QUEUE_ITEMS ?? 2_000);
const ROUNDS_PER_ANNOTATOR = Number(process.env.BENCH_QUEUE_ROUNDS ?? 20);
/**
 * Time an annotator spends on an item between submit and the next request. Experts take minutes
 * per item; 0.5–1.5 s makes 50 annotators ask about a hundred times faster than real ones.
 */
const THINK_MS = { min: 500, max: 1_500 };
/** Rounds each annotator works before measuring, so that code paths are compiled and warm. */
const WARM_UP_ROUNDS = 2;
const projectRoot = path.resolve(import.meta.dirname, "..");

const label = {
  preference: 1,
  accuracy_a: 2,
  accuracy_b: 4,
  safety_a: 2,
  safety_b: 4,
  completeness: 4,
  critique: "B flags the renal risk; A would let the injury progress.",
};

function serverUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres"
  );
}

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh database with one project, `annotators` experts with API tokens, and ITEMS items. */
async function prepare(databaseUrl: string, annotators: number) {
  const database = await openDatabase({ databaseUrl });
  try {
    await migrateToLatest(database.db);
    const { db } = database;
    const lead = await db
      .insertInto("users")
      .values({ email: "lead@bench.test", name: "Lead", is_admin: true })
      .returningAll()
      .executeTakeFirstOrThrow();
    const project = await createProject(db, lead, {
      name: "Routing benchmark",
      preset: "pairwise-clinical",
      overlap: 3,
      settings: { goldRate: 0 },
    });
    const tokens: string[] = [];
    for (let index = 0; index < annotators; index++) {
      const user = await db
        .insertInto("users")
        .values({
          email: `expert${index}@bench.test`,
          name: `Expert ${index}`,
          level: "expert",
          domains: ["medical"],
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await setProjectMember(db, lead, project.id, { email: user.email, role: "annotator" });
      tokens.push((await createApiToken(db, user.id, "bench")).token);
    }
    const responses = [
      { id: "a", text: "Stop the NSAID and check renal function within a week." },
      { id: "b", text: "Continue the NSAID; no monitoring is needed." },
    ];
    for (let start = 0; start < ITEMS; start += 1_000) {
      const rows = Array.from({ length: Math.min(1_000, ITEMS - start) }, (_, offset) => {
        const prompt = `Case ${start + offset}: a 70-year-old on ibuprofen with CKD stage 3.`;
        return {
          project_id: project.id,
          external_id: `case-${start + offset}`,
          prompt: JSON.stringify(prompt),
          responses: JSON.stringify(responses),
          content_hash: itemContentHash(prompt, responses),
        };
      });
      await db.insertInto("items").values(rows).execute();
    }
    return { projectId: project.id, tokens };
  } finally {
    await database.close();
  }
}

/** Quorum as its own process, as `npm start` runs it, on the given database. */
async function startServer(databaseUrl: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "quorum-bench-"));
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, startScriptArguments(), {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_SEED: "none",
      QUORUM_DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      NODE_ENV: "production",
    },
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timeout = setTimeout(
      () => reject(new Error(`the server did not start: ${output}`)),
      60_000,
    );
    let output = "";
    const findUrl = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (!match) return;
      clearTimeout(timeout);
      // From here on the request logs are only drained: a slow reader would fill the pipe and
      // stall the server's synchronous log writes, which the benchmark would then measure.
      child.stdout.off("data", findUrl);
      child.stdout.resume();
      resolve(match[1]);
    };
    child.stdout.on("data", findUrl);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server's own time for a request, from its Server-Timing header. */
function serverMs(response: Response): number {
  const match = /app;dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "");
  if (!match) throw new Error(`no Server-Timing on a ${response.status} response`);
  return Number(match[1]);
}

interface Samples {
  next: number[];
  submit: number[];
}

/** One annotator's loop over HTTP: next item, label it, think, again. */
async function annotate(
  url: string,
  token: string,
  projectId: number,
  rounds: number,
  think: boolean,
  seed: number,
  samples: Samples,
) {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const random = seededRandom(seed);
  for (let round = -WARM_UP_ROUNDS; round < rounds; round++) {
    const measured = round >= 0;
    if (think) await sleep(THINK_MS.min + random() * (THINK_MS.max - THINK_MS.min));
    const next = await fetch(`${url}/api/v1/queue/next?project=${projectId}`, { headers });
    if (measured) samples.next.push(serverMs(next));
    const body = (await next.json()) as { assignment: { itemId: number } | null };
    if (!body.assignment) return;
    const submitted = await fetch(`${url}/api/v1/items/${body.assignment.itemId}/annotations`, {
      method: "POST",
      headers,
      body: JSON.stringify({ label, durationMs: 30_000 }),
    });
    if (submitted.status !== 201) throw new Error(`submit failed: ${await submitted.text()}`);
    if (measured) samples.submit.push(serverMs(submitted));
  }
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function run(annotators: number, rounds: number, think: boolean): Promise<string[][]> {
  const name = `quorum_bench_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  try {
    const { projectId, tokens } = await prepare(url.toString(), annotators);
    const server = await startServer(url.toString());
    try {
      // One request each first, so that connection set-up is not measured.
      await Promise.all(
        tokens.map((token) =>
          fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } }),
        ),
      );
      const samples: Samples = { next: [], submit: [] };
      const started = performance.now();
      await Promise.all(
        tokens.map((token, index) =>
          annotate(server.url, token, projectId, rounds, think, index + 1, samples),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const load = `${annotators} annotator${annotators === 1 ? "" : "s"}, ${think ? "0.5–1.5 s think time" : "back to back"}`;
      return (["next", "submit"] as const).map((operation) => {
        const sorted = [...samples[operation]].sort((a, b) => a - b);
        return [
          `${operation === "next" ? "GET queue/next" : "POST annotations"}, ${load}`,
          String(sorted.length),
          (sorted.length / seconds).toFixed(1),
          percentile(sorted, 0.5).toFixed(1),
          percentile(sorted, 0.95).toFixed(1),
          percentile(sorted, 0.99).toFixed(1),
        ];
      });
    } finally {
      await server.stop();
    }
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
}

/**
 * `queue/next` and submit over HTTP against Quorum running as its own process on PostgreSQL,
 * timed by the server itself (Server-Timing: from the request's arrival to its response). Three
 * runs, each on a fresh database: one annotator (the baseline, no contention); ANNOTATORS
 * annotators at once with think time (the target: p95 ≤ 30 ms); and the same annotators back to
 * back, which saturates the machine and shows where the limit is.
 */
export async function benchmarkQueue(): Promise<BenchmarkTable> {
  const rows = [
    ...(await run(1, ROUNDS_PER_ANNOTATOR * 5, false)),
    ...(await run(ANNOTATORS, ROUNDS_PER_ANNOTATOR, true)),
    ...(await run(ANNOTATORS, ROUNDS_PER_ANNOTATOR, false)),
  ];
  return {
    title: `queue/next and submit, server-side time, PostgreSQL, ${ITEMS.toLocaleString("en-US")} items, overlap 3`,
    columns: ["requests", "count", "per second", "p50 ms", "p95 ms", "p99 ms"],
    rows,
  };
}
