import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { openDatabase } from "../../db/client.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { ensureBuild } from "../../server/build.ts";
import { ensureNodeBuild } from "../../server/node-build.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** With DATABASE_URL: a migrated database that each test file copies. */
    templateDatabaseUrl: string | null;
    /** On PGlite: a migrated data directory (its `pgdata`) that each test database copies. */
    pgliteTemplateDir: string | null;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Builds the web app and compiles the server and the CLI once (servers under test serve the
 * production build; `quorum` and `npm start` run the compiled one) and migrates one template
 * database that every test database copies, so each starts fresh without paying for migrations
 * again: against PostgreSQL a template database, on PGlite a data directory (migrating a new
 * PGlite directory takes about as long again as opening a migrated one).
 */
export default async function setup(project: TestProject) {
  ensureBuild((message) => process.stderr.write(`${message}\n`));
  await ensureNodeBuild((message) => process.stderr.write(`${message}\n`));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    project.provide("templateDatabaseUrl", null);
    const templateDir = mkdtempSync(path.join(tmpdir(), "quorum-template-"));
    const template = await openDatabase({
      pgliteDataDir: path.join(templateDir, "pgdata"),
      pgliteAccess: "owner",
    });
    await migrateToLatest(template.db);
    await template.close();
    project.provide("pgliteTemplateDir", templateDir);
    return () => rmSync(templateDir, { recursive: true, force: true });
  }
  project.provide("pgliteTemplateDir", null);
  const templateName = `quorum_template_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${templateName}`);
  const templateUrl = withDatabase(serverUrl, templateName);
  const template = await openDatabase({ databaseUrl: templateUrl });
  await migrateToLatest(template.db);
  await template.close();
  project.provide("templateDatabaseUrl", templateUrl);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname = $1 or datname like $2",
      [templateName, `${templateName}_%`],
    );
    for (const { datname } of rows) {
      await admin.query(`drop database if exists ${datname} with (force)`);
    }
    await admin.end();
  };
}
