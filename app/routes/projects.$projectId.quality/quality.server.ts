import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { projectQuality } from "../../../server/services/quality.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

export async function loadQuality(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params, "project.viewQuality");
  const quality = await projectQuality(context.quorum.db, page.user, page.projectId).catch(
    throwAsRouteError,
  );
  return { navigation: page.navigation, quality };
}
