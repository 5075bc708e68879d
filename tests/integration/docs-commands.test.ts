import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.ts";
import { startQuorum, type QuorumServer } from "../../server/index.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createTestDatabase, type TestDatabase } from "../setup/database.ts";

/**
 * The documentation's commands are tests: every `sh` block of the README and docs/*.md runs here,
 * as written, against a real Quorum with the demo workspace; what cannot run here is listed below
 * with the file that runs it; every command written inline must be one or the other.
 */

const projectRoot = path.resolve(import.meta.dirname, "../..");
const onPostgres = Boolean(process.env.DATABASE_URL);
/** The address the documents use; the blocks run with the test server's instead. */
const documentedUrl = "http://localhost:3000";

/**
 * Commands the documents show that cannot run against the server this test starts (they start a
 * server, install, or run the whole suite), each with the file that runs it and the text there
 * that shows it does. A document line equal to `command`, or an inline command of the same
 * words, counts as exercised when `file` contains `evidence`.
 */
const runElsewhere = [
  { command: "npm install", file: ".ci/run", evidence: "npm ci --no-audit --no-fund" },
  { command: "npm ci", file: ".ci/run", evidence: "npm ci --no-audit --no-fund" },
  { command: "npm test", file: ".ci/run", evidence: 'env "$@" npm test' },
  { command: "npm run lint", file: ".ci/run", evidence: "npm run lint" },
  { command: "npm run typecheck", file: ".ci/run", evidence: "npm run typecheck" },
  {
    command: "npm start",
    file: "tests/integration/npm-start.test.ts",
    evidence: 'spawn("npm", ["start"]',
  },
  // `npm run dev` is `tsx server/index.ts --dev`.
  { command: "npm run dev", file: "tests/integration/process.test.ts", evidence: '["--dev"]' },
  // `npm run build` is `remix vite:build`, which every test run's global setup runs.
  { command: "npm run build", file: "tests/setup/global.ts", evidence: "ensureBuild(" },
  // `npm run openapi` is `tsx client/generate.ts`.
  {
    command: "npm run openapi",
    file: "tests/integration/openapi.test.ts",
    evidence: 'from "../../client/generate.ts"',
  },
  {
    command: "quorum migrate",
    file: "tests/integration/cli.test.ts",
    evidence: 'quorum(["migrate"])',
  },
  {
    command: "quorum seed-demo",
    file: "tests/integration/cli.test.ts",
    evidence: 'quorum(["seed-demo"])',
  },
] as const;

/**
 * Commands shown but run by no test: benchmarks take minutes of a quiet machine each, and their
 * figures are recorded in bench/RESULTS.md by hand.
 */
const notRunByCi = ["npm run bench", "tsx bench/label-truth.ts"] as const;

/** Program names that make an inline code span a command. */
const commandWords =
  /^(?:npx|npm|quorum|node|tsx|curl|psql|pg_dump|pg_restore|git|cp|docker)(?:\s|$)/;
/** Programs whose arguments are words of a subcommand (`quorum user create …`). */
const subcommandPrograms = new Set(["npm", "quorum", "node", "tsx", "git"]);

interface ShellBlock {
  document: string;
  /** `postgres`, `embedded`, `stopped` or "" (any database, server running). */
  when: string;
  text: string;
}

interface DocumentText {
  name: string;
  text: string;
}

function readDocuments(): DocumentText[] {
  const docs = readdirSync(path.join(projectRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs].map((name) => ({
    name,
    text: readFileSync(path.join(projectRoot, name), "utf8"),
  }));
}

const fencePattern = /^```([^\n]*)\n([\s\S]*?)^```$/gm;

function shellBlocks(document: DocumentText): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  for (const [, info, text] of document.text.matchAll(fencePattern)) {
    const [language = "", when = ""] = info!.trim().split(/\s+/);
    if (["sh", "bash", "shell"].includes(language)) {
      blocks.push({ document: document.name, when, text: text! });
    } else if (language === "" && /^\s*(?:\$ |npx |npm |quorum |curl )/m.test(text!)) {
      throw new Error(
        `${document.name}: a fenced block without a language holds commands; mark it sh`,
      );
    }
  }
  return blocks;
}

/** The words that name a command: `npx quorum import FILE --project ID` → `quorum import`. */
function commandKey(command: string): string {
  const words = command.replace(/^npx\s+/, "").split(/\s+/);
  if (!subcommandPrograms.has(words[0]!)) return words.join(" ");
  const key: string[] = [];
  for (const word of words) {
    if (/^[-[<$"'…]/.test(word) || /…/.test(word) || /^[A-Z][A-Z_]*$/.test(word)) break;
    key.push(word);
  }
  return key.join(" ");
}

function elsewhereFor(command: string) {
  return runElsewhere.find(
    (entry) => entry.command === command || commandKey(entry.command) === commandKey(command),
  );
}

/** The script a block runs: its lines, less those run elsewhere. */
function runnableText(block: ShellBlock): string {
  const joined = block.text.replace(/\\\n\s*/g, "");
  return joined
    .split("\n")
    .filter((line) => !elsewhereFor(line.trim()))
    .join("\n");
}

function inlineCommands(document: DocumentText): string[] {
  const prose = document.text.replace(fencePattern, "");
  return [...prose.matchAll(/`([^`]+)`/g)]
    .map((match) => match[1]!.replace(/\s+/g, " ").replace(/\\\|/g, "|").trim())
    .filter((span) => commandWords.test(span));
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const prose = markdown.replace(fencePattern, "");
  for (const [, heading] of prose.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = slug(heading!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface BashRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBash(script: string, cwd: string, environment: NodeJS.ProcessEnv): Promise<BashRun> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", `set -euo pipefail\n${script}`], { cwd, env: environment });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const documents = readDocuments();
const blocks = documents.flatMap(shellBlocks);

describe("the documentation", () => {
  it("shows no command that nothing runs", () => {
    const runText = blocks
      .map(runnableText)
      .join("\n")
      .replace(/\bnpx\s+/g, "");
    const unexercised: string[] = [];
    for (const block of blocks) {
      expect(
        ["", "postgres", "embedded", "stopped"],
        `${block.document}: sh ${block.when}`,
      ).toContain(block.when);
    }
    for (const document of documents) {
      for (const command of inlineCommands(document)) {
        const key = commandKey(command);
        const run = new RegExp(
          `(?:^|[\\s;&|($])${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=$|[\\s;&|)])`,
          "m",
        );
        if (run.test(runText) || elsewhereFor(command)) continue;
        if (notRunByCi.some((shown) => key === shown || key.startsWith(`${shown} `))) continue;
        unexercised.push(`${document.name}: \`${command}\``);
      }
    }
    expect(unexercised).toEqual([]);
  });

  it("names, for each command run elsewhere, a file that runs it", () => {
    for (const entry of runElsewhere) {
      const text = readFileSync(path.join(projectRoot, entry.file), "utf8");
      expect(text, `${entry.command}: ${entry.file}`).toContain(entry.evidence);
    }
  });

  it("links only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const document of documents) {
      const prose = document.text.replace(fencePattern, "");
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file = "", anchor] = target!.split("#");
        const resolved = file
          ? path.resolve(projectRoot, path.dirname(document.name), file)
          : path.join(projectRoot, document.name);
        if (!existsSync(resolved)) {
          broken.push(`${document.name}: ${target}`);
        } else if (anchor !== undefined && resolved.endsWith(".md")) {
          if (!anchorsOf(readFileSync(resolved, "utf8")).has(anchor)) {
            broken.push(`${document.name}: ${target}`);
          }
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("the documentation's commands", { timeout: 600_000 }, () => {
  let scratch: string;
  let checkout: string;
  let database: TestDatabase;
  let server: QuorumServer | undefined;
  let token: string;

  function start(): Promise<QuorumServer> {
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_SEED: "demo",
      QUORUM_DATA_DIR: path.join(checkout, ".quorum"),
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    });
    return startQuorum({ config, log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }) });
  }

  /** Runs a document's blocks as one script, from the scratch checkout, as a reader would. */
  async function runBlocks(selected: ShellBlock[]): Promise<void> {
    const script = selected
      .map(
        (block, index) =>
          `echo ${JSON.stringify(`--- block ${index + 1}`)} >&2\n${runnableText(block)}`,
      )
      .join("\n")
      .replaceAll(documentedUrl, server?.url ?? documentedUrl);
    // The commands find the database as a reader's would: `.quorum` where they stand, or the
    // DATABASE_URL of the PostgreSQL phase.
    const { QUORUM_DATA_DIR: _dataDir, ...environment } = process.env;
    const run = await runBash(script, checkout, {
      ...environment,
      DATABASE_URL: database.databaseUrl ?? "",
      TOKEN: token,
    });
    expect(run.code, `${selected[0]!.document}\n${run.stderr}\n${run.stdout}`).toBe(0);
  }

  beforeAll(async () => {
    // A checkout of its own: the blocks write files (downloads, dumps) and `.quorum` where they
    // stand, and read `../shared/data` as a checkout beside the shared data does.
    scratch = mkdtempSync(path.join(tmpdir(), "quorum-docs-"));
    checkout = path.join(scratch, "checkout");
    mkdirSync(checkout);
    for (const entry of readdirSync(projectRoot)) {
      if ([".quorum", ".git", ".cache"].includes(entry)) continue;
      symlinkSync(path.join(projectRoot, entry), path.join(checkout, entry));
    }
    const shared = path.resolve(projectRoot, "../shared");
    if (existsSync(shared)) symlinkSync(shared, path.join(scratch, "shared"));
    database = await createTestDatabase();
    server = await start();
    const lead = await server.context.db
      .selectFrom("users")
      .where("email", "=", "lead@demo.quorum")
      .select("id")
      .executeTakeFirstOrThrow();
    ({ token } = await createApiToken(server.context.db, lead.id, "docs"));
  });

  afterAll(async () => {
    await server?.close();
    if (database?.databaseUrl) await dropRestoredDatabase(database.databaseUrl);
    await database?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const here = onPostgres ? "postgres" : "embedded";
  for (const document of documents) {
    const selected = blocks.filter(
      (block) => block.document === document.name && (block.when === "" || block.when === here),
    );
    if (selected.length === 0) continue;
    it(`run as written: ${document.name}`, async () => {
      if (onPostgres) await dropRestoredDatabase(database.databaseUrl!);
      await runBlocks(selected);
    });
  }

  const stopped = blocks.filter((block) => block.when === "stopped");
  it.runIf(!onPostgres && stopped.length > 0)(
    "run with the server stopped, and leave a database it starts on",
    async () => {
      await server!.close();
      server = undefined;
      for (const document of documents) {
        const selected = stopped.filter((block) => block.document === document.name);
        if (selected.length > 0) await runBlocks(selected);
      }
      server = await start();
      const me = await fetch(`${server.url}/api/v1/me`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ user: { email: "lead@demo.quorum" } });
    },
  );
});

/** operations.md restores a dump into `quorum_restored` beside the database it was taken from. */
async function dropRestoredDatabase(databaseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query("drop database if exists quorum_restored with (force)");
  } finally {
    await admin.end();
  }
}
