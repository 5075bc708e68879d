import { defineConfig } from "vitest/config";

/**
 * Tests that hold the server to a wall-clock bound (a page within a second, /healthz within
 * 100 ms, no 50 ms block of the event loop) while it works through hostile input. They run
 * after everything else, one file at a time, so that the bound measures the server and not a
 * neighbouring test file competing for the machine's cores.
 */
const timedFiles = [
  "server/rendering/markdown-pool.test.ts",
  "tests/integration/content-rendering.test.ts",
  "tests/integration/sync-limits.test.ts",
  "tests/e2e/content-rendering.test.ts",
];

export default defineConfig({
  resolve: {
    alias: { "~": new URL("./app", import.meta.url).pathname },
  },
  test: {
    exclude: ["node_modules/**", "build/**", ".quorum/**"],
    globalSetup: ["tests/setup/global.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: ["node_modules/**", "build/**", ".quorum/**", ...timedFiles],
          maxWorkers: 2,
          // Each worker imports the server once for all its files rather than once per file
          // (docs/decisions/039-test-files-share-their-workers.md).
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "timed",
          include: timedFiles,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
