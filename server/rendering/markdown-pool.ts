import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { PreparedContent } from "../../app/components/markdown/content-formats.ts";
import { assessSource, MARKDOWN_LIMITS } from "../../app/components/markdown/limits.ts";
import type { Logger } from "../logger.ts";
import { workerStart } from "../worker-entry.ts";

/** A message to a markdown worker: format this field. */
export interface WorkerRequest {
  id: number;
  source: string;
}

/** A markdown worker's messages: it is ready, or it formatted a field. */
export type WorkerReply =
  { type: "ready" } | { type: "done"; id: number; content: PreparedContent };

export interface MarkdownRendererOptions {
  log: Logger;
  /** Worker threads: by default one per CPU, at most 2. */
  workers?: number;
  /** Wall-clock time a worker may spend on one field before it is stopped and replaced. */
  timeBudgetMs?: number;
  /** How long prepare() waits before it gives up on fields that are still being formatted. */
  pageWaitMs?: number;
  /** Characters of HTML the cache holds (each entry counts its HTML plus a little). */
  cacheCharacters?: number;
  /** Fields waiting for a worker beyond which new ones are plain text on their page at once. */
  maxQueued?: number;
}

export interface MarkdownRendererStats {
  /** Fields a worker formatted (or found over a limit after parsing) within the budget. */
  formatted: number;
  /** Fields whose worker was stopped for passing the time budget. */
  timedOut: number;
  /** Fields during which a worker failed (out of memory, say). */
  crashed: number;
  /** Fields answered from the cache. */
  cacheHits: number;
  /** Workers started, replacements included. */
  workersStarted: number;
  /** Workers ready to take work now. */
  readyWorkers: number;
}

/** Formats item content off the event loop: worker threads, a time budget and a cache. */
export interface MarkdownRenderer {
  /** One field's HTML, or why it is plain text. Never rejects. */
  format(source: string): Promise<PreparedContent>;
  /**
   * Several fields for one page, each by its text, waiting at most `waitMs`: what is not
   * formatted by then is "not-ready" on this page, and is cached for the next once done.
   */
  prepare(sources: Iterable<string>, waitMs?: number): Promise<Map<string, PreparedContent>>;
  /** Resolves true once a worker can take work, false if none can within `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  stats(): MarkdownRendererStats;
  close(): Promise<void>;
}

interface Job {
  id: number;
  key: string;
  source: string;
  resolve: (content: PreparedContent) => void;
}

interface Slot {
  worker: Worker;
  /** It has loaded the renderer and said so. */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** Stopped on purpose (over budget, or closing), so its exit needs no replacement. */
  retired: boolean;
}

const notReady: PreparedContent = { format: "not-ready" };
/** A worker's heap: a field that needs more is plain text rather than a crashed server. */
const WORKER_HEAP_MB = 384;
const ENTRY_OVERHEAD_CHARACTERS = 100;

/**
 * Two where there are two CPUs, so that a field being stopped for its time budget does not hold
 * up the ordinary fields of the same page; more would only add idle threads, as formatted
 * fields are cached.
 */
export function defaultWorkerCount(): number {
  return Math.min(2, availableParallelism());
}

/** Least recently used first; bounded by the characters of HTML it holds. */
class ContentCache {
  private readonly entries = new Map<string, PreparedContent>();
  private characters = 0;

  constructor(private readonly maxCharacters: number) {}

  get(key: string): PreparedContent | undefined {
    const content = this.entries.get(key);
    if (content) {
      this.entries.delete(key);
      this.entries.set(key, content);
    }
    return content;
  }

  set(key: string, content: PreparedContent) {
    const weight = ContentCache.weight(content);
    if (weight > this.maxCharacters || this.entries.has(key)) return;
    this.entries.set(key, content);
    this.characters += weight;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.characters <= this.maxCharacters) break;
      this.entries.delete(oldestKey);
      this.characters -= ContentCache.weight(oldest);
    }
  }

  private static weight(content: PreparedContent): number {
    return ENTRY_OVERHEAD_CHARACTERS + (content.format === "markdown" ? content.html.length : 0);
  }
}

export function createMarkdownRenderer(options: MarkdownRendererOptions): MarkdownRenderer {
  const { log } = options;
  const workerCount = options.workers ?? defaultWorkerCount();
  const timeBudgetMs = options.timeBudgetMs ?? MARKDOWN_LIMITS.timeBudgetMs;
  const pageWaitMs = options.pageWaitMs ?? 400;
  const maxQueued = options.maxQueued ?? 64;
  const cache = new ContentCache(options.cacheCharacters ?? 32_000_000);
  const slots = new Set<Slot>();
  const queue: Job[] = [];
  const inFlight = new Map<string, Promise<PreparedContent>>();
  const readyWaiters = new Set<(ready: boolean) => void>();
  const stats: Omit<MarkdownRendererStats, "readyWorkers"> = {
    formatted: 0,
    timedOut: 0,
    crashed: 0,
    cacheHits: 0,
    workersStarted: 0,
  };
  let nextJobId = 1;
  let failedStarts = 0;
  let closed = false;

  function settle(job: Job, content: PreparedContent, remember: boolean) {
    inFlight.delete(job.key);
    if (remember) cache.set(job.key, content);
    job.resolve(content);
  }

  function dispatch() {
    for (const slot of slots) {
      if (!slot.ready || slot.job) continue;
      const job = queue.shift();
      if (!job) return;
      slot.job = job;
      slot.timer = setTimeout(() => stopOverBudget(slot, job), timeBudgetMs);
      slot.timer.unref();
      const request: WorkerRequest = { id: job.id, source: job.source };
      slot.worker.postMessage(request);
    }
  }

  /** The field is plain text from now on; the worker, stuck in it, is replaced. */
  function stopOverBudget(slot: Slot, job: Job) {
    if (slot.job !== job) return;
    stats.timedOut++;
    log.warn(
      { characters: job.source.length, budgetMs: timeBudgetMs },
      "formatting a field took longer than its budget; it is shown as plain text",
    );
    void retire(slot);
    settle(job, { format: "too-complex" }, true);
    spawn();
  }

  function retire(slot: Slot): Promise<number> {
    slot.retired = true;
    slots.delete(slot);
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    return slot.worker.terminate();
  }

  function spawn() {
    if (closed) return;
    const { url, workerData } = workerStart(
      "markdown-worker",
      import.meta.url,
      "./markdown-worker.ts",
    );
    const worker = new Worker(url, {
      workerData,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.unref();
    stats.workersStarted++;
    const slot: Slot = { worker, ready: false, job: null, timer: null, retired: false };
    slots.add(slot);
    worker.on("message", (reply: WorkerReply) => {
      if (reply.type === "ready") {
        slot.ready = true;
        failedStarts = 0;
        for (const wake of readyWaiters) wake(true);
        readyWaiters.clear();
      } else if (slot.job?.id === reply.id) {
        const job = slot.job;
        if (slot.timer) clearTimeout(slot.timer);
        slot.job = null;
        slot.timer = null;
        stats.formatted++;
        settle(job, reply.content, true);
      }
      dispatch();
    });
    worker.on("error", (error) => {
      // Out of service at once; its exit, which follows, replaces it.
      slots.delete(slot);
      const job = slot.job;
      slot.job = null;
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.retired) return;
      if (job) {
        stats.crashed++;
        log.warn(
          { err: error, characters: job.source.length },
          "a markdown worker failed on a field; it is shown as plain text",
        );
        settle(job, { format: "too-complex" }, true);
      } else {
        log.error({ err: error }, "a markdown worker failed");
      }
    });
    worker.on("exit", () => {
      slots.delete(slot);
      if (slot.job) settle(slot.job, notReady, false);
      slot.job = null;
      if (closed || slot.retired) return;
      // It died on its own: replace it, slowly if workers keep failing to start.
      if (!slot.ready) failedStarts++;
      const delayMs = failedStarts === 0 ? 0 : Math.min(30_000, 500 * 2 ** (failedStarts - 1));
      if (failedStarts > 0) log.error({ attempt: failedStarts }, "a markdown worker did not start");
      setTimeout(spawn, delayMs).unref();
    });
  }

  function format(source: string): Promise<PreparedContent> {
    const limit = assessSource(source);
    if (limit) return Promise.resolve({ format: limit });
    if (closed) return Promise.resolve(notReady);
    const key = createHash("sha256").update(source).digest("base64url");
    const cached = cache.get(key);
    if (cached) {
      stats.cacheHits++;
      return Promise.resolve(cached);
    }
    const running = inFlight.get(key);
    if (running) return running;
    if (queue.length >= maxQueued) return Promise.resolve(notReady);
    const promise = new Promise<PreparedContent>((resolve) => {
      queue.push({ id: nextJobId++, key, source, resolve });
    });
    inFlight.set(key, promise);
    dispatch();
    return promise;
  }

  async function prepare(sources: Iterable<string>, waitMs = pageWaitMs) {
    const unique = [...new Set(sources)];
    const settled = new Map<string, PreparedContent>();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    const all = Promise.all(
      unique.map(async (source) => settled.set(source, await format(source))),
    );
    await Promise.race([all, deadline]);
    clearTimeout(timer);
    return new Map(unique.map((source) => [source, settled.get(source) ?? notReady]));
  }

  function ready(timeoutMs: number): Promise<boolean> {
    if ([...slots].some((slot) => slot.ready)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (isReady: boolean) => {
        clearTimeout(timer);
        resolve(isReady);
      };
      const timer = setTimeout(() => {
        readyWaiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      readyWaiters.add(wake);
    });
  }

  async function close() {
    closed = true;
    for (const job of queue.splice(0)) settle(job, notReady, false);
    const stopping = [...slots].map((slot) => {
      if (slot.job) settle(slot.job, notReady, false);
      return retire(slot);
    });
    for (const wake of readyWaiters) wake(false);
    readyWaiters.clear();
    await Promise.all(stopping);
  }

  for (let index = 0; index < workerCount; index++) spawn();
  return {
    format,
    prepare,
    ready,
    stats: () => ({
      ...stats,
      readyWorkers: [...slots].filter((slot) => slot.ready && !slot.retired).length,
    }),
    close,
  };
}
