import { readFileSync } from "node:fs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { isMainThread } from "node:worker_threads";

export interface EventLoopWatch {
  /**
   * The longest stretch, in milliseconds, that the loop spent running callbacks without getting
   * back to its timers: what a blocking computation costs every other request. Counted in the
   * thread's CPU time where Linux tells it (/proc/…/schedstat), so that time the operating
   * system gave other processes on a busy machine is not taken for blocking; elsewhere in the
   * loop's own busy time.
   */
  longestBlockMs(): number;
  /** The longest a timer waited past its due time, in milliseconds, whatever the cause. */
  longestDelayMs(): number;
  /** Starts a new measurement. */
  reset(): void;
  stop(): void;
}

const SAMPLE_EVERY_MS = 5;
const schedstat = `/proc/self/task/${process.pid}/schedstat`;

/** Milliseconds this thread has run on a CPU, or null where that cannot be read. */
function threadCpuMs(): number | null {
  if (!isMainThread) return null;
  try {
    return Number(readFileSync(schedstat, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

function busyMsClock(): () => number {
  if (threadCpuMs() !== null) return () => threadCpuMs() ?? 0;
  return () => performance.eventLoopUtilization().active;
}

/**
 * Watches this thread's event loop. A test server started in-process (startTestServer) runs on
 * the test's loop, so this is the server's: every page render, loader and /healthz answer.
 */
export function watchEventLoop(): EventLoopWatch {
  const busyMs = busyMsClock();
  const delays = monitorEventLoopDelay({ resolution: SAMPLE_EVERY_MS });
  delays.enable();
  let previous = busyMs();
  let longest = 0;
  const sampler = setInterval(() => {
    const now = busyMs();
    longest = Math.max(longest, now - previous);
    previous = now;
  }, SAMPLE_EVERY_MS);
  return {
    // The stretch still running when asked counts too.
    longestBlockMs: () => Math.max(longest, busyMs() - previous),
    longestDelayMs: () => Math.max(0, delays.max / 1e6 - SAMPLE_EVERY_MS),
    reset: () => {
      delays.reset();
      previous = busyMs();
      longest = 0;
    },
    stop: () => {
      clearInterval(sampler);
      delays.disable();
    },
  };
}
