import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CommandFailedError, isBuildCurrent, runLogged } from "./build.ts";

const directory = mkdtempSync(path.join(tmpdir(), "quorum-build-log-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const node = (script: string, logFile: string) =>
  runLogged(process.execPath, ["-e", script], { cwd: directory, env: process.env, logFile });

describe("a build's output", () => {
  test("goes to its log file, not to the terminal, when it succeeds", () => {
    const logFile = path.join(directory, "ok.log");
    node(
      "for (let i = 0; i < 200; i++) console.log('chunk ' + i); console.warn('a warning')",
      logFile,
    );
    const written = readFileSync(logFile, "utf8");
    expect(written.split("\n").filter(Boolean)).toHaveLength(201);
    expect(written).toContain("a warning");
  });

  test("is shown, its end at least, when it fails", () => {
    const logFile = path.join(directory, "failed.log");
    let thrown: unknown;
    try {
      node(
        "for (let i = 0; i < 500; i++) console.log('noise ' + i); console.error('Error: cannot resolve ./missing'); process.exit(3)",
        logFile,
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CommandFailedError);
    const message = (thrown as Error).message;
    expect(message).toContain("exit code 3");
    expect(message).toContain("Error: cannot resolve ./missing");
    expect(message).toContain(logFile);
    expect(message).not.toContain("noise 0\n");
  });
});

describe("whether the build is current", () => {
  test("is no longer so once a server or database file changes, not only the app", () => {
    const root = mkdtempSync(path.join(directory, "checkout-"));
    const files = [
      "app/root.tsx",
      "server/services/queue.ts",
      "db/schema.ts",
      "build/server/index.js",
    ];
    for (const file of files) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), "");
    }
    const past = new Date(Date.now() - 60_000);
    for (const file of files.slice(0, 3)) utimesSync(path.join(root, file), past, past);
    for (const directoryName of ["app", "server", "server/services", "db"]) {
      utimesSync(path.join(root, directoryName), past, past);
    }
    expect(isBuildCurrent(root)).toBe(true);
    for (const changed of ["server/services/queue.ts", "db/schema.ts", "app/root.tsx"]) {
      const future = new Date(Date.now() + 60_000);
      utimesSync(path.join(root, changed), future, future);
      expect(isBuildCurrent(root), changed).toBe(false);
      utimesSync(path.join(root, changed), past, past);
    }
    expect(isBuildCurrent(root)).toBe(true);
  });
});
