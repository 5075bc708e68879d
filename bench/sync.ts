import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import pg from "pg";
import WebSocket from "ws";
import * as Y from "yjs";
import { openDatabase } from "../db/client.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { ensureBuild } from "../server/build.ts";
import { createApiToken } from "../server/services/auth.ts";
import { createUser } from "../server/services/users.ts";
import type { BenchmarkTable } from "./run.ts";
import { startScriptArguments } from "./start-script.ts";

const ROOMS = Number(process.env.BENCH_SYNC_ROOMS ?? 500);
export const CLIENTS_PER_ROOM = 4;
const MEASURE_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 20);
/**
 * Each server is measured this many times, the servers taking turns, and each figure reported
 * is the median of its runs: a run's p99 rests on its few slowest moments, which vary from run
 * to run on a shared 2-core machine.
 */
const ROUNDS = Number(process.env.BENCH_SYNC_ROUNDS ?? 3);
const WARM_UP_SECONDS = 5;
/** Updates still in flight when sending stops are waited for this long. */
const DRAIN_SECONDS = 2;
const CONNECT_CONCURRENCY = 50;

const projectRoot = path.resolve(import.meta.dirname, "..");
const clockTicksPerSecond = 100;

/**
 * How a server frames the y-websocket sync protocol: y-websocket and Quorum put one document on a
 * connection; Hocuspocus prefixes every message with the document name and wants an
 * authentication message first.
 */
type Dialect = "y-websocket" | "hocuspocus";

export interface RunningServer {
  name: string;
  pid: number;
  dialect: Dialect;
  /** Extra processes whose CPU counts towards the server's (PostgreSQL for Quorum). */
  helperPids: () => number[];
  /** The server's own database, where it has one. */
  databaseUrl?: string;
  urlFor(docName: string): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await delay(100);
    }
  }
  throw new Error(`${url} did not start within a minute`);
}

/**
 * Extra node flags for the servers under test, e.g. `BENCH_SERVER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/profiles"` to see where a server spends its time during a benchmark.
 */
const serverNodeArguments = process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];

export function spawnServer(args: string[], environment: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...serverNodeArguments, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return child;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, delay(10_000)]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

export function postgresServerUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres"
  );
}

export async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Process ids of the PostgreSQL server's processes on this machine (its backends included). */
function postgresPids(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * A fresh PostgreSQL database of its own, migrated, with a bench user (and an API token) leading
 * a project whose items have the given external ids; the items' ids come back by external id.
 */
export async function createBenchProject(
  purpose: string,
  externalIds: ReadonlyArray<string>,
): Promise<{
  databaseName: string;
  databaseUrl: URL;
  token: string;
  projectId: number;
  items: Map<string, number>;
}> {
  const databaseName = `quorum_bench_${purpose}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create database ${databaseName}`);
  const databaseUrl = new URL(postgresServerUrl());
  databaseUrl.pathname = `/${databaseName}`;
  const handle = await openDatabase({ databaseUrl: databaseUrl.toString() });
  try {
    await migrateToLatest(handle.db);
    const user = await createUser(handle.db, {
      email: "bench@example.com",
      name: "Bench",
      password: "correct horse battery staple",
    });
    const { token } = await createApiToken(handle.db, user.id, "bench");
    const project = await handle.db
      .insertInto("projects")
      .values({
        name: `${purpose} bench`,
        template: JSON.stringify({ fields: [{ id: "notes", type: "text", label: "Notes" }] }),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto("project_members")
      .values({ project_id: project.id, user_id: user.id, role: "lead" })
      .execute();
    const rows = await handle.db
      .insertInto("items")
      .values(
        externalIds.map((externalId) => ({
          project_id: project.id,
          external_id: externalId,
          prompt: JSON.stringify("Bench"),
          responses: JSON.stringify([{ id: "a", text: "…" }]),
          content_hash: externalId,
        })),
      )
      .returning(["id", "external_id"])
      .execute();
    return {
      databaseName,
      databaseUrl,
      token,
      projectId: project.id,
      items: new Map(rows.map((row) => [row.external_id, row.id])),
    };
  } finally {
    await handle.close();
  }
}

/**
 * Quorum on a fresh PostgreSQL database of its own, every update stored before it is relayed,
 * started as `npm start` starts it or, with `nodeDefaults`, with Node's default heap settings.
 */
export async function startQuorum(nodeDefaults: boolean): Promise<RunningServer> {
  ensureBuild((message) => process.stderr.write(`${message}\n`));
  // Quorum's documents are item rooms: the bench user leads a project with one item per room.
  const { databaseName, databaseUrl, token, items } = await createBenchProject(
    "sync",
    Array.from({ length: ROOMS }, (_, room) => `bench-room-${room}`),
  );
  const itemRooms = new Map([...items].map(([externalId, id]) => [externalId, `item:${id}`]));

  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "quorum-bench-sync-"));
  const child = spawnServer(startScriptArguments(nodeDefaults), {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl.toString(),
    QUORUM_DATA_DIR: dataDir,
    QUORUM_SEED: "none",
    SESSION_SECRET: "bench-secret-bench-secret-bench-secret-0",
    LOG_LEVEL: "warn",
    // One bench user holds every client's connection.
    SYNC_MAX_CONNECTIONS_PER_USER: String(ROOMS * CLIENTS_PER_ROOM),
  });
  await waitUntilServing(`http://127.0.0.1:${port}/healthz`, child);
  return {
    name: nodeDefaults
      ? "Quorum, Node's default young generation"
      : "Quorum (PostgreSQL, durable before relay)",
    pid: child.pid ?? 0,
    dialect: "y-websocket",
    helperPids: postgresPids,
    databaseUrl: databaseUrl.toString(),
    urlFor: (docName) =>
      `ws://127.0.0.1:${port}/sync/${itemRooms.get(docName) ?? docName}?token=${token}`,
    async stop() {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
      await adminQuery(`drop database if exists ${databaseName} with (force)`);
    },
  };
}

/** Hocuspocus 3 as it comes: no persistence extension. */
async function startHocuspocus(): Promise<RunningServer> {
  const port = await freePort();
  const child = spawnServer(
    [
      "--input-type=module",
      "--eval",
      `import { Server } from "@hocuspocus/server";
       await new Server({ port: ${port}, address: "127.0.0.1", quiet: true }).listen();`,
    ],
    {},
  );
  await waitUntilServing(`http://127.0.0.1:${port}/`, child);
  return {
    name: "Hocuspocus 3 (default, in memory)",
    pid: child.pid ?? 0,
    dialect: "hocuspocus",
    helperPids: () => [],
    urlFor: () => `ws://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

/** The y-websocket reference server (y-websocket@2's bin/server.cjs), in memory by default. */
export async function startYWebsocket(): Promise<RunningServer> {
  const port = await freePort();
  const child = spawnServer(["node_modules/y-websocket-v2/bin/server.cjs"], {
    HOST: "127.0.0.1",
    PORT: String(port),
  });
  await waitUntilServing(`http://127.0.0.1:${port}/`, child);
  return {
    name: "y-websocket 2 bin/server.cjs (in memory)",
    pid: child.pid ?? 0,
    dialect: "y-websocket",
    helperPids: () => [],
    urlFor: (docName) => `ws://127.0.0.1:${port}/${docName}`,
    stop: () => stopChild(child),
  };
}

/** CPU time used so far by the processes, in seconds. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile (a PostgreSQL backend that disconnected).
    }
  }
  return ticks / clockTicksPerSecond;
}

export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kilobytes ?? 0) * 1024;
}

/**
 * A client that speaks just enough of the protocol: it syncs, appends a marker `~client.seq~`
 * to a shared text once a second, and finds the markers of the others in what it receives (a
 * Yjs update carries inserted text verbatim), so no client applies anyone else's updates.
 */
export class BenchClient {
  private readonly doc = new Y.Doc();
  private readonly socket: WebSocket;
  private sequence = 0;
  readonly synced: Promise<void>;
  closedEarly = false;

  constructor(
    private readonly index: number,
    private readonly docName: string,
    url: string,
    private readonly dialect: Dialect,
    private readonly onMarker: (marker: string, receiver: number) => void,
  ) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = "nodebuffer";
    this.synced = new Promise((resolve, reject) => {
      this.socket.on("message", (data: Buffer) => {
        if (this.receive(new Uint8Array(data))) resolve();
      });
      this.socket.once("error", reject);
      this.socket.once("close", () => {
        this.closedEarly = true;
        reject(new Error(`client ${index} was disconnected`));
      });
    });
    this.socket.on("error", () => {});
    this.socket.once("open", () => {
      if (this.dialect === "hocuspocus") {
        this.send(2, (encoder) => {
          encoding.writeVarUint(encoder, 0);
          encoding.writeVarString(encoder, "");
        });
      } else {
        this.sendSync(0, Y.encodeStateVector(this.doc));
      }
    });
  }

  private send(type: number, write: (encoder: encoding.Encoder) => void): void {
    const encoder = encoding.createEncoder();
    if (this.dialect === "hocuspocus") encoding.writeVarString(encoder, this.docName);
    encoding.writeVarUint(encoder, type);
    write(encoder);
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(encoding.toUint8Array(encoder));
  }

  private sendSync(step: number, payload: Uint8Array, type = 0): void {
    this.send(type, (encoder) => {
      encoding.writeVarUint(encoder, step);
      encoding.writeVarUint8Array(encoder, payload);
    });
  }

  /** Handles one frame; true when it completed the initial sync. */
  private receive(frame: Uint8Array): boolean {
    const decoder = decoding.createDecoder(frame);
    if (this.dialect === "hocuspocus") decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (this.dialect === "hocuspocus" && type === 2) {
      // Authenticated: now the document can be synced.
      this.sendSync(0, Y.encodeStateVector(this.doc));
      return false;
    }
    if (type !== 0 && !(this.dialect === "hocuspocus" && type === 4)) return false;
    const step = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (step === 0) {
      this.sendSync(
        1,
        Y.encodeStateAsUpdate(this.doc, payload),
        this.dialect === "hocuspocus" ? 4 : 0,
      );
      return false;
    }
    // Only live updates (step 2) are deliveries: the initial sync's reply (step 1) carries what
    // was typed before this client came, which a client joining a reloaded room receives again.
    if (step === 2) this.findMarkers(payload);
    return step === 1;
  }

  private findMarkers(payload: Uint8Array): void {
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    let start = bytes.indexOf(0x7e);
    while (start !== -1) {
      const end = bytes.indexOf(0x7e, start + 1);
      if (end === -1) return;
      const marker = bytes.toString("latin1", start + 1, end);
      if (/^\d+\.\d+$/.test(marker)) {
        if (!marker.startsWith(`${this.index}.`)) this.onMarker(marker, this.index);
        start = bytes.indexOf(0x7e, end + 1);
      } else {
        start = end;
      }
    }
  }

  /** Appends a marker and sends the update; returns the marker. */
  edit(): string {
    this.sequence += 1;
    const marker = `${this.index}.${this.sequence}`;
    const before = Y.encodeStateVector(this.doc);
    // Each client types into a text field of the room's draft label of its own (in Quorum only
    // label, votes, comments and meta may be written); the same on every server.
    const label = this.doc.getMap("label");
    const field = `client-${this.index}`;
    this.doc.transact(() => {
      if (!label.has(field)) label.set(field, new Y.Text());
      const text = label.get(field) as Y.Text;
      text.insert(text.length, `~${marker}~`);
    });
    this.sendSync(2, Y.encodeStateAsUpdate(this.doc, before));
    return marker;
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.terminate();
    this.doc.destroy();
  }
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

interface Measurement {
  name: string;
  p50: number;
  p99: number;
  samples: number;
  expected: number;
  serverCpu: number;
  helperCpu: number;
  rssPerRoom: number;
  rss: number;
  /** The load generator's longest event-loop stall while measuring, in ms. */
  generatorStall: number;
}

async function measure(start: () => Promise<RunningServer>): Promise<Measurement> {
  const server = await start();
  const clients: BenchClient[] = [];
  try {
    const idleRss = residentBytes(server.pid);
    // Flat maps and one array of numbers: the load generator's own garbage collection pauses
    // would otherwise show up as everyone's latency.
    const sentAt = new Map<string, number>();
    /** Which of the room's clients have received a marker, one bit each. */
    const receivedBy = new Map<string, number>();
    const latencies: number[] = [];
    const onMarker = (marker: string, receiver: number) => {
      const sent = sentAt.get(marker);
      if (sent === undefined) return;
      const bit = 1 << (receiver % CLIENTS_PER_ROOM);
      const seen = receivedBy.get(marker) ?? 0;
      if ((seen & bit) !== 0) return;
      receivedBy.set(marker, seen | bit);
      latencies.push(performance.now() - sent);
    };
    const total = ROOMS * CLIENTS_PER_ROOM;
    for (let first = 0; first < total; first += CONNECT_CONCURRENCY) {
      const batch: BenchClient[] = [];
      for (let index = first; index < Math.min(total, first + CONNECT_CONCURRENCY); index++) {
        const docName = `bench-room-${Math.floor(index / CLIENTS_PER_ROOM)}`;
        batch.push(
          new BenchClient(index, docName, server.urlFor(docName), server.dialect, onMarker),
        );
      }
      clients.push(...batch);
      await Promise.all(batch.map((client) => client.synced));
    }

    let measuring = false;
    const timers = clients.map((client) => {
      const send = () => {
        const marker = client.edit();
        if (measuring) sentAt.set(marker, performance.now());
      };
      // Spread over the second so that the load is even, as independent people typing are.
      return setTimeout(() => {
        send();
        timers.push(setInterval(send, 1000));
      }, Math.random() * 1000);
    });

    await delay(WARM_UP_SECONDS * 1000);
    const generatorDelay = monitorEventLoopDelay({ resolution: 1 });
    generatorDelay.enable();
    measuring = true;
    const pids = () => [server.pid];
    const cpuBefore = cpuSeconds(pids());
    const helperCpuBefore = cpuSeconds(server.helperPids());
    const startedAt = performance.now();
    await delay(MEASURE_SECONDS * 1000);
    measuring = false;
    generatorDelay.disable();
    const elapsed = (performance.now() - startedAt) / 1000;
    const serverCpu = (cpuSeconds(pids()) - cpuBefore) / elapsed;
    const helperCpu = (cpuSeconds(server.helperPids()) - helperCpuBefore) / elapsed;
    const rss = residentBytes(server.pid);
    await delay(DRAIN_SECONDS * 1000);
    for (const timer of timers) clearTimeout(timer);

    latencies.sort((a, b) => a - b);
    if (clients.some((client) => client.closedEarly)) {
      throw new Error(`${server.name}: clients were disconnected during the run`);
    }
    return {
      name: server.name,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      samples: latencies.length,
      expected: sentAt.size * (CLIENTS_PER_ROOM - 1),
      serverCpu,
      helperCpu,
      rss,
      rssPerRoom: (rss - idleRss) / ROOMS,
      generatorStall: generatorDelay.max / 1e6,
    };
  } finally {
    for (const client of clients) client.close();
    await server.stop();
  }
}

const servers: Record<string, () => Promise<RunningServer>> = {
  quorum: () => startQuorum(false),
  "quorum-node-defaults": () => startQuorum(true),
  hocuspocus: startHocuspocus,
  "y-websocket": startYWebsocket,
};

/** `BENCH_SYNC_SERVERS=quorum,y-websocket` runs only those; by default all of them run. */
const selectedServers = process.env.BENCH_SYNC_SERVERS?.split(",").map((name) => name.trim());

/**
 * ROOMS rooms × 4 clients, each sending one small update a second, against Quorum (PostgreSQL,
 * durable before relay; as `npm start` runs it, and with Node's default heap settings to show what
 * those are worth) and, in the same run, the two in-memory baselines. Relay latency is the
 * time from a client's send to another client's receipt, over every (update, receiver) pair
 * sent in the measured window; CPU is the server process's share of one core (and PostgreSQL's,
 * for Quorum); RSS per room is the server's growth over its idle size, divided by the rooms.
 */
export async function benchmarkSync(): Promise<BenchmarkTable> {
  const chosen = Object.entries(servers).filter(
    ([name]) => selectedServers === undefined || selectedServers.includes(name),
  );
  const runs = new Map<string, Measurement[]>(chosen.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, start] of chosen) {
      const result = await measure(start);
      runs.get(name)?.push(result);
      process.stderr.write(
        `sync round ${round + 1}/${ROUNDS}, ${result.name}: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, load generator stalled at most ${result.generatorStall.toFixed(0)} ms\n`,
      );
    }
  }
  const milliseconds = (value: number) => value.toFixed(1);
  const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
  return {
    title: `Sync relay, ${ROOMS} rooms × ${CLIENTS_PER_ROOM} clients, 1 update/s each, ${ROUNDS} runs of ${MEASURE_SECONDS} s per server, medians`,
    columns: [
      "server",
      "p50 ms",
      "p99 ms",
      "p99 of each run",
      "deliveries",
      "server CPU",
      "PostgreSQL CPU",
      "RSS",
      "RSS per room",
    ],
    rows: [...runs.values()].map((results) => {
      const middle = (value: (result: Measurement) => number) => median(results.map(value));
      const samples = results.reduce((total, result) => total + result.samples, 0);
      const expected = results.reduce((total, result) => total + result.expected, 0);
      const helperCpu = middle((result) => result.helperCpu);
      return [
        results[0].name,
        milliseconds(middle((result) => result.p50)),
        milliseconds(middle((result) => result.p99)),
        results.map((result) => milliseconds(result.p99)).join(", "),
        `${samples.toLocaleString("en-US")} (${((samples / expected) * 100).toFixed(2)} %)`,
        percent(middle((result) => result.serverCpu)),
        helperCpu > 0 ? percent(helperCpu) : "—",
        `${(middle((result) => result.rss) / 2 ** 20).toFixed(0)} MB`,
        `${(middle((result) => result.rssPerRoom) / 1024).toFixed(0)} KB`,
      ];
    }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}
