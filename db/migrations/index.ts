import type { Migration } from "kysely";
import * as initial from "./20261127000000_initial.ts";
import * as annotationWorkflow from "./20261127010000_annotation_workflow.ts";
import * as adjudication from "./20261127020000_adjudication.ts";

/** Every migration, listed statically so that no bundler or packager can lose one. */
export const migrations: Record<string, Migration> = {
  "20261127000000_initial": initial,
  "20261127010000_annotation_workflow": annotationWorkflow,
  "20261127020000_adjudication": adjudication,
};
