import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { itemReference, itemStatuses, listItems } from "../../../server/services/items.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const PAGE_SIZE = 50;

export async function loadItemList(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params);
  const url = new URL(request.url);
  const status = url.searchParams.get("status") || undefined;
  const cursor = url.searchParams.get("cursor") || undefined;
  const { db } = context.quorum;
  const model = await loadProjectModel(db, page.projectId).catch(throwAsRouteError);
  const result = await listItems(db, page.user, page.projectId, {
    status,
    cursor,
    limit: PAGE_SIZE,
  }).catch(throwAsRouteError);
  const fieldLabels = new Map(model.template.fields.map((field) => [field.id, field.label]));
  return {
    navigation: page.navigation,
    statuses: itemStatuses,
    status: status ?? null,
    firstPage: cursor === undefined,
    items: result.items.map((item) => ({
      id: item.id,
      externalId: itemReference(item),
      domain: item.domain,
      status: item.status ?? null,
      labelCount: item.labelCount ?? null,
      submittedByYou: item.submittedByYou,
      invitedToPanel: item.invitedToPanel,
      disputedFields: (item.disputedFields ?? []).map((id) => fieldLabels.get(id) ?? id),
    })),
    nextCursor: result.nextCursor,
  };
}
