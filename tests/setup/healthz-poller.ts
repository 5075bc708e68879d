import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/**
 * Asks a server's /healthz every `everyMs` from a process of its own, as a load balancer would.
 * From the test's own process it could not: with the server in that process, a blocked event
 * loop would also hold back the requests that ought to notice it.
 */
export interface HealthzPoller {
  /** The slowest answer since the last call (an unanswered request counts as it stands). */
  slowestMs(): Promise<number>;
  stop(): Promise<void>;
}

const pollerScript = `
const [url, everyMs] = [process.argv[1], Number(process.argv[2])];
let slowest = 0;
let pendingSince = null;
(async () => {
  for (;;) {
    pendingSince = performance.now();
    try {
      const response = await fetch(url);
      await response.text();
    } catch {}
    slowest = Math.max(slowest, performance.now() - pendingSince);
    pendingSince = null;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
})();
process.stdin.setEncoding("utf8");
process.stdin.on("data", () => {
  const pending = pendingSince === null ? 0 : performance.now() - pendingSince;
  process.stdout.write(JSON.stringify(Math.max(slowest, pending)) + "\\n");
  slowest = 0;
});
process.stdin.on("end", () => process.exit(0));
`;

export async function pollHealthz(baseUrl: string, everyMs = 20): Promise<HealthzPoller> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--input-type=module", "-e", pollerScript, `${baseUrl}/healthz`, String(everyMs)],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    async slowestMs() {
      child.stdin!.write("report\n");
      const reply = await replies.next();
      if (reply.done) throw new Error("the /healthz poller stopped");
      return Number(reply.value);
    },
    async stop() {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
