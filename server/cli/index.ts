import { once } from "node:events";
import { Command, CommanderError } from "commander";

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

/** A command's module: it adds its options, subcommands and action to the command it is given. */
export interface CommandModule {
  register(command: Command, io: CliIo): void;
}

interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<CommandModule>;
}

/**
 * Every command, by name and description: all that `quorum --help` needs. A command's module,
 * with the services it uses, is loaded only when the command is named, so that a command pays
 * for what it uses and nothing else (docs/decisions/030-compiled-server-and-cli.md).
 */
const commands: readonly CommandEntry[] = [
  {
    name: "migrate",
    description: "Bring the database schema up to date.",
    load: () => import("./commands/migrate.ts"),
  },
  {
    name: "seed-demo",
    description:
      "Create the demo workspace (demo users with password quorum-demo, one project per template preset). Does nothing if the demo users exist.",
    load: () => import("./commands/seed-demo.ts"),
  },
  { name: "user", description: "Manage users.", load: () => import("./commands/user.ts") },
  { name: "token", description: "Manage API tokens.", load: () => import("./commands/token.ts") },
  {
    name: "projects",
    description: "List and create projects.",
    load: () => import("./commands/projects.ts"),
  },
  {
    name: "members",
    description: "List, add and remove a project's members.",
    load: () => import("./commands/members.ts"),
  },
  {
    name: "progress",
    description:
      "Show where a project stands: items by status, labels given and needed, each annotator's output and pace.",
    load: () => import("./commands/progress.ts"),
  },
  {
    name: "quality",
    description:
      "Show a project's quality figures: agreement per field, and each annotator's accuracy and reliability.",
    load: () => import("./commands/quality.ts"),
  },
  {
    name: "import",
    description:
      "Import items into a project from a JSON array, JSON Lines, CSV, Label Studio export or HH-RLHF file (.gz is decompressed). All or nothing: any invalid row is listed and nothing is stored; rows already imported are left unchanged.",
    load: () => import("./commands/import.ts"),
  },
  {
    name: "export",
    description:
      "Export a project's final labels (published versions and consensus items; not gold items) as NDJSON training data, CSV, or Label Studio tasks (a JSON array).",
    load: () => import("./commands/export.ts"),
  },
];

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

/** The command that `arguments_` run (`quorum help <command>` included), if it is one of ours. */
function namedCommand(arguments_: readonly string[]): CommandEntry | undefined {
  const words = arguments_.filter((argument) => !argument.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return commands.find((entry) => entry.name === name);
}

async function buildProgram(argv: readonly string[], io: CliIo): Promise<Command> {
  const program = new Command("quorum")
    .description(
      "Administer a Quorum workspace. Uses DATABASE_URL when set, otherwise the embedded database under QUORUM_DATA_DIR (default .quorum).",
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const named = namedCommand(argv.slice(2));
  for (const entry of commands) {
    const command = program.command(entry.name).description(entry.description);
    // What describes a failure is loaded with the command, not once it has failed: by then a
    // newer build may have replaced this one's files.
    if (entry === named) {
      const [module] = await Promise.all([entry.load(), import("./errors.ts")]);
      module.register(command, io);
    }
  }
  return program;
}

/** Runs the CLI on `argv` (as process.argv: node, script, ...arguments); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await (await buildProgram(argv, io)).parseAsync([...argv]);
    return 0;
  } catch (error) {
    // Like any filter in a pipeline, stop quietly once nobody reads the output.
    if (error instanceof StdoutClosedError) return 0;
    // Commander has already printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode;
    const { describeError } = await import("./errors.ts");
    io.stderr(`${describeError(error)}\n`);
    return 1;
  }
}
