import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import type { BenchmarkTable } from "./run.ts";
import {
  BenchClient,
  CLIENTS_PER_ROOM,
  percentile,
  residentBytes,
  startQuorum,
  startYWebsocket,
  type RunningServer,
} from "./sync.ts";

const ROOMS = Number(process.env.BENCH_SYNC_ROOMS ?? 500);
const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
/** Every this many seconds a few rooms empty (and unload), then fill again (and reload). */
const CHURN_EVERY_SECONDS = 15;
const CHURN_ROOMS = Math.max(1, Math.round(ROOMS * 0.04));
/** A churned room's clients stop typing this long before they leave, so no edit is in flight. */
const QUIESCE_MS = 3_000;
/** How long a churned room stays empty before its new clients arrive. */
const EMPTY_MS = 2_000;
const WARM_UP_SECONDS = 10;
const CONNECT_CONCURRENCY = 50;
/** The acceptance: each minute's p99 within this factor of the reference's same minute … */
const P99_FACTOR = 1.5;
/** … no delivery slower than this … */
const STALL_MS = 250;
/** … and memory per loaded room within this factor of the reference's. */
const MEMORY_FACTOR = 2;

interface MinuteFigures {
  p50: number;
  p99: number;
  max: number;
  deliveries: number;
  expected: number;
  rssBytes: number;
}

interface SoakResult {
  name: string;
  minutes: MinuteFigures[];
  idleRss: number;
  roomsReloaded: number;
  /** Stored log rows, and how many of all rows ever appended compaction merged away. */
  storage: string;
}

/**
 * One room's four clients, typing once a second each. Clients get indices whose remainder by
 * four is their seat in the room, which is how receipts are told apart (BenchClient).
 */
class SoakRoom {
  clients: BenchClient[] = [];
  private timers: NodeJS.Timeout[] = [];
  private generation = 0;

  constructor(
    private readonly index: number,
    private readonly server: RunningServer,
    private readonly onMarker: (marker: string, receiver: number) => void,
    private readonly onSent: (marker: string) => void,
  ) {}

  get docName(): string {
    return `bench-room-${this.index}`;
  }

  async open(): Promise<void> {
    const base = (this.generation * ROOMS + this.index) * CLIENTS_PER_ROOM;
    this.generation += 1;
    this.clients = Array.from(
      { length: CLIENTS_PER_ROOM },
      (_, seat) =>
        new BenchClient(
          base + seat,
          this.docName,
          this.server.urlFor(this.docName),
          this.server.dialect,
          this.onMarker,
        ),
    );
    await Promise.all(this.clients.map((client) => client.synced));
  }

  startTyping(): void {
    for (const client of this.clients) {
      const send = () => this.onSent(client.edit());
      this.timers.push(
        setTimeout(() => {
          send();
          this.timers.push(setInterval(send, 1000));
        }, Math.random() * 1000),
      );
    }
  }

  stopTyping(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  close(): void {
    this.stopTyping();
    for (const client of this.clients) client.close();
    this.clients = [];
  }

  get disconnected(): boolean {
    return this.clients.some((client) => client.closedEarly);
  }
}

async function storageFigures(databaseUrl: string | undefined): Promise<string> {
  if (!databaseUrl) return "in memory";
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ remaining: string; appended: string; snapshots: string }>(
      `select (select count(*) from room_updates) as remaining,
              (select coalesce(max(id), 0) from room_updates) as appended,
              (select count(*) from room_snapshots) as snapshots`,
    );
    const { remaining, appended, snapshots } = rows[0];
    return `${Number(remaining).toLocaleString("en-US")} log rows left of ${Number(appended).toLocaleString("en-US")} appended; ${snapshots} snapshots`;
  } finally {
    await client.end();
  }
}

async function soak(start: () => Promise<RunningServer>): Promise<SoakResult> {
  const server = await start();
  const rooms: SoakRoom[] = [];
  try {
    const idleRss = residentBytes(server.pid);
    // A marker is forgotten once every other client of its room has it: kept for the whole run,
    // a million of them would grow the load generator's heap, and its garbage collection pauses
    // count as the latency of whichever server is measured.
    const sentAt = new Map<string, number>();
    const receivedBy = new Map<string, number>();
    const allReceivers = (1 << CLIENTS_PER_ROOM) - 1;
    const startedAt = { value: Number.POSITIVE_INFINITY };
    const minuteOf = (at: number) => Math.floor((at - startedAt.value) / 60_000);
    const latencies: number[][] = Array.from({ length: MINUTES }, () => []);
    const sentPerMinute = new Array<number>(MINUTES).fill(0);

    const onMarker = (marker: string, receiver: number) => {
      const sent = sentAt.get(marker);
      if (sent === undefined) return;
      const bit = 1 << (receiver % CLIENTS_PER_ROOM);
      const seen = receivedBy.get(marker) ?? 0;
      if ((seen & bit) !== 0) return;
      const sender = 1 << (Number(marker.slice(0, marker.indexOf("."))) % CLIENTS_PER_ROOM);
      if (((seen | bit | sender) & allReceivers) === allReceivers) {
        sentAt.delete(marker);
        receivedBy.delete(marker);
      } else {
        receivedBy.set(marker, seen | bit);
      }
      const minute = minuteOf(sent);
      if (minute >= 0 && minute < MINUTES) latencies[minute].push(performance.now() - sent);
    };
    const onSent = (marker: string) => {
      const now = performance.now();
      const minute = minuteOf(now);
      if (minute < 0 || minute >= MINUTES) return;
      sentAt.set(marker, now);
      sentPerMinute[minute] += 1;
    };

    for (let first = 0; first < ROOMS; first += CONNECT_CONCURRENCY) {
      const batch = Array.from(
        { length: Math.min(CONNECT_CONCURRENCY, ROOMS - first) },
        (_, offset) => new SoakRoom(first + offset, server, onMarker, onSent),
      );
      await Promise.all(batch.map((room) => room.open()));
      rooms.push(...batch);
    }
    for (const room of rooms) room.startTyping();
    await delay(WARM_UP_SECONDS * 1000);

    startedAt.value = performance.now();
    const rssByMinute: number[] = [];
    let roomsReloaded = 0;
    let nextChurnRoom = 0;
    const churns: Array<Promise<void>> = [];
    const endAt = startedAt.value + MINUTES * 60_000;
    let nextChurnAt = startedAt.value + CHURN_EVERY_SECONDS * 1000;
    let nextMinuteAt = startedAt.value + 60_000;
    while (performance.now() < endAt) {
      await delay(250);
      const now = performance.now();
      if (now >= nextMinuteAt) {
        rssByMinute.push(residentBytes(server.pid));
        nextMinuteAt += 60_000;
      }
      if (now >= nextChurnAt && now < endAt - 10_000) {
        nextChurnAt += CHURN_EVERY_SECONDS * 1000;
        const churned = Array.from(
          { length: CHURN_ROOMS },
          (_, offset) => rooms[(nextChurnRoom + offset) % ROOMS],
        );
        nextChurnRoom = (nextChurnRoom + CHURN_ROOMS) % ROOMS;
        churns.push(
          (async () => {
            for (const room of churned) room.stopTyping();
            await delay(QUIESCE_MS);
            for (const room of churned) room.close();
            await delay(EMPTY_MS);
            await Promise.all(churned.map((room) => room.open()));
            for (const room of churned) room.startTyping();
            roomsReloaded += churned.length;
          })(),
        );
      }
    }
    while (rssByMinute.length < MINUTES) rssByMinute.push(residentBytes(server.pid));
    await Promise.all(churns);
    await delay(3_000);
    if (rooms.some((room) => room.disconnected)) {
      throw new Error(`${server.name}: clients were disconnected during the soak`);
    }

    const minutes = latencies.map((values, minute): MinuteFigures => {
      values.sort((a, b) => a - b);
      return {
        p50: percentile(values, 0.5),
        p99: percentile(values, 0.99),
        max: values.length > 0 ? values[values.length - 1] : Number.NaN,
        deliveries: values.length,
        expected: sentPerMinute[minute] * (CLIENTS_PER_ROOM - 1),
        rssBytes: rssByMinute[minute],
      };
    });
    for (const room of rooms) room.close();
    return {
      name: server.name,
      minutes,
      idleRss,
      roomsReloaded,
      storage: await storageFigures(server.databaseUrl),
    };
  } finally {
    for (const room of rooms) room.close();
    await server.stop();
  }
}

/**
 * `npm run bench soak`: ROOMS rooms × 4 clients × 1 update/s for MINUTES minutes, first against
 * the y-websocket reference server (in memory), then against Quorum on PostgreSQL, as `npm start`
 * runs it. Every 15 s a few rooms empty, unload, and come back from the database; logs pass the
 * compaction threshold after about two minutes, so compaction runs throughout. Reported per
 * minute: relay latency p50, p99 and maximum (a stall of the server shows as the maximum), the
 * deliveries of that minute's updates, and resident memory, whose growth over the idle server
 * divided by the loaded rooms is the memory per room.
 */
export async function benchmarkSoak(): Promise<BenchmarkTable> {
  const reference = await soak(startYWebsocket);
  process.stderr.write(`soak: reference done (${reference.name})\n`);
  const quorum = await soak(() => startQuorum(false));
  process.stderr.write(`soak: Quorum done\n`);

  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "—");
  const perRoomKb = (result: SoakResult, minute: MinuteFigures) =>
    (minute.rssBytes - result.idleRss) / ROOMS / 1024;
  const rows = quorum.minutes.map((minute, index) => {
    const baseline = reference.minutes[index];
    const ratio = minute.p99 / baseline.p99;
    const memoryRatio = perRoomKb(quorum, minute) / perRoomKb(reference, baseline);
    const verdicts = [
      ratio <= P99_FACTOR ? null : `p99 ${ratio.toFixed(2)}×`,
      minute.max <= STALL_MS ? null : `max ${ms(minute.max)} ms`,
      memoryRatio <= MEMORY_FACTOR ? null : `memory ${memoryRatio.toFixed(2)}×`,
    ].filter((verdict) => verdict !== null);
    return [
      String(index + 1),
      `${ms(minute.p50)} / ${ms(minute.p99)} / ${ms(minute.max)}`,
      `${ms(baseline.p50)} / ${ms(baseline.p99)} / ${ms(baseline.max)}`,
      `${ratio.toFixed(2)}×`,
      `${((minute.deliveries / minute.expected) * 100).toFixed(2)} %`,
      `${perRoomKb(quorum, minute).toFixed(0)} KB / ${perRoomKb(reference, baseline).toFixed(0)} KB`,
      verdicts.length === 0 ? "ok" : verdicts.join(", "),
    ];
  });
  return {
    title: `Soak: ${ROOMS} rooms × ${CLIENTS_PER_ROOM} clients × 1 update/s for ${MINUTES} minutes, ${CHURN_ROOMS} rooms unloaded and reloaded every ${CHURN_EVERY_SECONDS} s (Quorum: ${quorum.roomsReloaded} reloads; ${quorum.storage})`,
    columns: [
      "minute",
      "Quorum p50 / p99 / max ms",
      "y-websocket p50 / p99 / max ms",
      "p99 ratio",
      "Quorum deliveries",
      "memory per room, Quorum / y-websocket",
      `goal: p99 ≤ ${P99_FACTOR}×, max ≤ ${STALL_MS} ms, memory ≤ ${MEMORY_FACTOR}×`,
    ],
    rows,
  };
}
