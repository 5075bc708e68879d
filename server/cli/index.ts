import {
  createReadStream,
  createWriteStream,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { openDatabase, type DatabaseHandle } from "../../db/client.ts";
import { DataDirInUseError } from "../../db/data-dir-lock.ts";
import { migrateToLatest, MigrationError } from "../../db/migrate.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { AppError, notFound } from "../errors.ts";
import { requireProjectPermission } from "../permissions.ts";
import {
  formatOfFileName,
  importFormats,
  importItems,
  readImport,
  type ImportFormat,
} from "../services/import/index.ts";
import { parseUserMap } from "../services/import/formats.ts";
import { loadProjectModel } from "../services/project-model.ts";
import { prepareExport, type PreparedExport } from "../services/export.ts";
import {
  exportFormats,
  promptStyles,
  type ExportFormat,
  type PromptStyle,
} from "../../app/domain/export.ts";
import { createApiToken } from "../services/auth.ts";
import { runDataSteps } from "../services/data-steps.ts";
import { seedDemoWorkspace } from "../services/seed.ts";
import { createUser, findUserByEmail, MIN_PASSWORD_CHARACTERS } from "../services/users.ts";
import { ProgressLine } from "./progress.ts";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Resolves once stdout can take more, so that long output waits for a slow reader; rejects
   * with StdoutClosedError once the reader has gone (`quorum export … | head`).
   */
  stdoutDrained?: () => Promise<void>;
  /** What `-` reads in place of a file. */
  stdin?: () => NodeJS.ReadableStream;
  /** Whether stderr is a terminal, where progress is redrawn in place. */
  stderrIsTerminal?: boolean;
}

/** The reader of stdout closed it: the output is no longer wanted, which is not an error. */
export class StdoutClosedError extends Error {
  constructor() {
    super("stdout was closed by its reader");
    this.name = "StdoutClosedError";
  }
}

function processIo(): CliIo {
  let closed = false;
  let markClosed: () => void = () => {};
  const closing = new Promise<void>((resolve) => (markClosed = resolve));
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed = true;
    markClosed();
  });
  return {
    stdout: (text) => {
      if (!closed) process.stdout.write(text);
    },
    stderr: (text) => process.stderr.write(text),
    stdoutDrained: async () => {
      if (!closed && process.stdout.writableNeedDrain) {
        await Promise.race([once(process.stdout, "drain"), closing]);
      }
      if (closed) throw new StdoutClosedError();
    },
    stdin: () => process.stdin,
    stderrIsTerminal: process.stderr.isTTY === true,
  };
}

/**
 * Opens the database the server would use (DATABASE_URL, or PGlite under QUORUM_DATA_DIR: through
 * the running server's socket, or directly under the lock when no server runs), brings its schema
 * up to date, runs `task`, and closes the database whatever happens.
 */
async function withDatabase<T>(
  io: CliIo,
  task: (database: DatabaseHandle, migrations: string[]) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: path.join(config.dataDir, "pgdata"),
    maxConnections: 2,
    onWait: (server) =>
      io.stderr(`Waiting for the Quorum server (pid ${server.pid}) to finish starting…\n`),
  });
  try {
    const migrations = await migrateToLatest(database.db);
    await runDataSteps(database.db);
    return await task(database, migrations);
  } finally {
    await database.close();
  }
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (value.trim() === "" || !Number.isFinite(rate) || rate < 0) {
    throw new InvalidArgumentError("must be a non-negative number, e.g. 120 or 85.50");
  }
  return rate;
}

function parseDomains(value: string): string[] {
  return value
    .split(",")
    .map((domain) => domain.trim())
    .filter((domain) => domain.length > 0);
}

function parseProjectId(value: string): number {
  const id = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidArgumentError("must be a project id, a positive integer");
  }
  return id;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Reads a whole file, or stdin for `-`, as UTF-8 text, showing progress through a file. A file
 * named `.gz` is decompressed, and so is gzip on stdin, told by its first two bytes.
 */
async function readImportFile(file: string, progress: ProgressLine, io: CliIo): Promise<string> {
  const fromStdin = file === "-";
  let source: NodeJS.ReadableStream;
  if (fromStdin) {
    if (!io.stdin) throw new AppError("bad_request", "There is no stdin to read from");
    source = io.stdin();
  } else {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw notFound(`No such file: ${file}`);
    }
    const stream = createReadStream(file);
    let read = 0;
    stream.on("data", (chunk) => {
      read += chunk.length;
      progress.update("Reading", read, size, " bytes");
    });
    source = stream;
  }
  const name = fromStdin ? "stdin" : file;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of source) {
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    }
  } catch (error) {
    throw new AppError(
      "bad_request",
      `Cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    progress.finish();
  }
  let bytes = Buffer.concat(chunks);
  const gzipped = fromStdin
    ? GZIP_MAGIC.every((byte, index) => bytes[index] === byte)
    : file.toLowerCase().endsWith(".gz");
  if (gzipped) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new AppError(
        "bad_request",
        `Cannot unpack ${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", `${name} is not UTF-8 text`);
  }
}

/** A `--user-map` file: Label Studio user ids (or emails) to Quorum emails. */
function readUserMap(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw notFound(`No such file: ${file}`);
  }
  return parseUserMap(text, file);
}

/** The format of text read from stdin, by its first character: a JSON array or JSON Lines. */
function formatOfText(text: string): ImportFormat | undefined {
  const first = /\S/.exec(text)?.[0];
  if (first === "[") return "json";
  if (first === "{") return "jsonl";
  return undefined;
}

/**
 * Writes an export to a file through a temporary name, renamed into place only once complete, so
 * that a failed export never leaves a file that looks whole.
 */
async function writeExportFile(file: string, prepared: PreparedExport): Promise<void> {
  const partial = `${file}.partial`;
  const output = createWriteStream(partial);
  try {
    await once(output, "open");
    for await (const chunk of prepared.chunks()) {
      if (!output.write(chunk)) await once(output, "drain");
    }
    output.end();
    await once(output, "finish");
    renameSync(partial, file);
  } catch (error) {
    output.destroy();
    rmSync(partial, { force: true });
    throw error instanceof AppError
      ? error
      : new AppError(
          "bad_request",
          `Cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`,
        );
  }
}

function buildProgram(io: CliIo): Command {
  const program = new Command("quorum")
    .description(
      "Administer a Quorum workspace. Uses DATABASE_URL when set, otherwise the embedded database under QUORUM_DATA_DIR (default .quorum).",
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command("migrate")
    .description("Bring the database schema up to date.")
    .action(() =>
      withDatabase(io, async (database, migrations) => {
        io.stdout(
          migrations.length === 0
            ? `The ${database.kind} database is up to date.\n`
            : `Applied ${migrations.length} migration(s) to the ${database.kind} database:\n${migrations.map((name) => `  ${name}\n`).join("")}`,
        );
      }),
    );

  program
    .command("seed-demo")
    .description(
      "Create the demo workspace (demo users with password quorum-demo, one project per template preset). Does nothing if the demo users exist.",
    )
    .action(() =>
      withDatabase(io, async (database) => {
        const result = await seedDemoWorkspace(database.db);
        if (result.seeded) {
          const { users, projects, items, annotations } = result.summary;
          io.stdout(
            `Created the demo workspace: ${users} users, ${projects} projects, ${items} items, ${annotations} annotations.\nSign in as lead@demo.quorum with password quorum-demo.\n`,
          );
        } else {
          io.stdout(
            `Nothing to do: demo users already exist (${result.existingUsers.join(", ")}).\n`,
          );
        }
      }),
    );

  const user = program.command("user").description("Manage users.");
  user
    .command("create")
    .description("Create a user who signs in with email and password.")
    .requiredOption("--email <email>", "the sign-in email")
    .requiredOption("--name <name>", "the name shown to others")
    .requiredOption("--password <password>", `at least ${MIN_PASSWORD_CHARACTERS} characters`)
    .option("--admin", "make the user a workspace admin", false)
    .addOption(
      new Option("--level <level>", "annotator level").choices(["junior", "expert"] as const),
    )
    .option(
      "--domains <domains>",
      "comma-separated domains: medical, legal, code, science, finance, general, language:<bcp47>",
      parseDomains,
    )
    .option("--rate <rate>", "hourly rate, in the workspace currency", parseRate)
    .action(
      (options: {
        email: string;
        name: string;
        password: string;
        admin: boolean;
        level?: "junior" | "expert";
        domains?: string[];
        rate?: number;
      }) =>
        withDatabase(io, async (database) => {
          const created = await createUser(database.db, {
            email: options.email,
            name: options.name,
            password: options.password,
            isAdmin: options.admin,
            level: options.level ?? null,
            domains: options.domains ?? [],
            hourlyRate: options.rate ?? null,
          });
          io.stdout(
            `Created user ${created.id} ${created.email}${created.is_admin ? " (admin)" : ""}.\n`,
          );
        }),
    );

  const token = program.command("token").description("Manage API tokens.");
  token
    .command("create")
    .description(
      "Create an API token for a user and print it, alone, on stdout. It is shown only once.",
    )
    .requiredOption("--email <email>", "the user the token acts as")
    .option("--name <name>", "what the token is for", "cli")
    .action((options: { email: string; name: string }) =>
      withDatabase(io, async (database) => {
        const owner = await findUserByEmail(database.db, options.email);
        if (!owner) throw notFound(`No user with email ${options.email}`);
        if (owner.disabled_at) throw new AppError("forbidden", `${owner.email} is disabled`);
        const name = options.name.trim();
        if (name.length === 0 || name.length > 100) {
          throw new AppError("bad_request", "--name must be 1 to 100 characters");
        }
        const created = await createApiToken(database.db, owner.id, name);
        io.stdout(`${created.token}\n`);
      }),
    );

  program
    .command("import")
    .description(
      "Import items into a project from a JSON array, JSON Lines, CSV, Label Studio export or HH-RLHF file (.gz is decompressed). All or nothing: any invalid row is listed and nothing is stored; rows already imported are left unchanged.",
    )
    .argument("<file>", "the file to import, or - for stdin")
    .requiredOption("--project <id>", "the project to import into", parseProjectId)
    .addOption(
      new Option("--format <format>", "the file's format (default: from its extension)").choices(
        importFormats,
      ),
    )
    .option(
      "--as <email>",
      "import as this user, who must be allowed to import into the project (default: the workspace itself, as an operator with database access)",
    )
    .option(
      "--user-map <file>",
      'Label Studio files: a JSON file mapping Label Studio user ids (or emails) to Quorum emails, e.g. {"3": "ada@lab.test"}',
    )
    .addOption(
      new Option(
        "--assign-unmapped <who>",
        "Label Studio files: credit annotations whose annotator neither the file nor the user map names to the --as user",
      ).choices(["importer"] as const),
    )
    .action(
      (
        file: string,
        options: {
          project: number;
          format?: ImportFormat;
          as?: string;
          userMap?: string;
          assignUnmapped?: "importer";
        },
      ) =>
        withDatabase(io, async (database) => {
          if (options.assignUnmapped && !options.as) {
            throw new AppError(
              "bad_request",
              "--assign-unmapped importer credits the importing user: name them with --as <email>",
            );
          }
          const userMap = options.userMap === undefined ? undefined : readUserMap(options.userMap);
          const fromStdin = file === "-";
          const namedFormat = options.format ?? (fromStdin ? undefined : formatOfFileName(file));
          if (!namedFormat && !fromStdin) {
            throw new AppError(
              "bad_request",
              `Cannot tell the format of ${file} from its name: pass --format ${importFormats.join("|")}`,
            );
          }
          const actor = options.as
            ? ((await findUserByEmail(database.db, options.as)) ?? null)
            : null;
          if (options.as && !actor) throw notFound(`No user with email ${options.as}`);
          if (actor) {
            await requireProjectPermission(database.db, actor, options.project, "project.import");
          }
          const project = await loadProjectModel(database.db, options.project);
          const progress = new ProgressLine(io.stderr, io.stderrIsTerminal ?? false);
          const text = await readImportFile(file, progress, io);
          const format = namedFormat ?? formatOfText(text);
          if (!format) {
            throw new AppError(
              "bad_request",
              `Cannot tell the format of stdin from its first character: pass --format ${importFormats.join("|")}`,
            );
          }
          const parsed = readImport(text, format, project.template, {
            ...(userMap === undefined ? {} : { userMap }),
            ...(options.assignUnmapped && actor ? { unmappedAnnotator: actor.email } : {}),
          });
          const phases = { validating: "Validating", inserting: "Inserting" } as const;
          let phase: keyof typeof phases | undefined;
          try {
            const summary = await importItems(database.db, {
              projectId: project.id,
              actor,
              rows: parsed.rows,
              readErrors: parsed.errors,
              format,
              onProgress: (update) => {
                if (phase !== update.phase) progress.finish();
                phase = update.phase;
                progress.update(phases[update.phase], update.done, update.total);
              },
            });
            progress.finish();
            io.stdout(
              `Imported ${fromStdin ? "stdin" : file} into project ${project.id} (${project.row.name}): ${summary.created} created, ${summary.unchanged} unchanged, ${summary.annotations} annotations.\n`,
            );
          } finally {
            progress.finish();
          }
        }),
    );

  program
    .command("export")
    .description(
      "Export a project's final labels (published versions and consensus items; not gold items) as NDJSON training data, CSV, or Label Studio tasks (a JSON array).",
    )
    .requiredOption("--project <id>", "the project to export", parseProjectId)
    .addOption(
      new Option("--format <format>", "what each line holds")
        .choices(exportFormats)
        .default("jsonl"),
    )
    .option(
      "--field <fieldId>",
      "the preference, ranking or rating field dpo, reward and kto read (default: the template's first)",
    )
    .addOption(
      new Option(
        "--prompt-style <style>",
        "dpo and reward: the prompt apart (explicit) or at the start of chosen and rejected (implicit, for older TRL versions)",
      ).choices(promptStyles),
    )
    .option("--out <file>", "write to this file instead of stdout")
    .option(
      "--as <email>",
      "export as this user, who must be allowed to export the project (default: the workspace itself, which sees what a lead sees)",
    )
    .action(
      (options: {
        project: number;
        format: ExportFormat;
        field?: string;
        promptStyle?: PromptStyle;
        out?: string;
        as?: string;
      }) =>
        withDatabase(io, async (database) => {
          const viewer = options.as
            ? ((await findUserByEmail(database.db, options.as)) ?? null)
            : null;
          if (options.as && !viewer) throw notFound(`No user with email ${options.as}`);
          const prepared = await prepareExport(database.db, viewer, options.project, {
            format: options.format,
            ...(options.field === undefined ? {} : { field: options.field }),
            ...(options.promptStyle === undefined ? {} : { promptStyle: options.promptStyle }),
          });
          if (options.out) {
            await writeExportFile(options.out, prepared);
            io.stdout(
              `Exported project ${options.project} as ${options.format} to ${options.out}.\n`,
            );
          } else {
            for await (const chunk of prepared.chunks()) {
              if (chunk.length === 0) continue;
              io.stdout(chunk);
              await io.stdoutDrained?.();
            }
          }
        }),
    );

  return program;
}

function describeError(error: unknown): string {
  if (error instanceof AppError) {
    const lines = [`Error: ${error.message}`];
    if (Array.isArray(error.details)) {
      for (const detail of error.details as unknown[]) {
        const { row, field, message } = (detail ?? {}) as {
          row?: unknown;
          field?: unknown;
          message?: unknown;
        };
        const where = typeof row === "number" && row > 0 ? `row ${row}, ` : "";
        lines.push(
          typeof field === "string" && typeof message === "string"
            ? `  - ${where}${field}: ${message}`
            : `  - ${JSON.stringify(detail)}`,
        );
      }
    } else if (error.details !== undefined) {
      lines.push(`  ${JSON.stringify(error.details)}`);
    }
    return lines.join("\n");
  }
  if (
    error instanceof ConfigError ||
    error instanceof MigrationError ||
    error instanceof DataDirInUseError
  ) {
    return error.message;
  }
  if (error instanceof Error) return `Error: ${error.message}`;
  return `Error: ${String(error)}`;
}

/** Runs the CLI on `argv` (as process.argv: node, script, ...arguments); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv]);
    return 0;
  } catch (error) {
    // Like any filter in a pipeline, stop quietly once nobody reads the output.
    if (error instanceof StdoutClosedError) return 0;
    // Commander has already printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr(`${describeError(error)}\n`);
    return 1;
  }
}
