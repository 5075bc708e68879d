import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { Database, User } from "../../../db/schema.ts";
import { itemReference, listItems } from "../../../server/services/items.ts";
import { projectProgress } from "../../../server/services/progress.ts";
import { loadProjectModel, type ProjectModel } from "../../../server/services/project-model.ts";
import { projectQualityComputation } from "../../../server/services/quality-economics.ts";
import { projectThroughput } from "../../../server/services/throughput.ts";
import { exportFormats, signalFieldFor } from "~/domain/export.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { itemStatusOrder } from "~/utils/format.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const DISPUTES_SHOWN = 50;

/**
 * What the overview's dashboard shows those who may see a project's quality: its pace per day
 * and finish estimate, what the work cost (only where the viewer may see costs: the progress
 * leaves them out otherwise) and agreement per field. Agreement comes from the kept quality
 * computation without its reliability model, which this page does not show.
 */
async function loadDashboard(db: Kysely<Database>, user: User, model: ProjectModel) {
  const [progress, throughput, computation] = await Promise.all([
    projectProgress(db, user, model.id),
    projectThroughput(db, user, model.id),
    projectQualityComputation(db, model),
  ]);
  const fieldLabels = new Map(model.template.fields.map((field) => [field.id, field.label]));
  return {
    throughput,
    costs:
      "costCents" in progress && progress.costCents && progress.costPerPublishedItemCents
        ? {
            costCents: progress.costCents,
            costPerPublishedItemCents: progress.costPerPublishedItemCents,
          }
        : null,
    agreement: computation.agreements().map((field) => ({
      fieldId: field.fieldId,
      label: fieldLabels.get(field.fieldId) ?? field.fieldId,
      metric: field.metric,
      alpha: field.alpha,
      alphaCi: field.alphaCi,
      spanOverlapF1: field.spanF1?.overlap ?? null,
    })),
  };
}

export type OverviewDashboard = Awaited<ReturnType<typeof loadDashboard>>;

export async function loadOverview(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params);
  const { db } = context.quorum;
  const model = await loadProjectModel(db, page.projectId).catch(throwAsRouteError);
  const disputed = await listItems(db, page.user, page.projectId, {
    status: "disputed",
    limit: DISPUTES_SHOWN,
  }).catch(throwAsRouteError);
  const fieldLabels = new Map(model.template.fields.map((field) => [field.id, field.label]));
  const counts = page.project.itemCounts;
  const dashboard = page.navigation.may.viewQuality
    ? await loadDashboard(db, page.user, model).catch(throwAsRouteError)
    : null;
  return {
    navigation: page.navigation,
    project: {
      description: page.project.description,
      overlap: page.project.overlap,
      autoPublishConsensus: page.project.autoPublishConsensus,
      createdAt: page.project.createdAt,
      fieldCount: model.template.fields.length,
    },
    /** The formats this project's template gives data for: pairs need a preference or ranking. */
    exportFormats: page.navigation.may.export
      ? exportFormats.filter((format) => signalFieldFor(model.template, format).ok)
      : [],
    statusCounts: itemStatusOrder.map((status) => ({ status, count: counts[status] ?? 0 })),
    totalItems: Object.values(counts).reduce((sum, count) => sum + count, 0),
    dashboard,
    disputed: {
      items: disputed.items.map((item) => ({
        id: item.id,
        externalId: itemReference(item),
        domain: item.domain,
        labelCount: item.labelCount ?? null,
        disputedFields: (item.disputedFields ?? []).map((fieldId) => ({
          id: fieldId,
          label: fieldLabels.get(fieldId) ?? fieldId,
        })),
      })),
      more: disputed.nextCursor !== null,
    },
  };
}
