import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openDatabase, type DatabaseHandle } from "../db/client.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { User } from "../db/schema.ts";
import { submitAnnotation } from "../server/services/annotate.ts";
import { createProject, setProjectMember } from "../server/services/project-admin.ts";
import { nextAssignment } from "../server/services/queue.ts";
import { itemContentHash } from "../server/services/seed.ts";
import type { BenchmarkTable } from "./run.ts";

const ANNOTATORS = Number(process.env.BENCH_ANNOTATORS ?? 50);
const ITEMS = Number(process.env.BENCH_QUEUE_ITEMS ?? 2_000);
const ROUNDS_PER_ANNOTATOR = Number(process.env.BENCH_QUEUE_ROUNDS ?? 20);
/**
 * Time an annotator spends on an item between submit and the next request. Experts take minutes
 * per item; 0.5–1.5 s makes 50 annotators ask about a hundred times faster than real ones.
 */
const THINK_MS = { min: 500, max: 1_500 };

interface LatencyResult {
  name: string;
  operations: number;
  /** Operations per second over the run. */
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function summarise(name: string, samples: number[], seconds: number): LatencyResult {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name,
    operations: sorted.length,
    throughput: sorted.length / seconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}

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

const label = {
  preference: 1,
  accuracy_a: 2,
  accuracy_b: 4,
  safety_a: 2,
  safety_b: 4,
  completeness: 4,
  critique: "B flags the renal risk; A would let the injury progress.",
};

async function setUp(database: DatabaseHandle, annotators: number) {
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
  const users: User[] = [];
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
    users.push(user);
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
  return { projectId: project.id, users };
}

/** A small seeded generator: every run of the benchmark waits the same think times. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One annotator's loop: ask for the next item, label it, think, again; both calls timed. */
async function annotate(
  database: DatabaseHandle,
  projectId: number,
  user: User,
  rounds: number,
  think: boolean,
  samples: { next: number[]; submit: number[] },
) {
  const random = seededRandom(user.id);
  for (let round = 0; round < rounds; round++) {
    if (think) await sleep(THINK_MS.min + random() * (THINK_MS.max - THINK_MS.min));
    let start = performance.now();
    const assignment = await nextAssignment(database.db, user, projectId);
    samples.next.push(performance.now() - start);
    if (!assignment) return;
    start = performance.now();
    await submitAnnotation(database.db, user, assignment.itemId, { label, durationMs: 30_000 });
    samples.submit.push(performance.now() - start);
  }
}

async function run(annotators: number, rounds: number, think: boolean): Promise<LatencyResult[]> {
  const name = `quorum_bench_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  try {
    await migrateToLatest(database.db);
    const { projectId, users } = await setUp(database, annotators);
    const samples = { next: [] as number[], submit: [] as number[] };
    const started = performance.now();
    await Promise.all(
      users.map((user) => annotate(database, projectId, user, rounds, think, samples)),
    );
    const seconds = (performance.now() - started) / 1000;
    const load = think ? "with think time" : "back to back";
    return [
      summarise(`queue/next, ${annotators} annotator(s) ${load}`, samples.next, seconds),
      summarise(`submit, ${annotators} annotator(s) ${load}`, samples.submit, seconds),
    ];
  } finally {
    await database.close();
    await admin(`drop database if exists ${name} with (force)`);
  }
}

/**
 * `queue/next` and submit as the server runs them (the service calls behind the HTTP handlers,
 * on PostgreSQL with the default pool of 10 connections). Three runs, each on a fresh database:
 * a single annotator (the baseline: no contention); ANNOTATORS annotators at once, each thinking
 * 0.5–1.5 s per item (the target: p95 ≤ 30 ms); and the same annotators back to back with no
 * think time, which saturates the machine and shows its throughput.
 */
export async function benchmarkQueue(): Promise<BenchmarkTable> {
  const results = [
    ...(await run(1, ROUNDS_PER_ANNOTATOR * 5, false)),
    ...(await run(ANNOTATORS, ROUNDS_PER_ANNOTATOR, true)),
    ...(await run(ANNOTATORS, ROUNDS_PER_ANNOTATOR, false)),
  ];
  const ms = (value: number) => value.toFixed(1);
  return {
    title: `queue/next and submit, server-side, PostgreSQL, ${ANNOTATORS} annotators`,
    columns: ["operation", "count", "items/s", "p50 ms", "p95 ms", "p99 ms", "max ms"],
    rows: results.map((result) => [
      result.name,
      String(result.operations),
      result.throughput.toFixed(1),
      ms(result.p50),
      ms(result.p95),
      ms(result.p99),
      ms(result.max),
    ]),
  };
}
