import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { findPreset } from "../app/domain/presets.ts";
import { openDatabase, type DatabaseHandle } from "../db/client.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { importItems, readImport } from "../server/services/import/index.ts";
import { itemContentHash } from "../server/services/seed.ts";
import type { BenchmarkTable } from "./run.ts";

const ITEM_COUNT = Number(process.env.BENCH_IMPORT_ITEMS ?? 100_000);
const BASELINE_BATCH = 1000;

/** PostgreSQL server to create the benchmark's own database on. */
export function serverUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres"
  );
}

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Simple items as a model-evaluation import has them: a question and two answers, about 500 bytes
 * each, so that 100,000 of them (about 50 MB) also fit one upload under the default
 * IMPORT_MAX_BYTES.
 */
export function generateItems(count: number, prefix = "bench") {
  const sentence =
    "The recommended first-line treatment depends on renal function, current medication and the patient's preferences. ";
  return Array.from({ length: count }, (_, index) => ({
    externalId: `${prefix}-${index}`,
    prompt: `Question ${index}: what is the appropriate management of case ${index}, and why?`,
    responses: [
      { id: "a", model: "model-a", text: `${sentence}Answer A for case ${index}.` },
      { id: "b", model: "model-b", text: `${sentence.repeat(2)}Answer B for case ${index}.` },
    ],
  }));
}

async function createProject(database: DatabaseHandle, name: string): Promise<number> {
  const preset = findPreset("pairwise-clinical");
  if (!preset) throw new Error("the pairwise-clinical preset is missing");
  const { id } = await database.db
    .insertInto("projects")
    .values({ name, template: JSON.stringify(preset.template) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

async function timed<T>(task: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = performance.now();
  const result = await task();
  return { result, seconds: (performance.now() - start) / 1000 };
}

/**
 * Imports ITEM_COUNT items as NDJSON into a fresh PostgreSQL database: the whole service call
 * (parsing, validation, hashing, externalId checks, inserts, audit) against a baseline of plain
 * multi-row INSERTs of the same, already prepared rows through the same driver, which is what
 * the database itself costs. The gap between the two is the price of checking every row.
 */
export async function benchmarkImport(): Promise<BenchmarkTable> {
  const name = `quorum_bench_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const database = await openDatabase({ databaseUrl: withDatabaseName(serverUrl(), name) });
  try {
    await migrateToLatest(database.db);
    const importProject = await createProject(database, "Import benchmark");
    const baselineProject = await createProject(database, "Baseline");
    const preset = findPreset("pairwise-clinical")!;
    const items = generateItems(ITEM_COUNT);
    const ndjson = items.map((item) => JSON.stringify(item)).join("\n");

    const fresh = await timed(async () => {
      const parsed = readImport(ndjson, "jsonl", preset.template);
      return importItems(database.db, {
        projectId: importProject,
        actor: null,
        rows: parsed.rows,
        readErrors: parsed.errors,
        format: "jsonl",
        // As the API imports on PostgreSQL: the figures of a large project stored with it.
        qualityInTransaction: true,
      });
    });
    if (fresh.result.created !== ITEM_COUNT) {
      throw new Error(`expected ${ITEM_COUNT} created, got ${fresh.result.created}`);
    }
    const again = await timed(async () => {
      const parsed = readImport(ndjson, "jsonl", preset.template);
      return importItems(database.db, {
        projectId: importProject,
        actor: null,
        rows: parsed.rows,
        format: "jsonl",
        qualityInTransaction: true,
      });
    });
    if (again.result.unchanged !== ITEM_COUNT) {
      throw new Error(`expected ${ITEM_COUNT} unchanged, got ${again.result.unchanged}`);
    }

    const prepared = items.map((item) => ({
      project_id: baselineProject,
      external_id: item.externalId,
      prompt: JSON.stringify(item.prompt),
      responses: JSON.stringify(item.responses),
      content_hash: itemContentHash(item.prompt, item.responses),
    }));
    const baseline = await timed(() =>
      database.db.transaction().execute(async (trx) => {
        for (let start = 0; start < prepared.length; start += BASELINE_BATCH) {
          await trx
            .insertInto("items")
            .values(prepared.slice(start, start + BASELINE_BATCH))
            .execute();
        }
      }),
    );

    const row = (label: string, seconds: number) => [
      label,
      seconds.toFixed(2),
      Math.round(ITEM_COUNT / seconds).toLocaleString("en-US"),
    ];
    return {
      title: `Import of ${ITEM_COUNT.toLocaleString("en-US")} items into PostgreSQL`,
      columns: ["run", "seconds", "items/s"],
      rows: [
        row("import, new items (NDJSON, every row checked)", fresh.seconds),
        row("re-import, all unchanged", again.seconds),
        row(
          `baseline: plain INSERT of prepared rows, ${BASELINE_BATCH} per statement`,
          baseline.seconds,
        ),
      ],
    };
  } finally {
    await database.close();
    await admin(`drop database if exists ${name} with (force)`);
  }
}
