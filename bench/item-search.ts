import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { performance } from "node:perf_hooks";
import { findPreset } from "../app/domain/presets.ts";
import { openDatabase } from "../db/client.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { importItems, readImport } from "../server/services/import/index.ts";
import { listItems } from "../server/services/items.ts";
import { createUser } from "../server/services/users.ts";
import { admin, withDatabaseName, serverUrl } from "./import.ts";
import type { BenchmarkTable } from "./run.ts";

const ITEM_COUNT = Number(process.env.BENCH_SEARCH_ITEMS ?? 100_000);
const RUNS = 30;
const TARGET_MS = 200;

/** One drug of fifty per item: a word that matches 2 % of the items. */
const drugs = Array.from({ length: 50 }, (_, index) => `drug${index}zol`);

function searchItems(count: number) {
  const sentence =
    "The recommended first-line treatment depends on renal function, current medication and the patient's preferences. ";
  return Array.from({ length: count }, (_, index) => ({
    externalId: `search-${index}`,
    prompt: `Case ${index}: is ${drugs[index % drugs.length]} appropriate here, and at what dose?`,
    responses: [
      { id: "a", text: `${sentence}Answer A for case ${index}.` },
      { id: "b", text: `${sentence.repeat(2)}Answer B, reference r${index}x.` },
    ],
    ...(index % 3 === 0 ? { domain: "medical" } : {}),
  }));
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

/**
 * `npm run bench search`: GET …/items (the service behind it, as a lead) on ITEM_COUNT items in
 * PostgreSQL: a page of 50 and the total, for searches matching one item, 2 % and every item,
 * with filters and orders, against the plain first page (no search, no filter) in the same run.
 */
export async function benchmarkItemSearch(): Promise<BenchmarkTable> {
  const name = `quorum_bench_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const database = await openDatabase({ databaseUrl: withDatabaseName(serverUrl(), name) });
  try {
    await migrateToLatest(database.db);
    const preset = findPreset("pairwise-clinical")!;
    const { id: projectId } = await database.db
      .insertInto("projects")
      .values({ name: "Search benchmark", template: JSON.stringify(preset.template) })
      .returning("id")
      .executeTakeFirstOrThrow();
    const ndjson = searchItems(ITEM_COUNT)
      .map((item) => JSON.stringify(item))
      .join("\n");
    const parsed = readImport(ndjson, "jsonl", preset.template);
    const imported = await importItems(database.db, {
      projectId,
      actor: null,
      rows: parsed.rows,
      readErrors: parsed.errors,
      format: "jsonl",
    });
    if (imported.created !== ITEM_COUNT) throw new Error(`imported ${imported.created} items`);
    await sql`analyze items`.execute(database.db);
    const lead = await createUser(database.db, {
      email: "lead@bench.test",
      name: "Lead",
      password: "correct horse battery staple",
      isAdmin: true,
    });

    const cases: Array<[string, Record<string, string>]> = [
      ["baseline: first page, no search or filter", {}],
      ["search matching 1 item (`r4242x`)", { q: "r4242x" }],
      ["search matching 2 % (`drug7zol`)", { q: "drug7zol" }],
      ["search matching every item (`renal`)", { q: "renal" }],
      ['phrase matching 2 % (`"is drug7zol appropriate"`)', { q: '"is drug7zol appropriate"' }],
      ["search 2 % + domain + status", { q: "drug7zol", domain: "medical", status: "queued" }],
      ["search 2 %, newest change first", { q: "drug7zol", sort: "-updated" }],
      ["no search, newest change first", { sort: "-updated" }],
    ];
    const rows: string[][] = [];
    let baselineP50 = 0;
    for (const [label, query] of cases) {
      const durations: number[] = [];
      let total = 0;
      for (let run = 0; run < RUNS + 3; run++) {
        const started = performance.now();
        const page = await listItems(database.db, lead, projectId, { ...query, limit: "50" });
        const elapsed = performance.now() - started;
        total = page.total;
        // The first runs warm the caches and are not counted.
        if (run >= 3) durations.push(elapsed);
      }
      durations.sort((a, b) => a - b);
      const p50 = percentile(durations, 0.5);
      const p95 = percentile(durations, 0.95);
      if (rows.length === 0) baselineP50 = p50;
      rows.push([
        label,
        total.toLocaleString("en-US"),
        p50.toFixed(1),
        p95.toFixed(1),
        `${(p50 / baselineP50).toFixed(1)}×`,
        p95 <= TARGET_MS ? "ok" : `over ${TARGET_MS} ms`,
      ]);
    }
    return {
      title: `Item search and filters on ${ITEM_COUNT.toLocaleString("en-US")} items in PostgreSQL, a page of 50 and the total, ${RUNS} runs each`,
      columns: [
        "query",
        "matches",
        "p50 ms",
        "p95 ms",
        "p50 vs baseline",
        `goal: p95 ≤ ${TARGET_MS} ms`,
      ],
      rows,
    };
  } finally {
    await database.close();
    await admin(`drop database if exists ${name} with (force)`);
  }
}
