import { Worker } from "node:worker_threads";
import * as Y from "yjs";
import { workerStart } from "../worker-entry.ts";

export interface MergeRequest {
  id: number;
  updates: Uint8Array[];
}

export type MergeReply = { id: number; state: Uint8Array } | { id: number; error: string };

/** Merges a document's updates into one, for a room's snapshot. */
export type MergeDocument = (updates: Uint8Array[]) => Promise<Uint8Array>;

/**
 * The merge goes through a Y.Doc rather than Y.mergeUpdates so that deleted content is
 * garbage-collected.
 */
export function mergeThroughDocument(updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

export const mergeOnThisThread: MergeDocument = (updates) =>
  Promise.resolve(mergeThroughDocument(updates));

interface Pending {
  resolve(state: Uint8Array): void;
  reject(error: Error): void;
}

/**
 * One worker thread that merges documents, started by `warm` or on first use, and again after it
 * fails. It does not keep the process alive; `close` stops it and fails what is still waiting.
 */
export class MergeThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  readonly merge: MergeDocument = (updates) => {
    if (this.closed) return Promise.reject(new Error("The merge thread is closed"));
    const worker = this.worker ?? this.start();
    const id = ++this.nextId;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: MergeRequest = { id, updates };
      worker.postMessage(request);
    });
  };

  /** Starts the thread now, so that the first compaction does not wait for it to load. */
  warm(): void {
    if (!this.closed && this.worker === null) this.start();
  }

  private start(): Worker {
    const { url, workerData } = workerStart("merge-worker", import.meta.url, "./merge-worker.ts");
    const worker = new Worker(url, {
      workerData,
      execArgv: [],
    });
    worker.unref();
    worker.on("message", (reply: MergeReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ("state" in reply) waiting.resolve(reply.state);
      else waiting.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`The merge thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}
