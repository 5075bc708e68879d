import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";

const projectRoot = path.resolve(import.meta.dirname, "../..");

export interface QuorumProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<void>;
}

/**
 * The command `npm start` runs: the compiled server (built by the tests' global setup), as users
 * run it, and without compiling TypeScript on every start.
 */
export const quorumServerCommand = [process.execPath, "bin/start.js"] as const;

/** Starts Quorum as its own process and resolves once it is listening. */
export function startQuorumProcess(environment: Record<string, string>): Promise<QuorumProcess> {
  const [node, ...args] = quorumServerCommand;
  const child = spawn(node, args, {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: "info", ...environment },
  });
  let stderr = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "Quorum is listening") resolve({ child, url: String(entry.url), exited });
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then(() => reject(new Error(`Quorum exited before listening: ${stderr}`)));
  });
}

/** Kills the process with SIGKILL, as a crash would, and waits until it is gone. */
export async function killQuorumProcess(quorum: QuorumProcess): Promise<void> {
  quorum.child.kill("SIGKILL");
  await quorum.exited;
}
