import type { Migration } from "kysely";
import * as initial from "./20261127000000_initial.ts";

/** Every migration, listed statically so that no bundler or packager can lose one. */
export const migrations: Record<string, Migration> = {
  "20261127000000_initial": initial,
};
