import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "quorum-config-"));

function problemsOf(environment: Record<string, string>): string[] {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("gives a fresh checkout working defaults", () => {
    const directory = dataDir();
    const config = loadConfig({ QUORUM_DATA_DIR: directory });
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir: directory,
      seed: "demo",
      syncMaxPayloadBytes: 2 * 1024 * 1024,
    });
    expect(config.sessionSecret).toBe(readFileSync(path.join(directory, "session-secret"), "utf8"));
    expect(loadConfig({ QUORUM_DATA_DIR: directory }).sessionSecret).toBe(config.sessionSecret);
  });

  it("treats empty variables as unset", () => {
    expect(
      loadConfig({ QUORUM_DATA_DIR: dataDir(), DATABASE_URL: "" }).databaseUrl,
    ).toBeUndefined();
  });

  it("seeds the demo only on the embedded database unless QUORUM_SEED says otherwise", () => {
    const seedOf = (environment: Record<string, string>) =>
      loadConfig({ QUORUM_DATA_DIR: dataDir(), ...environment }).seed;
    const databaseUrl = "postgres://quorum@db.internal:5432/quorum";
    expect(seedOf({})).toBe("demo");
    expect(seedOf({ QUORUM_SEED: "none" })).toBe("none");
    expect(seedOf({ DATABASE_URL: databaseUrl })).toBe("none");
    expect(seedOf({ DATABASE_URL: databaseUrl, QUORUM_SEED: "" })).toBe("none");
    expect(seedOf({ DATABASE_URL: databaseUrl, QUORUM_SEED: "demo" })).toBe("demo");
  });

  it("takes a Redis namespace of plain characters, derived from the database when unset", () => {
    expect(loadConfig({ QUORUM_DATA_DIR: dataDir() }).redisNamespace).toBeUndefined();
    expect(
      loadConfig({ QUORUM_DATA_DIR: dataDir(), REDIS_NAMESPACE: "staging-eu.2" }).redisNamespace,
    ).toBe("staging-eu.2");
    for (const wrong of ["a b", "room:*", "x".repeat(65)]) {
      expect(problemsOf({ REDIS_NAMESPACE: wrong })[0]).toMatch(/^REDIS_NAMESPACE:/);
    }
  });

  it("holds unsent sync data up to the document cap and four frames, or as set, never less than a document", () => {
    expect(loadConfig({ QUORUM_DATA_DIR: dataDir() }).syncMaxSendBufferBytes).toBe(
      18 * 1024 * 1024,
    );
    const set = loadConfig({
      QUORUM_DATA_DIR: dataDir(),
      SYNC_MAX_DOCUMENT_BYTES: "1000",
      SYNC_MAX_SEND_BUFFER_BYTES: "5000",
    });
    expect(set.syncMaxSendBufferBytes).toBe(5000);
    expect(
      problemsOf({
        QUORUM_DATA_DIR: dataDir(),
        SYNC_MAX_DOCUMENT_BYTES: "5000",
        SYNC_MAX_SEND_BUFFER_BYTES: "1000",
      }),
    ).toEqual([expect.stringMatching(/^SYNC_MAX_SEND_BUFFER_BYTES: must be at least/)]);
  });

  it("names every wrong setting", () => {
    const problems = problemsOf({
      PORT: "eighty",
      DATABASE_URL: "mysql://localhost/quorum",
      REDIS_URL: "localhost:6379",
      QUORUM_SEED: "everything",
      SESSION_SECRET: "short",
    });
    for (const name of ["PORT", "DATABASE_URL", "REDIS_URL", "QUORUM_SEED", "SESSION_SECRET"]) {
      expect(problems.some((problem) => problem.startsWith(`${name}:`))).toBe(true);
    }
  });

  it("accepts an operator's full configuration", () => {
    const config = loadConfig({
      PORT: "8080",
      DATABASE_URL: "postgres://quorum@db.internal:5432/quorum",
      REDIS_URL: "redis://cache.internal:6379",
      QUORUM_SEED: "none",
      SESSION_SECRET: "s".repeat(40),
      SECURE_COOKIES: "1",
      SYNC_MAX_PAYLOAD_BYTES: "1048576",
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: "postgres://quorum@db.internal:5432/quorum",
      redisUrl: "redis://cache.internal:6379",
      seed: "none",
      sessionSecret: "s".repeat(40),
      secureCookies: true,
      syncMaxPayloadBytes: 1048576,
    });
  });

  it("spaces event streams' quality snapshots QUALITY_EVENT_SECONDS apart, 10 by default", () => {
    expect(loadConfig({ QUORUM_DATA_DIR: dataDir() }).qualityEventMs).toBe(10_000);
    expect(
      loadConfig({ QUORUM_DATA_DIR: dataDir(), QUALITY_EVENT_SECONDS: "0.5" }).qualityEventMs,
    ).toBe(500);
    expect(problemsOf({ QUALITY_EVENT_SECONDS: "0" })[0]).toMatch(/^QUALITY_EVENT_SECONDS:/);
  });
});
