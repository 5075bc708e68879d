// Worker threads do not inherit the main thread's module hooks on Node 20, so `node --import
// tsx` does not reach them, and Vitest's transform never does: a worker registers tsx itself
// before it loads its TypeScript entry (the `entry` file URL in workerData).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
