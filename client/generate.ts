import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import * as prettier from "prettier";
import { buildOpenApiDocument } from "../server/http/openapi/document.ts";

/** The files `npm run openapi` keeps in client/, relative to the directory it writes to. */
export const DOCUMENT_FILE = "openapi.json";
export const TYPES_FILE = "quorum-api.ts";

const projectRoot = path.resolve(import.meta.dirname, "..");

const TYPES_HEADER = `/**
 * The types of Quorum's API, made by openapi-typescript from ${DOCUMENT_FILE}, for openapi-fetch.
 * Do not edit: \`npm run openapi\` writes this file again from the server's OpenAPI document.
 */`;

async function formatted(file: string, text: string): Promise<string> {
  // The project's Prettier settings, wherever the files are written, so that the committed
  // files pass `prettier --check` and a regeneration elsewhere compares equal.
  const options = await prettier.resolveConfig(
    path.join(projectRoot, "client", path.basename(file)),
  );
  return prettier.format(text, { ...options, filepath: file });
}

/**
 * Writes the OpenAPI document to `directory`, then the TypeScript types openapi-typescript makes
 * of that file, for openapi-fetch (`createClient<paths>()`).
 */
export async function writeClient(document: unknown, directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  const documentPath = path.join(directory, DOCUMENT_FILE);
  await writeFile(documentPath, await formatted(documentPath, JSON.stringify(document)));
  const types = `${TYPES_HEADER}\n${astToString(await openapiTS(pathToFileURL(documentPath)))}`;
  const typesPath = path.join(directory, TYPES_FILE);
  await writeFile(typesPath, await formatted(typesPath, types));
}

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(projectRoot, "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const directory = path.resolve(process.argv[2] ?? path.join(projectRoot, "client"));
  await writeClient(buildOpenApiDocument(await packageVersion()), directory);
  process.stdout.write(`wrote ${DOCUMENT_FILE} and ${TYPES_FILE} to ${directory}\n`);
}
