import type { Kysely } from "kysely";
import { disputePolicySchema, type DisputePolicy } from "../../app/domain/disputes.ts";
import { projectSettingsSchema, type ProjectSettings } from "../../app/domain/project.ts";
import { templateSchema, type Template } from "../../app/domain/template.ts";
import type { Database, Project } from "../../db/schema.ts";
import { notFound } from "../errors.ts";

/** A project row with its JSON columns parsed into their domain types. */
export interface ProjectModel {
  row: Project;
  id: number;
  template: Template;
  disputePolicy: DisputePolicy;
  settings: ProjectSettings;
  overlap: number;
  autoPublishConsensus: boolean;
}

export function projectModel(row: Project): ProjectModel {
  return {
    row,
    id: row.id,
    template: templateSchema.parse(row.template),
    disputePolicy: disputePolicySchema.parse(row.dispute_policy ?? {}),
    settings: projectSettingsSchema.parse(row.settings ?? {}),
    overlap: row.overlap,
    autoPublishConsensus: row.auto_publish_consensus,
  };
}

export async function loadProjectModel(
  db: Kysely<Database>,
  projectId: number,
): Promise<ProjectModel> {
  const row = await db
    .selectFrom("projects")
    .selectAll()
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!row) throw notFound("No such project");
  return projectModel(row);
}
