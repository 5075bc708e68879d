import { DataDirInUseError } from "../../db/data-dir-lock.ts";
import { classifyDatabaseError } from "../../db/errors.ts";
import { MigrationError } from "../../db/migrate.ts";
import { ConfigError } from "../config.ts";
import { AppError } from "../errors.ts";

/** What stderr says about a command that failed: the message, and each field or row in error. */
export function describeError(error: unknown): string {
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
  if (classifyDatabaseError(error) === "unavailable") {
    const cause = error instanceof Error ? error.message : String(error);
    return `Error: Cannot reach the database (${process.env.DATABASE_URL ? "DATABASE_URL" : "the embedded database under QUORUM_DATA_DIR"}): ${cause}`;
  }
  if (error instanceof Error) return `Error: ${error.message}`;
  return `Error: ${String(error)}`;
}
