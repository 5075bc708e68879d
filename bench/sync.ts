import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
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

const ROOMS = Number(process.env.BENCH_SYNC_ROOMS ?? 500);
const CLIENTS_PER_ROOM = 4;
const MEASURE_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 30);
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

interface RunningServer {
  name: string;
  pid: number;
  dialect: Dialect;
  /** Extra processes whose CPU counts towards the server's (PostgreSQL for Quorum). */
  helperPids: () => number[];
  urlFor(docName: string): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
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

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
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

function spawnServer(args: string[], environment: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, ...environment },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, delay(10_000)]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

function postgresServerUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres"
  );
}

async function adminQuery(statement: string): Promise<void> {
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

/** Quorum on a fresh PostgreSQL database of its own, every update stored before it is relayed. */
async function startQuorum(): Promise<RunningServer> {
  ensureBuild((message) => process.stderr.write(`${message}\n`));
  const databaseName = `quorum_bench_sync_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create database ${databaseName}`);
  const databaseUrl = new URL(postgresServerUrl());
  databaseUrl.pathname = `/${databaseName}`;
  const handle = await openDatabase({ databaseUrl: databaseUrl.toString() });
  await migrateToLatest(handle.db);
  const user = await createUser(handle.db, {
    email: "bench@example.com",
    name: "Bench",
    password: "correct horse battery staple",
  });
  const { token } = await createApiToken(handle.db, user.id, "bench");
  await handle.close();

  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "quorum-bench-sync-"));
  const child = spawnServer(["--import", "tsx", "server/index.ts"], {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl.toString(),
    QUORUM_DATA_DIR: dataDir,
    QUORUM_SEED: "none",
    SESSION_SECRET: "bench-secret-bench-secret-bench-secret-0",
    LOG_LEVEL: "warn",
  });
  await waitUntilServing(`http://127.0.0.1:${port}/healthz`, child);
  return {
    name: "Quorum (PostgreSQL, durable before relay)",
    pid: child.pid ?? 0,
    dialect: "y-websocket",
    helperPids: postgresPids,
    urlFor: (docName) => `ws://127.0.0.1:${port}/sync/${docName}?token=${token}`,
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
async function startYWebsocket(): Promise<RunningServer> {
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

function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kilobytes ?? 0) * 1024;
}

interface Delivery {
  sentAt: number;
  /** Receipt times, by receiving client. */
  receivedBy: Map<number, number>;
}

/**
 * A client that speaks just enough of the protocol: it syncs, appends a marker `~client.seq~`
 * to a shared text once a second, and finds the markers of the others in what it receives (a
 * Yjs update carries inserted text verbatim), so no client applies anyone else's updates.
 */
class BenchClient {
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
    this.findMarkers(payload);
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
    const text = this.doc.getText("body");
    text.insert(text.length, `~${marker}~`);
    this.sendSync(2, Y.encodeStateAsUpdate(this.doc, before));
    return marker;
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.terminate();
    this.doc.destroy();
  }
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

interface Measurement {
  name: string;
  p50: number;
  p99: number;
  samples: number;
  delivered: number;
  serverCpu: number;
  helperCpu: number;
  rssPerRoom: number;
  rss: number;
}

async function measure(start: () => Promise<RunningServer>): Promise<Measurement> {
  const server = await start();
  const clients: BenchClient[] = [];
  try {
    const idleRss = residentBytes(server.pid);
    const deliveries = new Map<string, Delivery>();
    const onMarker = (marker: string, receiver: number) => {
      const delivery = deliveries.get(marker);
      if (delivery && !delivery.receivedBy.has(receiver)) {
        delivery.receivedBy.set(receiver, performance.now());
      }
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
        if (measuring) deliveries.set(marker, { sentAt: performance.now(), receivedBy: new Map() });
      };
      // Spread over the second so that the load is even, as independent people typing are.
      return setTimeout(() => {
        send();
        timers.push(setInterval(send, 1000));
      }, Math.random() * 1000);
    });

    await delay(WARM_UP_SECONDS * 1000);
    measuring = true;
    const pids = () => [server.pid];
    const cpuBefore = cpuSeconds(pids());
    const helperCpuBefore = cpuSeconds(server.helperPids());
    const startedAt = performance.now();
    await delay(MEASURE_SECONDS * 1000);
    measuring = false;
    const elapsed = (performance.now() - startedAt) / 1000;
    const serverCpu = (cpuSeconds(pids()) - cpuBefore) / elapsed;
    const helperCpu = (cpuSeconds(server.helperPids()) - helperCpuBefore) / elapsed;
    const rss = residentBytes(server.pid);
    await delay(DRAIN_SECONDS * 1000);
    for (const timer of timers) clearTimeout(timer);

    const latencies: number[] = [];
    let expected = 0;
    for (const delivery of deliveries.values()) {
      expected += CLIENTS_PER_ROOM - 1;
      for (const receivedAt of delivery.receivedBy.values()) {
        latencies.push(receivedAt - delivery.sentAt);
      }
    }
    latencies.sort((a, b) => a - b);
    if (clients.some((client) => client.closedEarly)) {
      throw new Error(`${server.name}: clients were disconnected during the run`);
    }
    return {
      name: server.name,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      samples: latencies.length,
      delivered: latencies.length / expected,
      serverCpu,
      helperCpu,
      rss,
      rssPerRoom: (rss - idleRss) / ROOMS,
    };
  } finally {
    for (const client of clients) client.close();
    await server.stop();
  }
}

/**
 * ROOMS rooms × 4 clients, each sending one small update a second, against Quorum (PostgreSQL,
 * durable before relay) and, in the same run, the two in-memory baselines. Relay latency is the
 * time from a client's send to another client's receipt, over every (update, receiver) pair
 * sent in the measured window; CPU is the server process's share of one core (and PostgreSQL's,
 * for Quorum); RSS per room is the server's growth over its idle size, divided by the rooms.
 */
export async function benchmarkSync(): Promise<BenchmarkTable> {
  const results: Measurement[] = [];
  for (const start of [startQuorum, startHocuspocus, startYWebsocket]) {
    results.push(await measure(start));
  }
  const milliseconds = (value: number) => value.toFixed(1);
  const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
  return {
    title: `Sync relay, ${ROOMS} rooms × ${CLIENTS_PER_ROOM} clients, 1 update/s each, ${MEASURE_SECONDS} s measured`,
    columns: [
      "server",
      "p50 ms",
      "p99 ms",
      "deliveries",
      "server CPU",
      "PostgreSQL CPU",
      "RSS",
      "RSS per room",
    ],
    rows: results.map((result) => [
      result.name,
      milliseconds(result.p50),
      milliseconds(result.p99),
      `${result.samples.toLocaleString("en-US")} (${(result.delivered * 100).toFixed(2)} %)`,
      percent(result.serverCpu),
      result.helperCpu > 0 ? percent(result.helperCpu) : "—",
      `${(result.rss / 2 ** 20).toFixed(0)} MB`,
      `${(result.rssPerRoom / 1024).toFixed(0)} KB`,
    ]),
  };
}
