import { constants as bufferConstants } from "node:buffer";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { Option, type Command } from "commander";
import { AppError, notFound } from "../../errors.ts";
import { requireProjectPermission } from "../../permissions.ts";
import {
  formatOfFileName,
  importFormats,
  importItems,
  readImport,
  type ImportFormat,
} from "../../services/import/index.ts";
import { parseUserMap } from "../../services/import/formats.ts";
import { loadProjectModel } from "../../services/project-model.ts";
import { findUserByEmail } from "../../services/users.ts";
import { withDatabase } from "../database.ts";
import type { CliIo } from "../index.ts";
import { parseProjectId } from "../options.ts";
import { ProgressLine } from "../progress.ts";

const GZIP_MAGIC = [0x1f, 0x8b];
const { MAX_STRING_LENGTH } = bufferConstants;

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
  } catch (error) {
    // Node's strings have a maximum length (about 512 MB of ASCII), whatever the memory.
    if ((error as NodeJS.ErrnoException).code === "ERR_STRING_TOO_LONG") {
      throw new AppError(
        "payload_too_large",
        `${name} is too large to import at once (${bytes.length.toLocaleString("en-US")} bytes${gzipped ? " unpacked" : ""}; at most ${MAX_STRING_LENGTH.toLocaleString("en-US")} characters): split it into several files`,
      );
    }
    throw new AppError("bad_request", `${name} is not UTF-8 text`);
  }
}

/**
 * A `--user-map` file: the file's annotators (Label Studio user ids or emails; a Quorum export's
 * emails, names or pseudonyms) to Quorum emails.
 */
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

export function register(command: Command, io: CliIo): void {
  command
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
      'Label Studio files and Quorum exports: a JSON file mapping the file\'s annotators (Label Studio user ids or emails; an export\'s emails, names or pseudonyms) to Quorum emails, e.g. {"3": "ada@lab.test"}',
    )
    .addOption(
      new Option(
        "--assign-unmapped <who>",
        "Label Studio files and Quorum exports: credit annotations whose annotator neither the file nor the user map names to the --as user",
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
            // A missing file is the first thing to put right, whatever its name.
            if (!existsSync(file)) throw notFound(`No such file: ${file}`);
            throw new AppError(
              "bad_request",
              `Cannot tell the format of ${file} from its name: pass --format ${importFormats.join("|")}`,
            );
          }
          const actor = options.as
            ? ((await findUserByEmail(database.db, options.as)) ?? null)
            : null;
          if (options.as && !actor) throw notFound(`No user with email ${options.as.trim()}`);
          if (actor) {
            await requireProjectPermission(database.db, actor, options.project, "project.import");
          }
          const project = await loadProjectModel(database.db, options.project);
          const progress = new ProgressLine(io.stderr, io.stderrIsTerminal ?? false);
          const text = await readImportFile(file, progress, io);
          const format = namedFormat ?? formatOfText(text);
          if (!format) {
            if (text.trim() === "") {
              throw new AppError("bad_request", "stdin is empty: there is nothing to import");
            }
            throw new AppError(
              "bad_request",
              `Cannot tell the format of stdin from its first character: pass --format ${importFormats.join("|")}`,
            );
          }
          const parsed = readImport(text, format, project.template, {
            ...(userMap === undefined ? {} : { userMap }),
            ...(options.assignUnmapped && actor ? { unmappedAnnotator: actor.email } : {}),
          });
          const phases = {
            validating: "Validating",
            inserting: "Inserting",
            quality: "Quality",
          } as const;
          let phase: keyof typeof phases | undefined;
          try {
            const summary = await importItems(database.db, {
              projectId: project.id,
              actor,
              rows: parsed.rows,
              readErrors: parsed.errors,
              format,
              qualityInTransaction: database.kind === "postgres",
              onQualityError: (error) => {
                progress.finish();
                io.stderr(
                  `The quality figures could not be stored with the import (${error instanceof Error ? error.message : String(error)}); they are computed at the next request.\n`,
                );
              },
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
}
