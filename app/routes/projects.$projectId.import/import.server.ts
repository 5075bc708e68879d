import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { csvColumnMapping } from "../../../server/services/import/index.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

export async function loadImportPage(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params, "project.import");
  const model = await loadProjectModel(context.quorum.db, page.projectId).catch(throwAsRouteError);
  return {
    navigation: page.navigation,
    maxBytes: context.quorum.config.importMaxBytes,
    csvColumns: csvColumnMapping,
    fieldIds: model.template.fields.map((field) => field.id),
  };
}
