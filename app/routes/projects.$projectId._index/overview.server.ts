import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { itemReference, listItems } from "../../../server/services/items.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { exportFormats, signalFieldFor } from "~/domain/export.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { itemStatusOrder } from "~/utils/format.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const DISPUTES_SHOWN = 50;

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
