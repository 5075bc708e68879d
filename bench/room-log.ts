import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { CompiledQuery } from "kysely";
import { openDatabase } from "../db/client.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { appendToLogs } from "../server/sync/persistence.ts";
import { itemContentHash } from "../server/services/seed.ts";
import { admin, serverUrl, withDatabaseName } from "./import.ts";
import type { BenchmarkTable } from "./run.ts";

const ROOMS = Number(process.env.BENCH_ROOM_LOG_ROOMS ?? 500);
const BATCHES = Number(process.env.BENCH_ROOM_LOG_BATCHES ?? 2_000);
/** Rooms per batch: what the sync server's writer gathers while the previous batch commits. */
const BATCH_SIZES = [1, 20, 100];

/** The append as it was before the guard: the rows inserted, whatever their item's status. */
function plainInsert(rows: number): string {
  const values = Array.from({ length: rows }, (_, row) => `($${2 * row + 1}, $${2 * row + 2})`);
  return `insert into room_updates (doc_name, update) values ${values.join(", ")}`;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

/**
 * The sync server's durable append of editors' updates (persistence.ts), which stores a
 * participant's update only while its item is not published, deciding it under a key-share lock
 * of the item's row in the same statement, against the plain INSERT it replaced as the baseline:
 * the same rows (one small update per room of the batch, rooms of open items), the two taking
 * turns batch by batch in the same run, on PostgreSQL.
 */
export async function benchmarkRoomLog(): Promise<BenchmarkTable> {
  const name = `quorum_bench_room_log_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const database = await openDatabase({ databaseUrl: withDatabaseName(serverUrl(), name) });
  try {
    const { db } = database;
    await migrateToLatest(db);
    const project = await db
      .insertInto("projects")
      .values({
        name: "Room log benchmark",
        template: JSON.stringify({
          fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["a", "b"] }],
        }),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const items = await db
      .insertInto("items")
      .values(
        Array.from({ length: ROOMS }, (_, index) => ({
          project_id: project.id,
          external_id: `room-${index}`,
          prompt: JSON.stringify(`Case ${index}`),
          responses: JSON.stringify([{ id: "a", text: "An answer." }]),
          content_hash: itemContentHash(`Case ${index}`, [{ id: "a", text: "An answer." }]),
          status: "adjudicating" as const,
        })),
      )
      .returning("id")
      .execute();
    const docNames = items.map((item) => `item:${item.id}`);
    const update = new Uint8Array(randomBytes(40));
    const rows: string[][] = [];
    for (const size of BATCH_SIZES) {
      const timings = { guarded: [] as number[], plain: [] as number[] };
      for (let batch = 0; batch < BATCHES; batch++) {
        const first = (batch * size) % ROOMS;
        const rooms = Array.from(
          { length: size },
          (_, offset) => docNames[(first + offset) % ROOMS],
        );
        const guardedFirst = batch % 2 === 0;
        for (const kind of guardedFirst ? ["guarded", "plain"] : ["plain", "guarded"]) {
          const started = performance.now();
          if (kind === "guarded") {
            await appendToLogs(
              db,
              rooms.map((docName) => ({ docName, rows: [{ update, fromParticipant: true }] })),
            );
            timings.guarded.push(performance.now() - started);
          } else {
            await db.executeQuery(
              CompiledQuery.raw(
                plainInsert(size),
                rooms.flatMap((room) => [room, update]),
              ),
            );
            timings.plain.push(performance.now() - started);
          }
        }
      }
      for (const kind of ["plain", "guarded"] as const) {
        const sorted = [...timings[kind]].sort((a, b) => a - b);
        const mean = sorted.reduce((total, value) => total + value, 0) / sorted.length;
        rows.push([
          `${size} room${size === 1 ? "" : "s"} per batch, ${kind === "plain" ? "baseline: plain INSERT" : "guarded append"}`,
          mean.toFixed(2),
          quantile(sorted, 0.5).toFixed(2),
          quantile(sorted, 0.99).toFixed(2),
        ]);
      }
    }
    return {
      title: `Room log appends: ${BATCHES} batches per size over ${ROOMS} open items, guarded append against the plain INSERT, taking turns`,
      columns: ["batch", "mean ms", "p50 ms", "p99 ms"],
      rows,
    };
  } finally {
    await database.close();
    await admin(`drop database ${name} with (force)`);
  }
}
